namespace ModelPrune.Engine.Pruning;

/// <summary>
/// Which entries of a row of importance scores are pruned, for every method that ranks weights one by one:
/// magnitude (|w|, also through <see cref="MagnitudeSelection"/>'s histograms), N:M magnitude, Wanda (|w|·‖x‖) and
/// SparseGPT's N:M groups (w² / Hinv²). Scores are compared through <see cref="Key"/>, and ties go to the lower
/// index, so every method ranks equal scores the same way.
/// <para>
/// NaN rule: a NaN score ranks above +∞, so it is the last to be pruned. That is what torch's sort and topk do,
/// which the Wanda and SparseGPT references use, and what magnitude and Wanda pruning always did here; a NaN
/// weight is a fault in the model, and keeping it leaves it visible instead of hiding it behind a zero.
/// </para>
/// </summary>
internal static class RowSelection
{
    /// <summary>
    /// A score's bits without the sign: for scores ≥ 0 (and for |w|, whose sign does not matter) this orders like the
    /// value, with NaN above +∞ (<see cref="RowSelection"/>'s NaN rule).
    /// </summary>
    public static uint Key(float score) => BitConverter.SingleToUInt32Bits(score) & 0x7FFF_FFFFu;

    /// <summary>
    /// Marks the <paramref name="k"/> smallest scores of a row, ties to the lower index. With the column index in
    /// the low half of each key every key is distinct, so "ties to the lower index" needs no special case. A
    /// quickselect over these keys finds the k-th in linear expected time; histogram selection costs more on rows
    /// of a few hundred. <paramref name="keys"/> is scratch space of the row's length.
    /// </summary>
    public static void MarkSmallest(ReadOnlySpan<float> scores, int k, Span<ulong> keys, Span<bool> pruned)
    {
        if (k <= 0)
        {
            pruned.Clear();
            return;
        }

        if (k >= scores.Length)
        {
            pruned.Fill(true);
            return;
        }

        for (var j = 0; j < scores.Length; j++) keys[j] = IndexedKey(scores[j], j);
        var kth = KthSmallest(keys[..scores.Length], k - 1);
        for (var j = 0; j < scores.Length; j++) pruned[j] = IndexedKey(scores[j], j) <= kth;
    }

    /// <summary>
    /// In every group of <paramref name="m"/> consecutive scores, marks the <paramref name="n"/> smallest (ties:
    /// lower index first). An entry's rank in its group is the number of entries that come before it in that
    /// order; counting them for every pair has no data-dependent branch, which matters when M is 4 and groups
    /// are millions.
    /// </summary>
    public static void MarkSmallestPerGroup(ReadOnlySpan<float> scores, int n, int m, Span<bool> pruned)
    {
        for (var g = 0; g < scores.Length; g += m)
        {
            for (var t = g; t < g + m; t++)
            {
                var key = Key(scores[t]);
                var rank = 0;
                for (var u = g; u < t; u++) rank += Key(scores[u]) <= key ? 1 : 0;
                for (var u = t + 1; u < g + m; u++) rank += Key(scores[u]) < key ? 1 : 0;
                pruned[t] = rank < n;
            }
        }
    }

    private static ulong IndexedKey(float score, int index) => ((ulong)Key(score) << 32) | (uint)index;

    /// <summary>The element of rank <paramref name="rank"/> (0-based) of distinct keys; reorders them.</summary>
    private static ulong KthSmallest(Span<ulong> keys, int rank)
    {
        int left = 0, right = keys.Length - 1;
        while (left < right)
        {
            // Median of three keeps sorted and reverse-sorted rows linear.
            var middle = left + ((right - left) >> 1);
            if (keys[middle] < keys[left]) (keys[middle], keys[left]) = (keys[left], keys[middle]);
            if (keys[right] < keys[left]) (keys[right], keys[left]) = (keys[left], keys[right]);
            if (keys[right] < keys[middle]) (keys[right], keys[middle]) = (keys[middle], keys[right]);
            var pivot = keys[middle];
            int i = left, j = right;
            while (i <= j)
            {
                while (keys[i] < pivot) i++;
                while (keys[j] > pivot) j--;
                if (i <= j)
                {
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                    i++;
                    j--;
                }
            }

            if (rank <= j) right = j;
            else if (rank >= i) left = i;
            else return keys[rank];
        }

        return keys[rank];
    }
}
