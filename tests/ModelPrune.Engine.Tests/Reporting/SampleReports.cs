using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

/// <summary>Hand-built reports covering every field: nulls, non-ASCII names, pipes, fractions like 0.4.</summary>
internal static class SampleReports
{
    public static PruneReport Classifier(bool withTop1 = true, bool withTasks = true) => new(
        PruneReport.CurrentSchema,
        new EngineInfo("modelprune", "0.1.0"),
        new ModelFileInfo("classifier.onnx", "3f1c0a9b7e2d4c6a8b0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e", 1_572_864),
        new ModelFileInfo("classifier.pruned.onnx", "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", 1_572_100),
        new ReportSettings("magnitude", 0.4, "unstructured", 0.9, new[] { "*" }, new[] { "head.*" }, 42, new[] { "batch=4", "sequence=32" }),
        new[]
        {
            new LayerReport("encoder.layer.0.dense.weight", "MatMul", new[] { "MatMul_0" }, new long[] { 64, 128 }, 0, 8192, 3277, 0.4000244140625, "pruned", null),
            new LayerReport("encoder.layer.1.dense.weight", "Gemm", new[] { "Gemm_1", "Gemm_2" }, new long[] { 128, 64 }, 1, 8192, 3277, 0.4000244140625, "pruned", null),
            new LayerReport("head.weight|bias", "MatMul", new[] { "MatMul_9" }, new long[] { 64, 10 }, 0, 640, 0, 0, "excluded", "matched Exclude 'head.*'"),
            new LayerReport("gewichte.größe", "Conv", new[] { "Conv_3" }, new long[] { 8, 3, 3, 3 }, 1, 216, 0, 0, "skipped", "input dimension 27 is not a multiple of 4"),
        },
        new ReportTotals(2, 1, 1, 16384, 6554, 0.4000244140625, 25240, 6560, 0.25990491283676703),
        new EvaluationReport(
            "synthetic",
            42,
            new[]
            {
                new EvaluationInput("input_ids", "int64", new long[] { 4, 16 }, "uniform[0,30522)"),
                new EvaluationInput("attention_mask", "int64", new long[] { 4, 16 }, "ones"),
            },
            new[]
            {
                withTasks
                    ? new OutputDeviation("logits", "float32", new long[] { 4, 10 }, 0.0123457, 0.999924, 0.0456, withTop1 ? 0.98 : null,
                        "classification", "auto: [4, 10] is [batch, classes] with labels", "labels", 0.95, 0.925, withTop1 ? 1 : null, 0.00231)
                    : new OutputDeviation("logits", "float32", new long[] { 4, 10 }, 0.0123457, 0.999924, 0.0456, withTop1 ? 0.98 : null),
                withTasks
                    ? new OutputDeviation("pooled", "float32", new long[] { 4, 64 }, 0.00812, 0.999967, 0.0213, null,
                        "embedding", "auto: [4, 64] is [batch, hidden] without labels and 32 or more wide; items pooled: each item's vector",
                        MeanItemCosine: 0.999961, P5ItemCosine: 0.99987, NeighbourAgreement: 0.75)
                    : new OutputDeviation("pooled", "float32", new long[] { 4, 64 }, 0.00812, 0.999967, 0.0213, null),
            },
            withTasks ? "auto" : null,
            withTasks ? new EvaluationDataReport("Data/eval|set.npz", "5d41402abc4b2a76b9719d911017c592ae3c1f2b9d4e5f60718293a4b5c6d7e8", 4, new[] { "labels" }) : null),
        new[] { new ReportMessage("MP1009", "Layer 'gewichte.größe' skipped: input dimension 27 is not a multiple of 4.") },
        new CostReport(1_572_864, 1_572_100, 1_451_000, 912_345, 25_240, 18_680));

    public static RunInfo Run(string cache = "miss") => new(
        cache,
        "cpu (16 threads)",
        new[] { new RunTiming("load", 12.5), new RunTiming("prune", 40.25), new RunTiming("evaluate", 103.0) },
        new LatencyReport("cpu", 4, 2, 10, 0.8126, 0.7904));
}
