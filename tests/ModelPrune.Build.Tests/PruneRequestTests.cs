using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Build.Utilities;
using ModelPrune.Build.Tests.Infrastructure;
using ModelPrune.Tasks;

namespace ModelPrune.Build.Tests;

public sealed class PruneRequestTests
{
    [Fact]
    public void Request_carries_paths_and_raw_settings_with_the_engines_key_names()
    {
        var folder = Path.Combine(Path.GetTempPath(), "obj", "modelprune", "classifier.0000");
        var model = new TaskItem(Path.Combine(Path.GetTempPath(), "Models", "classifier.onnx"), new Dictionary<string, string>
        {
            ["DisplayName"] = "Models/classifier.onnx",
            ["OutputModel"] = Path.Combine(folder, "classifier.onnx"),
            ["Report"] = Path.Combine(folder, "classifier.prune.json"),
            ["Markdown"] = Path.Combine(folder, "classifier.prune.md"),
            ["RunInfo"] = Path.Combine(folder, "classifier.prune.run.json"),
            ["Sparsity"] = " 0.4 ",
            ["IncludeLayers"] = "fc*;regex:^conv\\d+$",
            ["ExcludeLayers"] = "fc3.weight",
            ["Dimensions"] = "batch=4;sequence=32",
        });

        using var request = JsonDocument.Parse(PruneRequest.ToJson(new[] { model }, cacheEnabled: false, cacheDirectory: "relative-cache"));

        var root = request.RootElement;
        Assert.False(root.GetProperty("cacheEnabled").GetBoolean());
        Assert.Equal(Path.GetFullPath("relative-cache"), root.GetProperty("cacheDirectory").GetString());
        var entry = Assert.Single(root.GetProperty("models").EnumerateArray());
        Assert.Equal(model.ItemSpec, entry.GetProperty("model").GetString());
        Assert.Equal("Models/classifier.onnx", entry.GetProperty("displayName").GetString());
        Assert.Equal(Path.Combine(folder, "classifier.prune.run.json"), entry.GetProperty("runInfo").GetString());

        var settings = entry.GetProperty("settings");
        Assert.Equal(
            new[] { "Sparsity", "Method", "Pattern", "MaxLayerSparsity", "Include", "Exclude", "Seed", "Dimensions", "CalibrationData", "CalibrationSamples", "Allocation", "MinLayerSparsity", "CalibrationMode", "Device", "EvaluationData", "EvaluationSamples", "Task", "SweepSparsities", "Structure", "MinUnitsPerLayer", "UnitMultiple" },
            settings.EnumerateObject().Select(property => property.Name));
        Assert.Equal("0.4", settings.GetProperty("Sparsity").GetString());
        Assert.Equal("fc*;regex:^conv\\d+$", settings.GetProperty("Include").GetString());
        Assert.Equal("fc3.weight", settings.GetProperty("Exclude").GetString());
        Assert.Equal("batch=4;sequence=32", settings.GetProperty("Dimensions").GetString());
        Assert.Equal(string.Empty, settings.GetProperty("Method").GetString());
        Assert.Equal(string.Empty, settings.GetProperty("Structure").GetString());
        Assert.Equal(string.Empty, settings.GetProperty("MinUnitsPerLayer").GetString());
        Assert.Equal(string.Empty, settings.GetProperty("UnitMultiple").GetString());
    }

    [Fact]
    public void Structured_settings_pass_through_trimmed_under_their_own_names()
    {
        var model = new TaskItem(Path.Combine(Path.GetTempPath(), "Models", "mlp.onnx"), new Dictionary<string, string>
        {
            ["Method"] = "maw",
            ["Structure"] = " Neurons ",
            ["MinUnitsPerLayer"] = "4",
            ["UnitMultiple"] = " 8",
        });

        using var request = JsonDocument.Parse(PruneRequest.ToJson(new[] { model }, cacheEnabled: true, cacheDirectory: null));

        var settings = Assert.Single(request.RootElement.GetProperty("models").EnumerateArray()).GetProperty("settings");
        Assert.Equal("maw", settings.GetProperty("Method").GetString());
        // Passed as written (trimmed): the engine, not the task, knows the names and gives MP1080-MP1083.
        Assert.Equal("Neurons", settings.GetProperty("Structure").GetString());
        Assert.Equal("4", settings.GetProperty("MinUnitsPerLayer").GetString());
        Assert.Equal("8", settings.GetProperty("UnitMultiple").GetString());
    }

    /// <summary>A setting missing from the stamp line would not re-run the engine when only it changes.</summary>
    [Fact]
    public void Every_setting_is_in_the_settings_stamp_of_the_targets()
    {
        var targets = File.ReadAllText(Path.Combine(RepoPaths.Root, "build", "ModelPrune.Build.targets"));
        var stamp = Regex.Match(targets, "<WriteLinesToFile File=\"%\\(_ModelPruneItem\\.Stamp\\)\"\\s+Lines=\"([^\"]*)\"");
        Assert.True(stamp.Success, "the settings stamp line was not found in ModelPrune.Build.targets");

        var stamped = Regex.Matches(stamp.Groups[1].Value, @"(\w+)=%\(_ModelPruneItem\.(\w+)\)")
            .Select(m => (Key: m.Groups[1].Value, Metadata: m.Groups[2].Value))
            .ToArray();
        Assert.All(stamped, entry => Assert.Equal(entry.Key, entry.Metadata));
        Assert.Equal(PruneSetting.All.Select(setting => setting.MetadataName), stamped.Select(entry => entry.Metadata));
    }

    [Fact]
    public void An_empty_cache_directory_means_the_engines_default()
    {
        using var request = JsonDocument.Parse(PruneRequest.ToJson(Array.Empty<Microsoft.Build.Framework.ITaskItem>(), cacheEnabled: true, cacheDirectory: " "));

        Assert.True(request.RootElement.GetProperty("cacheEnabled").GetBoolean());
        Assert.Equal(string.Empty, request.RootElement.GetProperty("cacheDirectory").GetString());
        Assert.Empty(request.RootElement.GetProperty("models").EnumerateArray());
    }
}
