using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Structured.Scoring;
using static ModelPrune.Engine.Statistics.GraphNodes;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Σx and Σx² per channel of chosen activations over the calibration set, computed inside ONNX Runtime as the Wanda
/// and SparseGPT statistics are: a copy of the model moves the channel axis last, flattens the rest into rows and
/// reduces them, so only 2·C numbers per activation and batch leave the runtime. Padded positions (an
/// <c>attention_mask</c> input) are left out of [batch, sequence, channels] activations.
/// </summary>
internal static class ChannelStatisticsCollector
{
    private const string Prefix = "__modelprune_channel_";
    private const long AxesAsInputOpsetForSum = 13;
    private const long AxesAsInputOpsetForSumSquare = 18;

    /// <param name="activations">Activation name → (its rank, its channel axis, its channel count).</param>
    public static IReadOnlyDictionary<string, ChannelStatistics> Collect(global::Onnx.ModelProto model,
        IReadOnlyDictionary<string, (int Rank, int Axis, int Channels)> activations,
        IEnumerable<IReadOnlyDictionary<string, OrtValue>> batches, ExecutionDevice device, string file)
    {
        var result = new Dictionary<string, ChannelStatistics>(StringComparer.Ordinal);
        if (activations.Count == 0) return result;

        var opset = StatisticsGraphBuilder.DefaultOpset(model);
        var copy = new global::Onnx.ModelProto();
        copy.MergeFrom(model);
        var graph = copy.Graph;
        graph.Output.Clear();
        var mask = PaddingMask.Find(model);
        if (mask is not null) PaddingMask.AddShared(graph, mask, TensorElementTypes.Float, opset);

        var names = activations.Keys.Order(StringComparer.Ordinal).ToArray();
        var sums = names.Select(_ => (Sum: (double[]?)null, Squares: (double[]?)null, Count: 0L)).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            AddReductions(graph, i, names[i], activations[names[i]], opset, mask is not null);
        }

        OnnxRuntimeWarmup.Wait();
        using var options = OnnxSessionOptions.ForOnePass();
        device.Configure(options);
        InferenceSession session;
        try
        {
            session = SharedTensorSession.Open(copy, options, device);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelPruneException(DiagnosticCodes.ModelNotRunnable, file,
                $"ONNX Runtime cannot load the model with the channel-statistics outputs added (device {device.Name}): {e.Message}");
        }

        using (session)
        using (var runOptions = new RunOptions())
        {
            var outputNames = Enumerable.Range(0, names.Length).SelectMany(i => new[] { SumName(i), SquaresName(i), CountName(i) }).ToArray();
            var batchIndex = 0;
            foreach (var batch in batches)
            {
                var feeds = batch.ToArray();
                try
                {
                    using var outputs = session.Run(runOptions, feeds.Select(f => f.Key).ToArray(), feeds.Select(f => f.Value).ToArray(), outputNames);
                    for (var i = 0; i < names.Length; i++)
                    {
                        var (sum, squares, count) = sums[i];
                        sums[i] = (Add(sum, outputs[3 * i]), Add(squares, outputs[(3 * i) + 1]), count + outputs[(3 * i) + 2].GetTensorDataAsSpan<long>()[0]);
                    }
                }
                catch (OnnxRuntimeException e)
                {
                    throw new ModelPruneException(DiagnosticCodes.ModelNotRunnable, file,
                        $"ONNX Runtime could not run calibration batch {batchIndex + 1} while collecting channel statistics: {e.Message}");
                }

                batchIndex++;
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            var channels = activations[names[i]].Channels;
            var statistics = new ChannelStatistics(sums[i].Sum ?? new double[channels], sums[i].Squares ?? new double[channels], sums[i].Count);
            if (!statistics.Sum.All(double.IsFinite) || !statistics.SumOfSquares.All(double.IsFinite))
            {
                throw new ModelPruneException(DiagnosticCodes.NonFiniteCalibrationStatistics, file,
                    $"The calibration data drive '{names[i]}' to NaN or infinite values, so its statistics are unusable. Check the calibration arrays for NaN/inf and for values far outside what the model was trained on.");
            }

            result[names[i]] = statistics;
        }

        return result;
    }

    private static void AddReductions(global::Onnx.GraphProto graph, int i, string activation, (int Rank, int Axis, int Channels) view, long opset, bool masked)
    {
        var name = $"{Prefix}{i}_";
        var source = name + "float";
        graph.Node.Add(Node("Cast", name + "cast", new[] { activation }, source, IntAttribute("to", TensorElementTypes.Float)));
        if (view.Axis != view.Rank - 1)
        {
            var perm = Enumerable.Range(0, view.Rank).Where(a => a != view.Axis).Append(view.Axis).Select(a => (long)a).ToArray();
            graph.Node.Add(Node("Transpose", name + "channels_last", new[] { source }, name + "channels_last", IntsAttribute("perm", perm)));
            source = name + "channels_last";
        }

        string? applied = null;
        if (masked && view.Rank == 3 && view.Axis == 2)
        {
            (source, applied) = PaddingMask.Apply(graph, name, source, TensorElementTypes.Float);
        }

        var rows = name + "rows";
        graph.Initializer.Add(Int64Tensor(name + "shape", new long[] { 2 }, -1, view.Channels));
        graph.Node.Add(Node("Reshape", name + "reshape", new[] { source, name + "shape" }, rows));
        graph.Node.Add(Reduce("ReduceSum", graph, name + "sum", rows, SumName(i), opset >= AxesAsInputOpsetForSum));
        graph.Node.Add(Reduce("ReduceSumSquare", graph, name + "squares", rows, SquaresName(i), opset >= AxesAsInputOpsetForSumSquare));
        graph.Output.Add(Output(SumName(i), TensorElementTypes.Float, view.Channels));
        graph.Output.Add(Output(SquaresName(i), TensorElementTypes.Float, view.Channels));

        graph.Initializer.Add(Int64Tensor(name + "zero", Array.Empty<long>(), 0));
        graph.Node.Add(Node("Shape", name + "shape_of", new[] { rows }, name + "rows_shape"));
        var count = applied is null ? CountName(i) : name + "all_rows";
        graph.Node.Add(Node("Gather", name + "row_count", new[] { name + "rows_shape", name + "zero" }, count, IntAttribute("axis", 0)));
        if (applied is not null) PaddingMask.AddTokenCount(graph, name, applied, count, CountName(i));
        graph.Output.Add(Output(CountName(i), (int)global::Onnx.TensorProto.Types.DataType.Int64));
    }

    private static global::Onnx.NodeProto Reduce(string op, global::Onnx.GraphProto graph, string name, string rows, string output, bool axesAsInput)
    {
        if (!axesAsInput) return Node(op, name, new[] { rows }, output, IntsAttribute("axes", 0), IntAttribute("keepdims", 0));
        graph.Initializer.Add(Int64Tensor(name + "_axes", new long[] { 1 }, 0));
        return Node(op, name, new[] { rows, name + "_axes" }, output, IntAttribute("keepdims", 0));
    }

    private static double[] Add(double[]? sums, OrtValue batch)
    {
        var values = batch.GetTensorDataAsSpan<float>();
        sums ??= new double[values.Length];
        for (var c = 0; c < values.Length; c++) sums[c] += values[c];
        return sums;
    }

    private static string SumName(int i) => $"{Prefix}{i}_sum_out";

    private static string SquaresName(int i) => $"{Prefix}{i}_squares_out";

    private static string CountName(int i) => $"{Prefix}{i}_count_out";
}
