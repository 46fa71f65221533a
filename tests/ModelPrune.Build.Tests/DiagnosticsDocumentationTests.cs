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

    private static void AssertDocumented(IEnumerable<string> codes)
    {
        var undocumented = codes.Where(code => !Documentation.Contains($"### {code}", StringComparison.Ordinal)).ToArray();
        Assert.True(undocumented.Length == 0, "no docs/diagnostics.md entry for " + string.Join(", ", undocumented));
    }
}
