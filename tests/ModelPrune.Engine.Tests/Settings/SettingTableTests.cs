using System.CommandLine;
using System.Reflection;
using ModelPrune.Engine.Cli;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Tests.Settings;

public sealed class SettingTableTests
{
    private static IEnumerable<SettingDefinition> Stage(SettingStage stage) => SettingTable.All.Where(s => s.IsReadBy(stage));

    [Fact]
    public void Names_options_and_properties_are_unique()
    {
        var names = SettingTable.All.SelectMany(s => new[] { s.CommandLineName }.Concat(s.CommandLineAliases)).ToArray();

        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(SettingTable.All.Count, SettingTable.All.Select(s => s.Name).Distinct().Count());
        var properties = SettingTable.All.Where(s => s.PropertyName is not null).Select(s => s.PropertyName!).ToArray();
        Assert.All(properties, property => Assert.StartsWith("ModelPrune", property, StringComparison.Ordinal));
        Assert.Equal(properties.Length, properties.Distinct().Count());
    }

    [Fact]
    public void Every_field_of_the_table_is_listed_in_All()
    {
        var fields = typeof(SettingTable).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.FieldType == typeof(SettingDefinition))
            .Select(field => (SettingDefinition)field.GetValue(null)!);

        Assert.Equal(fields.OrderBy(s => s.Name), SettingTable.All.OrderBy(s => s.Name));
    }

    [Fact]
    public void Option_names_are_the_kebab_case_of_the_setting_and_old_spellings_stay_as_aliases()
    {
        Assert.Equal("--include-layers", SettingTable.IncludeLayers.CommandLineName);
        Assert.Equal(new[] { "--include" }, SettingTable.IncludeLayers.CommandLineAliases);
        Assert.Equal("--dimensions", SettingTable.Dimensions.CommandLineName);
        Assert.Equal(new[] { "--dims" }, SettingTable.Dimensions.CommandLineAliases);
        Assert.Equal("--sweep-sparsities", SettingTable.SweepSparsities.CommandLineName);
        Assert.Equal("--min-units-per-layer", SettingTable.MinUnitsPerLayer.CommandLineName);
    }

    /// <summary>The engine reads each prune setting through a named property of the same name.</summary>
    [Fact]
    public void Raw_settings_have_a_property_per_prune_setting_filled_from_the_table()
    {
        var raw = RawSettings.From(setting => "value of " + setting.Name);

        foreach (var setting in Stage(SettingStage.Prune))
        {
            var property = typeof(RawSettings).GetProperty(setting.Name);
            Assert.True(property is not null, $"RawSettings has no property {setting.Name}");
            Assert.Equal("value of " + setting.Name, property!.GetValue(raw));
        }

        Assert.Equal(Stage(SettingStage.Prune).Count(), typeof(RawSettings).GetProperties().Length);
    }

    [Fact]
    public void Blank_values_mean_the_default()
    {
        var raw = new RawSettings { Sparsity = "  ", Method = "wanda" };

        Assert.Null(raw.Sparsity);
        Assert.Equal("wanda", raw.Method);
        Assert.Null(raw.Seed);
    }

    /// <summary>
    /// The settings that decide the result are exactly those in the cache key's canonical text, under their camelCase
    /// names; a setting that only decides where the work runs is not.
    /// </summary>
    [Fact]
    public void The_cache_key_holds_exactly_the_settings_marked_for_it()
    {
        var settings = PruneSettingsParser.Parse(new RawSettings { Method = "flap", Structure = "neurons", CalibrationData = "c.npz", EvaluationData = "e.npz", Device = "cpu" }, "m.onnx");
        // The search's target and budget join the key only for Sparsity="auto" (which structured runs cannot use).
        // ExternalData joins it only as "always" ("auto" and "never" write the same file whenever they write one).
        var search = PruneSettingsParser.Parse(new RawSettings { Sparsity = "auto", EvaluationData = "e.npz", MaxMetricDrop = "0.02", ExternalData = "always" }, "m.onnx");

        var keys = settings.CanonicalText.Split('\n').Concat(search.CanonicalText.Split('\n')).Select(line => line[..line.IndexOf('=')]).Distinct().ToArray();

        Assert.Equal(
            Stage(SettingStage.Prune).Where(s => s.JoinsCacheKey).Select(s => s.CanonicalKey).OrderBy(k => k, StringComparer.Ordinal),
            keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.DoesNotContain(SettingTable.Device.CanonicalKey, keys);
    }

    public static TheoryData<string> PruneOptionSpellings()
    {
        var data = new TheoryData<string>();
        foreach (var setting in Stage(SettingStage.Prune))
        {
            foreach (var name in new[] { setting.CommandLineName }.Concat(setting.CommandLineAliases)) data.Add(name);
        }

        return data;
    }

    /// <summary>Every spelling of every setting reaches the setting: the prune command's options come from the table.</summary>
    [Theory]
    [MemberData(nameof(PruneOptionSpellings))]
    public void The_prune_command_takes_every_setting_under_every_spelling(string spelling)
    {
        var setting = SettingTable.All.Single(s => s.CommandLineName == spelling || s.CommandLineAliases.Contains(spelling));
        var result = CommandLine.PruneCommand(TextWriter.Null, null).Parse(new[] { "m.onnx", "-o", "out.onnx", spelling, "some value" });

        Assert.Empty(result.Errors);
        Assert.Equal("some value", result.GetValue<string?>(setting.CommandLineName));
    }

    [Fact]
    public void The_baseline_command_takes_the_gate_settings_from_the_table()
    {
        var result = CommandLine.BaselineCommand(TextWriter.Null).Parse(new[] { "--report", "r.json", "--baseline", "b.json", "--tolerances", "cosine=0.1", "--max-metric-drop=2%" });

        Assert.Empty(result.Errors);
        Assert.Equal("cosine=0.1", result.GetValue<string?>(SettingTable.MetricTolerances.CommandLineName));
        Assert.Equal("2%", result.GetValue<string?>(SettingTable.MaxMetricDrop.CommandLineName));
    }

    [Fact]
    public void Help_text_speaks_of_options_not_metadata()
    {
        var help = SettingHelp.Describe(SettingTable.Method);

        Assert.Contains("--calibration-data", help);
        Assert.DoesNotContain("{", help);
        Assert.DoesNotContain("`", help);
    }
}
