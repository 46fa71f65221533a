using System.IO;
using System.Text;
using Microsoft.Build.Framework;

namespace ModelPrune.Tasks
{
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
                json.WriteString("report", model.GetMetadata(ModelMetadata.Report));
                json.WriteString("markdown", model.GetMetadata(ModelMetadata.Markdown));
                json.WriteString("runInfo", model.GetMetadata(ModelMetadata.RunInfo));
                json.WritePropertyName("settings");
                json.WriteStartObject();
                foreach (var setting in PruneSetting.All)
                {
                    json.WriteString(setting.RequestKey, model.GetMetadata(setting.MetadataName).Trim());
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
}
