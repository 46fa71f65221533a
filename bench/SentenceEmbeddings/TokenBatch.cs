namespace SentenceEmbeddings;

/// <summary>
/// MiniLM's three inputs for <see cref="Count"/> sentences, each row padded to <see cref="SequenceLength"/>,
/// flattened in C order ([Count, SequenceLength]) as both ONNX Runtime and .npy want them.
/// </summary>
internal sealed record TokenBatch(int Count, int SequenceLength, long[] InputIds, long[] AttentionMask, long[] TokenTypeIds)
{
    public long[] Shape => new long[] { Count, SequenceLength };

    /// <summary>Real tokens (including [CLS] and [SEP]) of sentence <paramref name="row"/>.</summary>
    public int TokenCount(int row)
    {
        var count = 0;
        foreach (var attended in AttentionMask.AsSpan(row * SequenceLength, SequenceLength)) count += (int)attended;
        return count;
    }

    /// <summary>
    /// The same sentences with the padding columns that no sentence uses cut off: each row padded only to the
    /// longest sentence of the batch, as a batching application would send them.
    /// </summary>
    public TokenBatch PaddedToLongest()
    {
        var longest = Enumerable.Range(0, Count).Max(TokenCount);
        long[] Cut(long[] values) => Enumerable.Range(0, Count)
            .SelectMany(row => values.Skip(row * SequenceLength).Take(longest))
            .ToArray();
        return new TokenBatch(Count, longest, Cut(InputIds), Cut(AttentionMask), Cut(TokenTypeIds));
    }
}
