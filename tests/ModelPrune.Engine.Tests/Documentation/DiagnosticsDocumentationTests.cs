using ModelPrune.Engine.Tests.TestSupport;
using System.Reflection;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Tests.Documentation;

/// <summary>Every code the engine can print has its cause and fix in docs/diagnostics.md.</summary>
public sealed class DiagnosticsDocumentationTests
{
    [Fact]
    public void Every_diagnostic_code_has_an_entry_in_the_documentation()
    {
        var documentation = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md"));
        var codes = typeof(DiagnosticCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (string)field.GetValue(null)!)
            .ToArray();

        var undocumented = codes.Where(code => !documentation.Contains($"### {code}", StringComparison.Ordinal)).ToArray();

        Assert.NotEmpty(codes);
        Assert.True(undocumented.Length == 0, "no docs/diagnostics.md entry for " + string.Join(", ", undocumented));
    }
}
