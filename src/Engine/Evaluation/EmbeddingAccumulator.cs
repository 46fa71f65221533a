namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Collects one vector per item, batch by batch, for <see cref="EmbeddingMetrics"/>: [items, sequence, hidden]
/// outputs are mean-pooled per item as each batch arrives (<see cref="MeanPooling"/>), other shapes give each
/// item's values as they are. Nearest neighbours and percentiles need every item, but an item's vector is small,
/// so these are kept while the batches' outputs are not.
/// </summary>
internal sealed class EmbeddingAccumulator
{
    private readonly bool _pooled;
    private readonly int _sequence;
    private readonly int _width;
    private readonly CapturedOutput? _mask;
    private readonly List<double> _before = new();
    private readonly List<double> _after = new();
    private int _items;

    /// <param name="shape">The output's shape over all batches.</param>
    /// <param name="elements">The output's number of values over all batches.</param>
    /// <param name="mask">The padding mask as fed, all batches joined, or null.</param>
    public EmbeddingAccumulator(long[] shape, long elements, CapturedOutput? mask)
    {
        var items = checked((int)shape[0]);
        if (shape.Length == 3)
        {
            _pooled = true;
            _sequence = checked((int)shape[1]);
            _width = checked((int)shape[2]);
            _mask = mask is not null && mask.Shape.Length == 2 && mask.Shape[0] == items && mask.Shape[1] == _sequence ? mask : null;
            Pooling = _mask is null ? "mean over all positions" : $"mean over the positions where '{_mask.Name}' is non-zero";
        }
        else
        {
            _width = items == 0 ? 1 : checked((int)(elements / items));
            Pooling = "each item's vector";
        }
    }

    /// <summary>How items became vectors, in words for the report.</summary>
    public string Pooling { get; }

    /// <summary>Adds one batch of both models' values; its items follow those of the batches before.</summary>
    public void Add(CapturedOutput original, CapturedOutput pruned)
    {
        if (!_pooled)
        {
            _before.AddRange(original.Values);
            _after.AddRange(pruned.Values);
            return;
        }

        var items = checked((int)original.Shape[0]);
        // The mask rows of this batch's items: the joined mask lists the batches' samples in the same order.
        var mask = _mask is null ? ReadOnlySpan<double>.Empty : _mask.Values.AsSpan(_items * _sequence, items * _sequence);
        _before.AddRange(MeanPooling.Pool(original.Values, items, _sequence, _width, mask));
        _after.AddRange(MeanPooling.Pool(pruned.Values, items, _sequence, _width, mask));
        _items += items;
    }

    public EmbeddingResult Result() =>
        EmbeddingMetrics.Compute(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_before), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_after), Math.Max(1, _width));
}
