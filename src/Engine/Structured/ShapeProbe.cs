using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// The shape of every tensor of the main graph, read by running the model once in ONNX Runtime with every node
/// output made a graph output. Exported models rarely carry value_info, and proving a removal safe needs the rank of
/// every tensor the units pass through and the size of every operand they meet (is a mask broadcast across heads,
/// or does it hold one value per head?). A run answers that for any op ONNX Runtime knows, where our own shape
/// inference would know only the ops we taught it.
/// </summary>
internal static class ShapeProbe
{
    /// <summary>Tensors fetched per run: MiniLM's 800 take 4 runs of one sample; a 7B model's activations never pile up.</summary>
    private const int OutputsPerRun = 256;

    /// <param name="sample">A calibration batch to feed (one sample is enough), or null to feed seeded synthetic inputs.</param>
    public static IReadOnlyDictionary<string, long[]> Run(global::Onnx.ModelProto model, CalibrationBatch? sample, int seed,
        IReadOnlyDictionary<string, long> dimensions, ExecutionDevice device, string file)
    {
        var graph = model.Graph;
        var probe = new global::Onnx.ModelProto();
        probe.MergeFrom(model);
        var known = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0 && known.Add(o)))
            {
                // No type: ONNX Runtime takes the one it infers, which we could not know in advance.
                probe.Graph.Output.Add(new global::Onnx.ValueInfoProto { Name = output });
            }
        }

        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer) shapes[initializer.Name] = initializer.Dims.ToArray();

        OnnxRuntimeWarmup.Wait();
        using var options = OnnxSessionOptions.ForOnePass();
        var inputs = new List<(string Name, OrtValue Value)>();
        try
        {
            device.Configure(options);
            using var session = SharedTensorSession.Open(probe, options, device);
            if (sample is not null)
            {
                inputs.AddRange(sample.Inputs.Select(i => (i.Name, i.ToOrtValue())));
            }
            else
            {
                var synthetic = InputSynthesizer.Create(session, GatherIndexBounds.Find(graph), new EvaluationOptions(seed, dimensions), file);
                inputs.AddRange(synthetic.Select(s => (s.Description.Name, s.Value)));
            }

            // Every tensor of a large model at once would hold all its activations in memory: ask for a chunk per run
            // (ONNX Runtime computes what the chunk needs and frees the rest).
            using var runOptions = new RunOptions();
            foreach (var names in session.OutputNames.Chunk(OutputsPerRun))
            {
                using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), inputs.Select(i => i.Value).ToArray(), names);
                var index = 0;
                foreach (var value in results)
                {
                    var name = names[index++];
                    if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
                    {
                        shapes[name] = value.GetTensorTypeAndShape().Shape;
                    }
                }
            }

            foreach (var (name, value) in inputs) shapes[name] = value.GetTensorTypeAndShape().Shape;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPruneException(DiagnosticCodes.ShapeProbeFailed, file,
                $"Structured pruning runs the model once to read the shape of every tensor, and ONNX Runtime could not run it ({e.Message}). Give Dimensions for symbolic input sizes, or CalibrationData with real inputs.");
        }
        finally
        {
            foreach (var (_, value) in inputs) value.Dispose();
        }

        return shapes;
    }
}
