using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Statistics;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// One more version of the model, tried and thrown away: the dense model read again, pruned with other settings,
/// quantized as the build would, written to a temporary file, compared with the original, measured and deleted.
/// What a sweep point and a search probe both are. Its warnings are dropped: the run that keeps a model reports its own.
/// </summary>
internal static class CandidateModel
{
    /// <param name="memo">Statistics an earlier candidate of the same dense model collected, to reuse.</param>
    public static CandidateOutcome Evaluate(ModelJob job, PruneSettings settings, CalibrationSplit? calibration,
        EvaluationOptions evaluationOptions, string file, StatisticsMemo? memo = null)
    {
        var model = OnnxModelReader.Read(job.ModelPath, ModelFileTensors.MapFrom(calibrated: settings.CalibrationData is not null));
        var pruning = LayerPruningStage.Apply(model, settings, calibration, new DiagnosticLog(), file, memo);
        var (parameters, zeros) = ModelParameterCounter.CountFloatParameters(model.Proto);
        var layers = pruning.Layers;
        QuantizationReport? quantization = null;
        if (settings.Quantization is { } quantize)
        {
            (layers, quantization) = QuantizationStage.Apply(model, settings, quantize, pruning, calibration, new DiagnosticLog(), file, memo);
        }

        var totals = ReportTotalsBuilder.Build(layers, parameters, zeros);
        // Written as the build would write it (one file, or a pair when external data is due), in a staging folder of its own.
        using var folder = ScratchFolder.Create(Path.GetDirectoryName(Path.GetFullPath(job.OutputPath))!, Path.GetFileName(job.OutputPath));
        var path = Path.Combine(folder.Path, Path.GetFileName(job.OutputPath));
        var dataPath = ExternalDataLayout.DataPathFor(path);
        var external = OnnxModelWriter.UsesExternalData(model.Proto, settings.ExternalData, file);
        var written = external ? OnnxModelWriter.WriteWithExternalData(model.Proto, path, dataPath) : OnnxModelWriter.WriteAtomic(model.Proto, path);
        // The candidate runs on the parsed model's tensors, which are what was just written.
        var comparison = ModelComparer.CompareModels(new ComparedModel(job.ModelPath), new ComparedModel(path, model.Proto),
            evaluationOptions with { MeasureLatency = false }, file);
        return new CandidateOutcome(totals, parameters - zeros, comparison, written.Bytes, GzipBlocks.MeasureModel(path, external ? dataPath : null).Bytes, layers, quantization);
    }
}
