namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Global magnitude pruning: one threshold t over |W| of all selected layers, so layers with many small
/// weights give up more of them. The per-layer ceiling (MaxLayerSparsity) keeps any layer from collapsing:
/// a layer that would pass it stops there, and t rises until the model-wide target count is met exactly.
///
/// t is found digit by digit from per-layer histograms of magnitude keys (<see cref="MagnitudeKey"/>), so
/// layers are visited one at a time and no copy of the model's weights is held. The caller:
/// <list type="number">
/// <item>while <see cref="Resolved"/> is false: <see cref="Count"/> every layer, then <see cref="Advance"/>;</item>
/// <item>zeroes each layer's smallest <c>LayerCounts()[l]</c> weights (<see cref="MagnitudeSelection.ZeroSmallest"/>).</item>
/// </list>
/// Count calls for different layers may run in parallel.
/// </summary>
internal sealed class GlobalMagnitudePruner
{
    private readonly long[] _ceilings;
    private readonly long _target;
    private readonly int[][] _histograms;
    private readonly long[] _below;
    private uint _prefix;
    private int _level;
    private bool _everythingFits;

    public GlobalMagnitudePruner(IReadOnlyList<long> layerSizes, double sparsity, double maxLayerSparsity)
    {
        _ceilings = layerSizes.Select(n => (long)Math.Floor(n * maxLayerSparsity)).ToArray();
        _target = Math.Min(MagnitudeSelection.CountFor(layerSizes.Sum(), sparsity), _ceilings.Sum());
        _histograms = layerSizes.Select(_ => new int[MagnitudeKey.MaxBuckets]).ToArray();
        _below = new long[layerSizes.Count];
    }

    public bool Resolved => _everythingFits || _level == MagnitudeKey.Levels;

    /// <summary>Prunes layers held in memory; returns the number of weights zeroed per layer.</summary>
    public static long[] Prune(IReadOnlyList<LayerWeights> layers, double sparsity, double maxLayerSparsity)
    {
        var pruner = new GlobalMagnitudePruner(layers.Select(l => (long)l.W.Length).ToArray(), sparsity, maxLayerSparsity);
        while (!pruner.Resolved)
        {
            Parallel.For(0, layers.Count, l => pruner.Count(l, layers[l].W));
            pruner.Advance();
        }

        var counts = pruner.LayerCounts();
        Parallel.For(0, layers.Count, l => MagnitudeSelection.ZeroSmallest(layers[l].W, counts[l]));
        return counts;
    }

    public void Count(int layer, ReadOnlySpan<float> W) =>
        MagnitudeKey.AddDigits(W, _level, _prefix, _histograms[layer].AsSpan(0, MagnitudeKey.Buckets(_level)));

    /// <summary>Fixes the next digit of t: the largest one at which the capped allocation still fits the target.</summary>
    public void Advance()
    {
        var buckets = MagnitudeKey.Buckets(_level);
        var digit = 0;
        for (; digit < buckets; digit++)
        {
            // Allocation if t were the start of digit+1: everything below it, each layer capped.
            long allocated = 0;
            for (var l = 0; l < _below.Length; l++) allocated += Math.Min(_below[l] + _histograms[l][digit], _ceilings[l]);
            if (allocated > _target) break;
            for (var l = 0; l < _below.Length; l++) _below[l] += _histograms[l][digit];
        }

        if (digit == buckets)
        {
            // Only possible when the ceilings bind everywhere: every layer simply stops at its ceiling.
            _everythingFits = true;
            return;
        }

        _prefix = MagnitudeKey.Extend(_prefix, _level, (uint)digit);
        _level++;
        if (_level < MagnitudeKey.Levels)
        {
            foreach (var histogram in _histograms) Array.Clear(histogram);
        }
    }

    /// <summary>How many weights each layer loses: all below t (capped), then weights equal to t in layer order.</summary>
    public long[] LayerCounts()
    {
        if (!Resolved) throw new InvalidOperationException("count and advance until Resolved first");

        var counts = new long[_below.Length];
        long assigned = 0;
        for (var l = 0; l < counts.Length; l++)
        {
            counts[l] = Math.Min(_below[l], _ceilings[l]);
            assigned += counts[l];
        }

        if (_everythingFits) return counts;

        // The last level's histograms still hold, at t's own digit, how many weights equal t.
        var equalDigit = (int)(_prefix & (uint)(MagnitudeKey.Buckets(MagnitudeKey.Levels - 1) - 1));
        var remaining = _target - assigned;
        for (var l = 0; l < counts.Length && remaining > 0; l++)
        {
            var take = Math.Min(Math.Min(_histograms[l][equalDigit], _ceilings[l] - counts[l]), remaining);
            if (take <= 0) continue;
            counts[l] += take;
            remaining -= take;
        }

        return counts;
    }
}
