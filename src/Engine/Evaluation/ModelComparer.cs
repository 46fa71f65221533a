using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Runs the original and the pruned model on the same synthetic inputs and measures how far each output
/// moved. The models run one after the other, never both loaded, because large models would need twice
/// the memory.
/// </summary>
public static class ModelComparer
{
    public const string SyntheticInputKind = "synthetic";

    public static EvaluationReport Compare(string originalModelPath, string prunedModelPath, EvaluationOptions options, string displayFile)
    {
        OnnxRuntimeWarmup.Wait();
        ArgumentNullException.ThrowIfNull(options);
        var gatherBounds = options.GatherBounds ?? ReadGatherBounds(originalModelPath, displayFile);

        List<SyntheticInput> inputs = new();
        try
        {
            List<CapturedOutput> originalOutputs;
            var device = options.Device ?? ExecutionDevice.Cpu;
            using (var session = Open(originalModelPath, device, displayFile, pruned: false))
            {
                inputs = options.Samples is { } samples ? FromSamples(samples) : InputSynthesizer.Create(session, gatherBounds, options, displayFile);
                var outputNames = TensorOutputNames(session);
                originalOutputs = Run(session, inputs, outputNames, displayFile, pruned: false);
            }

            List<CapturedOutput> prunedOutputs;
            using (var session = Open(prunedModelPath, device, displayFile, pruned: true))
            {
                prunedOutputs = Run(session, inputs, originalOutputs.Select(o => o.Name).ToList(), displayFile, pruned: true);
            }

            var deviations = new List<OutputDeviation>(originalOutputs.Count);
            for (var i = 0; i < originalOutputs.Count; i++)
            {
                deviations.Add(DeviationMetrics.Compare(originalOutputs[i], CheckSameShape(originalOutputs[i], prunedOutputs[i], displayFile)));
            }

            return new EvaluationReport(options.Samples?.Kind ?? SyntheticInputKind, options.Seed, inputs.Select(i => i.Description).ToList(), deviations);
        }
        finally
        {
            foreach (var input in inputs)
            {
                input.Value.Dispose();
            }
        }
    }

    private static List<SyntheticInput> FromSamples(EvaluationBatch samples)
    {
        var first = samples.Batch.FirstSample + 1;
        var last = samples.Batch.FirstSample + samples.Batch.SampleCount;
        var values = string.Create(CultureInfo.InvariantCulture, $"{samples.Kind} samples {first}–{last}");
        return samples.Batch.Inputs
            .Select(i => new SyntheticInput(new EvaluationInput(i.Name, i.ElementTypeName, i.Shape.ToArray(), values), i.ToOrtValue()))
            .ToList();
    }

    private static IReadOnlyDictionary<string, long> ReadGatherBounds(string modelPath, string displayFile)
    {
        try
        {
            return GatherIndexBounds.Read(modelPath);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelPruneException(DiagnosticCodes.ModelNotRunnable, displayFile, $"ONNX Runtime cannot run the model: it is not a readable ONNX file ({e.Message}).");
        }
    }

    private static InferenceSession Open(string path, ExecutionDevice device, string displayFile, bool pruned)
    {
        var options = OnnxSessionOptions.ForOnePass();
        try
        {
            device.Configure(options);
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw NotRunnable(displayFile, pruned, "load", e);
        }
        finally
        {
            // The session copies what it needs from the options when it is created.
            options.Dispose();
        }
    }

    /// <summary>Sequences and maps (e.g. a ZipMap of class probabilities) are left out: only tensors are compared.</summary>
    private static List<string> TensorOutputNames(InferenceSession session) =>
        session.OutputNames.Where(name => session.OutputMetadata[name].IsTensor).ToList();

    private static List<CapturedOutput> Run(InferenceSession session, List<SyntheticInput> inputs, List<string> outputNames, string displayFile, bool pruned)
    {
        if (outputNames.Count == 0)
        {
            return new List<CapturedOutput>();
        }

        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Description.Name).ToList(), inputs.Select(i => i.Value).ToList(), outputNames);
            var captured = new List<CapturedOutput>(outputNames.Count);
            var index = 0;
            foreach (var value in results)
            {
                var name = outputNames[index++];
                captured.Add(OutputCapture.Capture(name, value) ?? throw new ModelPruneException(
                    DiagnosticCodes.ModelNotRunnable,
                    displayFile,
                    $"Output '{name}' has an element type ModelPrune cannot compare ({value.GetTensorTypeAndShape().ElementDataType})."));
            }

            return captured;
        }
        catch (OnnxRuntimeException e)
        {
            var fed = string.Join(", ", inputs.Select(i => $"{i.Description.Name}: {i.Description.ElementType}[{string.Join(",", i.Description.Shape)}]"));
            throw NotRunnable(displayFile, pruned, "run", e, $" Inputs fed: {fed}. If a dimension is wrong, set it with the dimension overrides (e.g. batch=1;sequence=128).");
        }
    }

    private static CapturedOutput CheckSameShape(CapturedOutput original, CapturedOutput pruned, string displayFile)
    {
        if (original.Type != pruned.Type || !original.Shape.SequenceEqual(pruned.Shape))
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                displayFile,
                $"The pruned model's output '{original.Name}' is {ElementTypeNames.Of(pruned.Type)}[{string.Join(",", pruned.Shape)}] but the original's is "
                + $"{ElementTypeNames.Of(original.Type)}[{string.Join(",", original.Shape)}]. This is a ModelPrune bug; please report it.");
        }

        return pruned;
    }

    private static ModelPruneException NotRunnable(string displayFile, bool pruned, string stage, OnnxRuntimeException e, string hint = "")
    {
        // Only ORT's message: its stack trace means nothing to someone fixing their model.
        var message = pruned
            ? $"ONNX Runtime could not {stage} the pruned model although it could {stage} the original; this is a ModelPrune bug, please report it. ONNX Runtime said: {e.Message}"
            : $"ONNX Runtime cannot {stage} the model: {e.Message}{hint}";
        return new ModelPruneException(DiagnosticCodes.ModelNotRunnable, displayFile, message);
    }
}
