namespace ModelPrune.Engine.Pipeline;

/// <summary>The request file the MSBuild task writes: every out-of-date model of one project.</summary>
/// <param name="OnnxRuntimeNativeDirectory">
/// A folder holding another build of ONNX Runtime's native library (the GPU build) to use instead of the
/// one shipped beside the engine; null for the shipped CPU build.
/// </param>
/// <param name="StepSummaryPath">
/// The file GitHub Actions names in GITHUB_STEP_SUMMARY: each model's summary table is appended to it; null when unset.
/// </param>
internal sealed record BatchRequest(CacheOptions Cache, IReadOnlyList<ModelJob> Jobs, string? OnnxRuntimeNativeDirectory = null, string? StepSummaryPath = null);
