using System.Text.Json.Nodes;

namespace ModelPrune.Engine.Tests.Baseline;

/// <summary>A report as the engine writes it (the Gemm MLP fixture at 40%), editable field by field.</summary>
internal static class BaselineReports
{
    public const string Json = """
        {
          "schema": "modelprune.report/1",
          "engine": { "name": "ModelPrune.Engine", "version": "0.1.0" },
          "input": { "fileName": "mlp.onnx", "sha256": "9fe4271aecce8a492ef07cbb0e6b54c038a473f0e41acff57b57bfcef15d0888", "bytes": 6726 },
          "output": { "fileName": "mlp.onnx", "sha256": "13c557036a91ff9c1b1291d69be9bb41abbc531d916721104b6c633eb2f6b866", "bytes": 6726 },
          "settings": { "method": "magnitude", "sparsity": 0.4, "pattern": "unstructured", "maxLayerSparsity": 0.95, "include": [], "exclude": [], "seed": 42, "dimensions": [] },
          "layers": [
            { "name": "W1", "opType": "Gemm", "nodes": ["gemm1"], "shape": [32, 16], "inputAxis": 1, "parameters": 512, "zeros": 205, "sparsity": 0.400390625, "status": "pruned" },
            { "name": "W2", "opType": "Gemm", "nodes": ["gemm2"], "shape": [32, 24], "inputAxis": 0, "parameters": 768, "zeros": 307, "sparsity": 0.3997395833333333, "status": "pruned" },
            { "name": "W3", "opType": "Gemm", "nodes": ["gemm3"], "shape": [10, 24], "inputAxis": 1, "parameters": 240, "zeros": 96, "sparsity": 0.4, "status": "pruned" }
          ],
          "totals": { "layersPruned": 3, "layersExcluded": 0, "layersSkipped": 0, "prunableParameters": 1520, "prunableZeros": 608, "prunableSparsity": 0.4, "modelParameters": 1586, "modelZeros": 608, "modelSparsity": 0.3833543505674653 },
          "evaluation": {
            "inputKind": "synthetic", "seed": 42,
            "inputs": [{ "name": "input", "elementType": "float32", "shape": [4, 16], "values": "normal(0,1)" }],
            "outputs": [{ "name": "logits", "elementType": "float32", "shape": [4, 10], "relativeL2": 0.238862, "cosine": 0.971261, "maxAbs": 0.272196, "top1Agreement": 1 }]
          },
          "warnings": []
        }
        """;

    public static JsonObject Node() => JsonNode.Parse(Json)!.AsObject();

    public static JsonObject Logits(this JsonObject report) => report["evaluation"]!["outputs"]![0]!.AsObject();

    public static JsonObject Layer(this JsonObject report, int index) => report["layers"]![index]!.AsObject();

    public static string Write(string path, JsonObject report)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, report.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
