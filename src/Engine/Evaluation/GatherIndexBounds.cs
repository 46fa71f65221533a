using Onnx;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Finds graph inputs used directly as Gather indices (token ids into an embedding table) and the size of
/// the gathered axis, so synthetic ids stay in range: ORT rejects an out-of-range index at run time.
/// </summary>
internal static class GatherIndexBounds
{
    /// <summary>Input name → exclusive upper bound (the smallest table if an input indexes several).</summary>
    public static IReadOnlyDictionary<string, long> Read(string modelPath)
    {
        // Parsed in its own method and returned as a small dictionary so the proto, initializer bytes
        // included, is garbage before ORT loads its own copy of the model.
        ModelProto model;
        using (var stream = File.OpenRead(modelPath))
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }

        return Find(model.Graph);
    }

    /// <summary>From a model already in memory: the pipeline has one, and a second parse would double the peak.</summary>
    public static Dictionary<string, long> Find(GraphProto? graph)
    {
        var bounds = new Dictionary<string, long>(StringComparer.Ordinal);
        if (graph is null)
        {
            return bounds;
        }

        var inputs = new HashSet<string>(graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        var tableShapes = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            tableShapes[initializer.Name] = initializer.Dims.ToArray();
        }

        foreach (var node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1)
            {
                var value = node.Attribute.FirstOrDefault(a => a.Name == "value" && a.T is not null);
                if (value is not null)
                {
                    tableShapes[node.Output[0]] = value.T.Dims.ToArray();
                }
            }
        }

        foreach (var node in graph.Node)
        {
            if (node.OpType != "Gather" || (node.Domain.Length > 0 && node.Domain != "ai.onnx") || node.Input.Count < 2)
            {
                continue;
            }

            var indices = node.Input[1];
            if (!inputs.Contains(indices) || !tableShapes.TryGetValue(node.Input[0], out var tableShape) || tableShape.Count == 0)
            {
                continue;
            }

            var axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
            if (axis < 0)
            {
                axis += tableShape.Count;
            }

            if (axis < 0 || axis >= tableShape.Count || tableShape[(int)axis] <= 0)
            {
                continue;
            }

            var rows = tableShape[(int)axis];
            bounds[indices] = bounds.TryGetValue(indices, out var existing) ? Math.Min(existing, rows) : rows;
        }

        return bounds;
    }
}
