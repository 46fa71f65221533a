using System.Text.Json;
using Microsoft.Build.Utilities;
using ModelPrune.Build.Tests.Infrastructure;
using ModelPrune.Settings;
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
            ["Summary"] = Path.Combine(folder, "classifier.prune.summary"),
            ["Html"] = Path.Combine(folder, "classifier.prune.html"),
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
        // Every path the engine writes is in the request: the engine derives none by naming convention.
        Assert.Equal(Path.Combine(folder, "classifier.prune.summary"), entry.GetProperty("summary").GetString());
        Assert.Equal(Path.Combine(folder, "classifier.prune.html"), entry.GetProperty("html").GetString());

        var settings = entry.GetProperty("settings");
        Assert.Equal(
            SettingTable.All.Where(setting => setting.IsReadBy(SettingStage.Prune)).Select(setting => setting.Name),
            settings.EnumerateObject().Select(property => property.Name));
        // Gate-only settings stay out; MaxMetricDrop and DropType go along, as the target of Sparsity="auto".
        Assert.DoesNotContain(settings.EnumerateObject(), property => property.Name == SettingTable.MetricTolerances.Name);
        Assert.DoesNotContain(settings.EnumerateObject(), property => property.Name == SettingTable.CompareModelHash.Name);
        Assert.Contains(settings.EnumerateObject(), property => property.Name == SettingTable.MaxMetricDrop.Name);
        Assert.Equal("0.4", settings.GetProperty("Sparsity").GetString());
        Assert.Equal("fc*;regex:^conv\\d+$", settings.GetProperty("IncludeLayers").GetString());
        Assert.Equal("fc3.weight", settings.GetProperty("ExcludeLayers").GetString());
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

    [Fact]
    public void An_empty_cache_directory_means_the_engines_default()
    {
        using var request = JsonDocument.Parse(PruneRequest.ToJson(Array.Empty<Microsoft.Build.Framework.ITaskItem>(), cacheEnabled: true, cacheDirectory: " "));

        Assert.True(request.RootElement.GetProperty("cacheEnabled").GetBoolean());
        Assert.Equal(string.Empty, request.RootElement.GetProperty("cacheDirectory").GetString());
        Assert.Empty(request.RootElement.GetProperty("models").EnumerateArray());
    }
}
