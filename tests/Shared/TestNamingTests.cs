using System.Reflection;
using System.Text.RegularExpressions;

namespace ModelPrune.Tests.Shared;

/// <summary>
/// Every test reads as a sentence with words separated by underscores, e.g. A_missing_engine_gives_MP3003. Shared
/// source: each test project compiles it and checks its own tests.
/// </summary>
public sealed partial class TestNamingTests
{
    // A test, not an .editorconfig naming rule: editorconfig naming rules cannot select methods by attribute.
    [Fact]
    public void Every_test_method_is_named_as_an_underscored_sentence()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        // FactAttribute covers Theory, SkippableFact and SkippableTheory, which derive from it.
        var tests = typeof(TestNamingTests).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(all))
            .Where(method => method.IsDefined(typeof(FactAttribute), inherit: true))
            .ToArray();

        var offenders = tests
            .Where(method => !SentenceName().IsMatch(method.Name))
            .Select(method => $"{method.DeclaringType!.Name}.{method.Name}")
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(tests);
        Assert.True(offenders.Length == 0,
            "test methods not named as an underscored sentence (^[A-Z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$): " + string.Join(", ", offenders));
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*(_[A-Za-z0-9]+)+$")]
    private static partial Regex SentenceName();
}
