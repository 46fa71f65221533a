using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using ModelPrune.Settings;

namespace ModelPrune.Tasks;

/// <summary>Writes the engine's request file: the cache options and every model of the batch.</summary>
internal static class PruneRequest
{
    public static string ToJson(ITaskItem[] models, bool cacheEnabled, string? cacheDirectory, string? baseDirectory = null, string? onnxRuntimeNativeDirectory = null)
    {
        var json = new JsonWriter();
        json.WriteStartObject();
        json.WriteBoolean("cacheEnabled", cacheEnabled);
        json.WriteString("cacheDirectory", string.IsNullOrWhiteSpace(cacheDirectory) ? string.Empty : Path.GetFullPath(cacheDirectory));
        json.WriteString("baseDirectory", string.IsNullOrWhiteSpace(baseDirectory) ? string.Empty : Path.GetFullPath(baseDirectory));
        json.WriteString("onnxRuntimeNativeDirectory", string.IsNullOrWhiteSpace(onnxRuntimeNativeDirectory) ? string.Empty : Path.GetFullPath(onnxRuntimeNativeDirectory));
        json.WritePropertyName("models");
        json.WriteStartArray();
        foreach (var model in models)
        {
            json.WriteStartObject();
            json.WriteString("model", model.GetMetadata("FullPath"));
            json.WriteString("displayName", DisplayName(model));
            json.WriteString("output", model.GetMetadata(ModelMetadata.OutputModel));
            // Every path the engine writes, as the targets computed them: the engine derives none.
            json.WriteString("report", model.GetMetadata(ModelMetadata.Report));
            json.WriteString("summary", model.GetMetadata(ModelMetadata.Summary));
            json.WriteString("markdown", model.GetMetadata(ModelMetadata.Markdown));
            json.WriteString("html", model.GetMetadata(ModelMetadata.Html));
            json.WriteString("runInfo", model.GetMetadata(ModelMetadata.RunInfo));
            json.WritePropertyName("settings");
            json.WriteStartObject();
            // Values pass through unparsed: the engine validates them, so MSBuild and the command line give the same errors.
            foreach (var setting in SettingTable.All.Where(setting => setting.IsReadBy(SettingStage.Prune)))
            {
                json.WriteString(setting.Name, model.GetMetadata(setting.Name).Trim());
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return json.ToString();
    }

    public static void Write(string path, string json)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        // No byte order mark: the engine's JSON reader, like most, expects plain UTF-8.
        File.WriteAllText(path, json + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    public static string DisplayName(ITaskItem model)
    {
        var name = model.GetMetadata(ModelMetadata.DisplayName);
        return string.IsNullOrEmpty(name) ? model.ItemSpec : name;
    }
}
