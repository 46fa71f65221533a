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
}
