using System.Reflection;
using System.Text.RegularExpressions;
using ModelPrune.Build.Tests.Infrastructure;
using ModelPrune.Tasks;

namespace ModelPrune.Build.Tests;

/// <summary>
/// Every code the MSBuild side can log (the tasks' TaskDiagnostics, the targets' Error/Warning/Message Code="MP....")
/// has its cause and fix in docs/diagnostics.md. The engine's codes have the same test in ModelPrune.Engine.Tests.
/// </summary>
public sealed class DiagnosticsDocumentationTests
{
    private static readonly string Documentation = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "diagnostics.md"));

    [Fact]
    public void Every_code_the_tasks_log_has_an_entry()
    {
        var codes = typeof(TaskDiagnostics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)
            .ToArray();

        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.Matches("^MP[0-9]{4}$", code));
        AssertDocumented(codes);
    }

    [Fact]
    public void Every_code_the_targets_log_has_an_entry()
    {
        var targets = new[] { "build", "buildTransitive", "buildMultiTargeting" }
            .Select(folder => Path.Combine(RepoPaths.Root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*.targets").Concat(Directory.GetFiles(folder, "*.props")))
            .ToArray();
        var codes = targets
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), "Code=\"([^\"]*)\"").Select(match => match.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(codes);
        Assert.All(codes, code => Assert.Matches("^MP[0-9]{4}$", code));
        AssertDocumented(codes);
    }

    /// <summary>The table of bad-input classes: each code has an entry, each test class it names exists.</summary>
    [Fact]
    public void The_bad_input_table_names_documented_codes_and_existing_test_classes()
    {
        var start = Documentation.IndexOf("## Bad input, collisions and interruption", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/diagnostics.md has no bad-input table");
        var end = Documentation.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var rows = Documentation[start..end].Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal)).Skip(2).ToArray();
        var testSources = string.Join("\n", Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests"), "*Tests.cs", SearchOption.AllDirectories).Select(File.ReadAllText));

        Assert.True(rows.Length >= 20, $"{rows.Length} rows");
        var codes = rows.SelectMany(row => Regex.Matches(row, "MP[0-9]{4}").Select(match => match.Value)).Distinct(StringComparer.Ordinal).ToArray();
        AssertDocumented(codes);
        var tests = rows.SelectMany(row => Regex.Matches(row.Split('|')[4], "`([A-Za-z]+Tests)`").Select(match => match.Groups[1].Value)).Distinct(StringComparer.Ordinal).ToArray();
        Assert.All(rows, row => Assert.Matches("`[A-Za-z]+Tests`", row.Split('|')[4]));
        var missing = tests.Where(test => !testSources.Contains($"class {test}", StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, "test classes named in the table that do not exist: " + string.Join(", ", missing));
    }

    private static void AssertDocumented(IEnumerable<string> codes)
    {
        var undocumented = codes.Where(code => !Documentation.Contains($"### {code}", StringComparison.Ordinal)).ToArray();
        Assert.True(undocumented.Length == 0, "no docs/diagnostics.md entry for " + string.Join(", ", undocumented));
    }
}
