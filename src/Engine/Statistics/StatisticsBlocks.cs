namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Groups the layers to measure into blocks whose running sums fit a memory budget, in the order their inputs are
/// computed, so that a model's layers are measured and pruned block after block (for a transformer about one block of
/// it at a time) instead of holding every layer's XᵀX at once. Layers reading the same activation share their sums
/// and always share a block.
/// </summary>
internal static class StatisticsBlocks
{
    /// <summary>The budget below which cutting a model into parts saves too little to be worth a session per part.</summary>
    public const long MinimumBudgetBytes = 64L << 20;

    /// <summary>
    /// Up to this many bytes of sums a search keeps one pass's statistics for all its probes (MiniLM: 0.5 GB) rather
    /// than measure block by block in every probe.
    /// </summary>
    public const long SearchMemoLimitBytes = 2L << 30;

    /// <summary>
    /// The sums' budget for a model whose weights take <paramref name="weightBytes"/>: a quarter of them, at least
    /// <see cref="MinimumBudgetBytes"/>. A transformer's block holds about 1/layers of its weights and its XᵀX sums are
    /// of the same order, so a quarter keeps a few blocks together on small models and one on large ones.
    /// </summary>
    public static long BudgetFor(long weightBytes) => Math.Max(MinimumBudgetBytes, weightBytes / 4);

    /// <summary>The bytes of the double-precision sums one activation needs: Σx², and XᵀX when <paramref name="gram"/>.</summary>
    public static long SumBytes(LayerInput layer, bool gram) =>
        (long)layer.Groups * layer.Features * (gram ? layer.Features + 1L : 1L) * sizeof(double);

    /// <param name="copies">How many sets of sums are alive together: 2 when held-out samples are measured beside the fitted ones.</param>
    public static IReadOnlyList<IReadOnlyList<StatisticsRequest>> Plan(global::Onnx.ModelProto model, IReadOnlyList<StatisticsRequest> requests,
        int copies, long budgetBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requests);
        var graph = model.Graph ?? throw new ArgumentException("the model contains no graph", nameof(model));
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var index = 0; index < graph.Node.Count; index++)
        {
            foreach (var output in graph.Node[index].Output) producer[output] = index;
        }

        var activations = requests
            .GroupBy(r => r.Layer.ViewKey, StringComparer.Ordinal)
            .Select(g => (Requests: g.ToArray(), Position: producer.GetValueOrDefault(g.First().Layer.ActivationName, -1),
                Bytes: copies * SumBytes(g.First().Layer, g.Any(r => r.Gram))))
            .OrderBy(a => a.Position)
            .ToArray();

        var blocks = new List<IReadOnlyList<StatisticsRequest>>();
        var block = new List<StatisticsRequest>();
        long bytes = 0;
        foreach (var activation in activations)
        {
            if (block.Count > 0 && bytes + activation.Bytes > budgetBytes)
            {
                blocks.Add(block);
                block = new List<StatisticsRequest>();
                bytes = 0;
            }

            block.AddRange(activation.Requests);
            bytes += activation.Bytes;
        }

        if (block.Count > 0) blocks.Add(block);
        return blocks;
    }
}
