using System.Globalization;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Reporting;
using ModelPrune.Engine.Statistics;
using ModelPrune.Engine.Structured;
using ModelPrune.Engine.Structured.Scoring;
using Onnx;

namespace ModelPrune.Engine.Pipeline;

/// <summary>
/// Structured pruning: read every tensor's shape (<see cref="ShapeProbe"/>), find the groups of units that can be
/// removed (<see cref="UnitGroupFinder"/>), score them with the chosen method, choose which go
/// (<see cref="UnitAllocation"/>), and rewrite the graph (<see cref="StructuredSurgery"/>). The result is a smaller
/// dense model with the same inputs and outputs; every group left alone is reported with its reason.
/// </summary>
internal static class StructuredPruningStage
{
    public static PruningResult Apply(OnnxModel model, PruneSettings settings, CalibrationSplit? calibration, DiagnosticLog log, string file) =>
        Apply(model, settings, calibration, log, file, compensateBias: true);

    /// <param name="compensateBias">False only in tests, to show what FLAP's bias compensation buys.</param>
    internal static PruningResult Apply(OnnxModel model, PruneSettings settings, CalibrationSplit? calibration, DiagnosticLog log, string file,
        bool compensateBias)
    {
        var proto = model.Proto;
        var weights = PrunableWeightFinder.Find(proto);
        var shapesBefore = weights.ToDictionary(w => w, w => w.Tensor.Dims.ToArray());
        var device = ExecutionDeviceResolver.Shared.Resolve(settings.Device, file);
        var signature = ModelInputSignature.FromModel(proto);
        var batchSize = ModelBatchSize.ForCalibration(signature);
        // Shapes need one sample (or the batch size the model fixes); more only costs memory.
        var probeBatch = ModelBatchSize.Fixed(signature) is { } fixedBatch ? (int)fixedBatch : 1;
        var sample = calibration?.Fit.Batches(probeBatch).FirstOrDefault();
        var shapes = ShapeProbe.Run(proto, sample, settings.Seed, settings.Dimensions, device, file);
        var groups = UnitGroupFinder.Find(proto, shapes);
        var index = new GraphIndex(proto.Graph);
        var selector = LayerSelector.Create(settings.Include, settings.Exclude, file);
        var nodeNames = weights.ToDictionary(w => w.Name, w => w.NodeNames, StringComparer.Ordinal);

        var status = groups.Select(g => Decide(g, settings, selector, index, nodeNames)).ToArray();
        // Every weight is offered to the selector, so a pattern that names a layer of a skipped group is not reported as unmatched.
        foreach (var weight in weights) selector.IsSelected(weight.Name, weight.NodeNames);
        foreach (var (setting, pattern) in selector.Unmatched())
        {
            log.Warn(DiagnosticCodes.SelectorMatchedNothing, file,
                $"{setting} pattern '{pattern}' matches no prunable layer. Run `modelprune inspect --units` to list the layers and unit groups.");
        }

        var eligible = groups.Where((g, i) => status[i].Status == LayerStatus.Pruned).ToArray();
        var statistics = settings.Method == PruningMethod.Flap && eligible.Length > 0
            ? CollectStatistics(proto, eligible, shapes, calibration!.Fit, batchSize, device, file)
            : null;

        var inputs = eligible.Select(g => ScoreInput(g, index, statistics)).ToArray();
        var scores = inputs.Select(input => settings.Method switch
        {
            PruningMethod.Flap => FlapScores.Score(input),
            PruningMethod.Maw => MawScores.Score(input),
            _ => MagnitudeL2Scores.Score(input),
        }).ToArray();
        var parameters = eligible.Select(g => OwnedParameters(g, index)).ToArray();
        var before = ParameterCounts(eligible, index);
        var removed = UnitAllocation.Removed(scores, RemovedParameters(eligible, index), MagnitudeSelection.CountFor(before.Values.Sum(), settings.Sparsity),
            settings.Allocation, settings.MinUnitsPerLayer, settings.UnitMultiple, settings.MaxLayerSparsity);

        var plans = eligible.Select((g, i) => (Group: g, Removed: removed[i])).Where(p => p.Removed.Length > 0).ToArray();
        var shifts = statistics is null || !compensateBias ? Array.Empty<(UnitGroup, UnitConsumer, double[])>() : BiasShifts(plans, index, statistics);
        StructuredSurgery.Apply(proto, plans, shifts);
        var after = new GraphIndex(proto.Graph);

        WarnAboutFilterBlocks(plans, settings, log, file);
        if (plans.Length == 0)
        {
            log.Warn(DiagnosticCodes.NoStructuredUnits, file, eligible.Length == 0
                ? $"Structure=\"{settings.StructureName}\" found no group of units it can prove safe to remove; the output is an unchanged copy. The report's structured.groups says why each group was left alone."
                : $"Sparsity {settings.Sparsity.ToString("0.###", CultureInfo.InvariantCulture)} with MinUnitsPerLayer={settings.MinUnitsPerLayer} and UnitMultiple={settings.UnitMultiple} removes no unit; the output is an unchanged copy.");
        }

        var groupReports = groups.Select((g, i) =>
        {
            var e = Array.IndexOf(eligible, g);
            var plan = e >= 0 ? removed[e] : Array.Empty<int>();
            var owned = e >= 0 ? parameters[e] : OwnedParameters(g, index);
            var removedParameters = e >= 0 ? owned - OwnedParameters(g, after) : 0;
            return new UnitGroupReport(g.Index, UnitStructureNames.ToName(g.Kind), LayerStatusNames.ToName(status[i].Status), status[i].Reason,
                g.Units, g.Units - plan.Length, UnitWidth(g, shapes), owned, removedParameters,
                WeightNames(g, index, SliceRole.ProducerWeight), WeightNames(g, index, SliceRole.ConsumerWeight),
                statistics is not null && compensateBias && plan.Length > 0 ? true : null,
                e >= 0 ? plan : null);
        }).ToArray();

        var prunable = before.Values.Sum();
        var remaining = before.Keys.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        var structured = new StructuredReport(settings.StructureName!, settings.Allocation.ToString().ToLowerInvariant(), settings.MinUnitsPerLayer,
            settings.UnitMultiple, prunable, prunable - remaining, prunable == 0 ? 0 : MetricRounding.Round6((double)(prunable - remaining) / prunable), groupReports);
        var layers = weights.Select(w => LayerReportOf(w, shapesBefore[w], groups, status, index)).ToArray();
        return new PruningResult(layers, structured);
    }

    /// <summary>
    /// Convolution kernels are fastest at channel counts in multiples of their block (ONNX Runtime's NCHWc on the CPU:
    /// 8 with AVX2, 16 with AVX-512; tensor cores: 8): a CNN pruned to 25 and 56 filters ran at 0.75× of the dense one,
    /// at 32 and 48 at 1.23×. Said once, when UnitMultiple was left at 1.
    /// </summary>
    private static void WarnAboutFilterBlocks(IReadOnlyList<(UnitGroup Group, int[] Removed)> plans, PruneSettings settings, DiagnosticLog log, string file)
    {
        if (settings.UnitMultiple != 1) return;
        var odd = plans.Where(p => p.Group.Kind == UnitStructure.Filters && (p.Group.Units - p.Removed.Length) % FilterBlock != 0)
            .Select(p => (p.Group.Units - p.Removed.Length).ToString(CultureInfo.InvariantCulture)).ToArray();
        if (odd.Length == 0) return;
        log.Warn(DiagnosticCodes.FilterCountOffBlock, file,
            $"Structured pruning kept {string.Join(", ", odd)} filters in some layers, not multiples of {FilterBlock}: ONNX Runtime's fastest convolution kernels need multiples of 8 (AVX2, GPUs) or 16 (AVX-512) channels, so the pruned model can run slower than the dense one. Set UnitMultiple=\"8\" or \"16\" and compare the latency in .prune.run.json.");
    }

    private const int FilterBlock = 8;

    /// <summary>Channels per unit where the units are read: a head's width for heads, 1 for neurons and filters.</summary>
    private static int UnitWidth(UnitGroup group, IReadOnlyDictionary<string, long[]> shapes) =>
        group.Units == 0 || group.Consumers.Count == 0 ? 1
            : (int)(group.Consumers[0].Units.RepeatLength(shapes[group.Consumers[0].Activation][group.Consumers[0].Units.Axis]) / group.Units);

    private static (LayerStatus Status, string? Reason) Decide(UnitGroup group, PruneSettings settings, LayerSelector selector, GraphIndex index,
        IReadOnlyDictionary<string, IReadOnlyList<string>> nodeNames)
    {
        if (group.Failed) return (LayerStatus.Skipped, group.Failure);
        if (settings.Structure != UnitStructure.Auto && settings.Structure != group.Kind)
        {
            return (LayerStatus.Excluded, $"Structure=\"{settings.StructureName}\" leaves {UnitStructureNames.ToName(group.Kind)} alone");
        }

        var unselected = OwnedWeights(group, index).FirstOrDefault(name => !selector.IsSelected(name, nodeNames.GetValueOrDefault(name) ?? Array.Empty<string>()));
        return unselected is null
            ? (LayerStatus.Pruned, null)
            : (LayerStatus.Excluded, $"its weight '{unselected}' is not selected by IncludeLayers/ExcludeLayers, and the group's weights are pruned together or not at all");
    }

    private static bool IsWeight(SliceRole role) => role is SliceRole.ProducerWeight or SliceRole.ConsumerWeight or SliceRole.DepthwiseWeight;

    private static IEnumerable<string> OwnedWeights(UnitGroup group, GraphIndex index) =>
        group.Slices.Where(s => IsWeight(s.Role)).Select(s => index.ConstantName(s.ValueName) ?? s.ValueName).Distinct();

    private static IReadOnlyList<string> WeightNames(UnitGroup group, GraphIndex index, SliceRole role) =>
        group.Slices.Where(s => s.Role == role).Select(s => index.ConstantName(s.ValueName) ?? s.ValueName).Distinct().ToArray();

    /// <summary>Elements of every float constant the group cuts, each tensor once.</summary>
    private static long OwnedParameters(UnitGroup group, GraphIndex index) =>
        OwnedTensors(group, index).Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));

    private static IEnumerable<TensorProto> OwnedTensors(UnitGroup group, GraphIndex index) =>
        group.Slices.Select(s => index.Constant(s.ValueName)!).Where(t => TensorElementTypes.IsFloatingPoint(t.DataType))
            .Distinct(ReferenceEqualityComparer.Instance).Cast<TensorProto>();

    /// <summary>Every float constant of the pruned groups with its element count before the surgery; tensors two groups share count once.</summary>
    private static Dictionary<TensorProto, long> ParameterCounts(IEnumerable<UnitGroup> groups, GraphIndex index)
    {
        var counts = new Dictionary<TensorProto, long>(ReferenceEqualityComparer.Instance);
        foreach (var tensor in groups.SelectMany(g => OwnedTensors(g, index))) counts.TryAdd(tensor, tensor.Dims.Aggregate(1L, (a, b) => a * b));
        return counts;
    }

    /// <summary>
    /// The parameters removed when each group loses so many units: every tensor keeps the product of the kept fractions
    /// of the groups that cut it (a Conv between two pruned groups loses input and output channels).
    /// </summary>
    private static Func<IReadOnlyList<int>, long> RemovedParameters(IReadOnlyList<UnitGroup> groups, GraphIndex index)
    {
        var cuts = new Dictionary<TensorProto, (long Elements, List<int> Groups)>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var tensor in OwnedTensors(groups[g], index))
            {
                if (!cuts.TryGetValue(tensor, out var cut)) cuts[tensor] = cut = (tensor.Dims.Aggregate(1L, (a, b) => a * b), new List<int>());
                cut.Groups.Add(g);
            }
        }

        var units = groups.Select(g => (double)g.Units).ToArray();
        return counts => cuts.Values.Sum(cut =>
            cut.Elements - (long)Math.Round(cut.Groups.Aggregate((double)cut.Elements, (kept, g) => kept * (units[g] - counts[g]) / units[g])));
    }

    private static UnitScoreInput ScoreInput(UnitGroup group, GraphIndex index, IReadOnlyDictionary<string, ChannelStatistics>? statistics) =>
        new((int)group.Units,
            group.Slices.Where(s => IsWeight(s.Role)).Select(s => (index.Constant(s.ValueName)!, s.Units)).ToArray(),
            statistics is null
                ? Array.Empty<(TensorProto, int, ChannelStatistics, UnitAxis)>()
                : group.Consumers.Select(c => (index.Constant(c.Weight.ValueName)!, c.WeightInputAxis, statistics[c.Activation], c.Units)).ToArray());

    private static IReadOnlyDictionary<string, ChannelStatistics> CollectStatistics(ModelProto model, IReadOnlyList<UnitGroup> groups,
        IReadOnlyDictionary<string, long[]> shapes, CalibrationSet fit, int batchSize, ExecutionDevice device, string file)
    {
        var activations = new Dictionary<string, (int Rank, int Axis, int Channels)>(StringComparer.Ordinal);
        foreach (var consumer in groups.SelectMany(g => g.Consumers))
        {
            var shape = shapes[consumer.Activation];
            activations.TryAdd(consumer.Activation, (shape.Length, consumer.Units.Axis, (int)shape[consumer.Units.Axis]));
        }

        return ChannelStatisticsCollector.Collect(model, activations, fit.OrtBatches(batchSize), device, file);
    }

    /// <summary>FLAP's bias compensation per consumer of a pruned group, on the dense weights.</summary>
    private static (UnitGroup, UnitConsumer, double[])[] BiasShifts(IReadOnlyList<(UnitGroup Group, int[] Removed)> plans, GraphIndex index,
        IReadOnlyDictionary<string, ChannelStatistics> statistics)
    {
        var shifts = new List<(UnitGroup, UnitConsumer, double[])>();
        foreach (var (group, removed) in plans)
        {
            foreach (var consumer in group.Consumers)
            {
                var X = statistics[consumer.Activation];
                var channels = consumer.Units.Indices(removed, group.Units, X.Sum.Length);
                var W = index.Constant(consumer.Weight.ValueName)!;
                var values = new WeightTensor(W.Name, W).ReadValues();
                var outputAxis = consumer.Node.OpType == "Conv" ? 0 : 1 - consumer.WeightInputAxis;
                var delta = FlapScores.BiasShift(values, W.Dims, outputAxis, consumer.WeightInputAxis, channels, X);
                if (consumer.Node.OpType == "ConvTranspose")
                {
                    // Each output position of a strided ConvTranspose receives about 1/∏stride of the kernel's taps.
                    var stride = consumer.Node.Attribute.FirstOrDefault(a => a.Name == "strides")?.Ints.Aggregate(1L, (a, b) => a * b) ?? 1;
                    for (var o = 0; o < delta.Length; o++) delta[o] /= stride;
                }

                shifts.Add((group, consumer, delta));
            }
        }

        return shifts.ToArray();
    }

    private static LayerReport LayerReportOf(PrunableWeight weight, long[] shapeBefore, IReadOnlyList<UnitGroup> groups,
        (LayerStatus Status, string? Reason)[] status, GraphIndex index)
    {
        var owning = groups.Select((g, i) => (Group: g, Decision: status[i]))
            .Where(p => p.Group.Slices.Any(s => IsWeight(s.Role) && index.ConstantName(s.ValueName) == weight.Name))
            .Select(p => p.Decision)
            .ToArray();
        var (layerStatus, reason) = owning.Length == 0
            ? (LayerStatus.Skipped, $"structured pruning finds no units in this {weight.OpType} weight ({weight.Location})")
            : owning.FirstOrDefault(d => d.Status == LayerStatus.Pruned, owning[0]);

        var parameters = shapeBefore.Aggregate(1L, (a, b) => a * b);
        var after = weight.Tensor.Proto.Dims.ToArray();
        var remaining = after.Aggregate(1L, (a, b) => a * b);
        var zeros = weight.Tensor.IsFloatingPoint ? FloatSpans.CountZeros(new WeightTensor(weight.Name, weight.Tensor.Proto).ReadValues()) : 0;
        return new LayerReport(weight.Name, weight.OpType, weight.NodeNames, shapeBefore, weight.InputAxis, parameters, zeros,
            parameters == 0 ? 0 : (double)(zeros + parameters - remaining) / parameters, LayerStatusNames.ToName(layerStatus), reason,
            ShapeAfter: after, Removed: parameters - remaining);
    }
}
