using System.Collections;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Orders layers for sequential calibration: a layer's round is one more than the latest round of any
/// selected layer upstream of its input, so each round's inputs already reflect every pruned layer before
/// it, and layers that read the same activation (query, key, value) share a round and a pass.
/// </summary>
internal static class LayerRounds
{
    private const string MainGraphPath = "main";

    /// <returns>The weights grouped by round, earliest first, each round in the order given. Weights whose input
    /// cannot be located go to the first round, where the collector reports them as skipped.</returns>
    public static IReadOnlyList<IReadOnlyList<PrunableWeight>> Plan(global::Onnx.ModelProto model, IReadOnlyList<PrunableWeight> weights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        var graph = model.Graph ?? throw new ArgumentException("the model contains no graph", nameof(model));

        var indexOfNode = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var w = 0; w < weights.Count; w++)
        {
            foreach (var node in weights[w].NodeNames)
            {
                if (!indexOfNode.TryGetValue(node, out var list)) indexOfNode[node] = list = new List<int>();
                list.Add(w);
            }
        }

        // ONNX keeps nodes in topological order, so one forward sweep gives every value the set of selected
        // weights it depends on.
        var upstream = new Dictionary<string, BitArray>(StringComparer.Ordinal);
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var depends = new BitArray(weights.Count);
            foreach (var input in node.Input)
            {
                if (upstream.TryGetValue(input, out var inputDepends)) depends.Or(inputDepends);
            }

            var name = string.IsNullOrEmpty(node.Name) ? $"{node.OpType}@{MainGraphPath}/{index}" : node.Name;
            if (indexOfNode.TryGetValue(name, out var consumed))
            {
                foreach (var w in consumed) depends[w] = true;
            }

            foreach (var output in node.Output) upstream[output] = depends;
        }

        var activationOf = LayerInputLocator.Locate(model, weights).Supported.ToDictionary(l => l.WeightName, l => l.ActivationName, StringComparer.Ordinal);
        var round = new int[weights.Count];
        var order = Enumerable.Range(0, weights.Count)
            .Select(w => (Weight: w, Depends: activationOf.TryGetValue(weights[w].Name, out var activation) && upstream.TryGetValue(activation, out var set) ? set : null))
            .ToArray();

        // Rounds follow the dependency depth; weights are visited in graph order of their inputs' depth until stable.
        bool changed;
        do
        {
            changed = false;
            foreach (var (w, depends) in order)
            {
                if (depends is null) continue;
                var latest = -1;
                for (var other = 0; other < weights.Count; other++)
                {
                    if (other != w && depends[other]) latest = Math.Max(latest, round[other]);
                }

                if (latest + 1 > round[w])
                {
                    round[w] = latest + 1;
                    changed = true;
                }
            }
        }
        while (changed);

        return Enumerable.Range(0, weights.Count)
            .GroupBy(w => round[w])
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<PrunableWeight>)g.Select(w => weights[w]).ToArray())
            .ToArray();
    }

    /// <summary>
    /// The weights some node reads before their own round is pruned, on the way to an activation of that round or an
    /// earlier one: a weight shared with an earlier op, such as an embedding table that a Gemm with transB=1 also uses as
    /// the output projection. Cut into parts (<see cref="LayerStatisticsCollector.CollectInRounds"/>), such a node runs
    /// once, on the dense weight, where running the whole model for every round would feed later rounds what the pruned
    /// weight gives. Empty when the parts measure exactly what the whole model would.
    /// </summary>
    public static IReadOnlyList<string> ReadBeforeTheirRound(global::Onnx.ModelProto model, IReadOnlyList<IReadOnlyList<PrunableWeight>> rounds)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rounds);
        var graph = model.Graph ?? throw new ArgumentException("the model contains no graph", nameof(model));
        var weights = rounds.SelectMany(r => r).ToArray();
        var roundOf = RoundOf(rounds);

        // The earliest round whose activations need each value, swept backwards through the topologically ordered nodes.
        var neededBy = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var layer in LayerInputLocator.Locate(model, weights).Supported)
        {
            var round = roundOf[layer.WeightName];
            neededBy[layer.ActivationName] = Math.Min(neededBy.GetValueOrDefault(layer.ActivationName, int.MaxValue), round);
        }

        var readEarly = new SortedSet<string>(StringComparer.Ordinal);
        for (var index = graph.Node.Count - 1; index >= 0; index--)
        {
            var node = graph.Node[index];
            var nodeNeeded = node.Output.Select(o => neededBy.GetValueOrDefault(o, int.MaxValue)).DefaultIfEmpty(int.MaxValue).Min();
            if (nodeNeeded == int.MaxValue) continue;
            foreach (var input in GraphSlicer.InputsOf(node))
            {
                neededBy[input] = Math.Min(neededBy.GetValueOrDefault(input, int.MaxValue), nodeNeeded);
                if (roundOf.TryGetValue(input, out var weightRound) && nodeNeeded <= weightRound) readEarly.Add(input);
            }
        }

        return readEarly.ToArray();
    }

    /// <summary>Each weight's name → the index of its round.</summary>
    public static Dictionary<string, int> RoundOf(IReadOnlyList<IReadOnlyList<PrunableWeight>> rounds) =>
        rounds.SelectMany((round, index) => round.Select(w => (w.Name, Index: index))).ToDictionary(p => p.Name, p => p.Index, StringComparer.Ordinal);
}
