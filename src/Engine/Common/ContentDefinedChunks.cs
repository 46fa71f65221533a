using System.Buffers;

namespace ModelPrune.Engine.Common;

/// <summary>
/// Splits a file where its content says (a gear rolling hash, as FastCDC and backup tools do), not at fixed offsets:
/// two files that share a run of bytes at different positions (a pruned model whose header grew by a few bytes) are
/// cut alike inside that run, so the shared chunks are byte-identical. Chunks are 256 KiB to 4 MiB, about 1 MiB
/// on average; the cut points depend on the bytes alone, so the same file always gives the same chunks.
/// </summary>
internal static class ContentDefinedChunks
{
    public const int MinBytes = 256 << 10;
    public const int MaxBytes = 4 << 20;

    // 20 bits: a cut about every 2^20 bytes past the minimum.
    private const ulong CutMask = (1UL << 20) - 1;

    private static readonly ulong[] Gear = CreateGear();

    /// <summary>(offset, length) of each chunk of <paramref name="path"/>, in order, covering the whole file.</summary>
    public static IReadOnlyList<(long Offset, int Length)> Find(string path)
    {
        var chunks = new List<(long, int)>();
        using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long start = 0;
            long position = 0;
            ulong hash = 0;
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    hash = (hash << 1) + Gear[buffer[i]];
                    var length = position + i + 1 - start;
                    if ((length >= MinBytes && (hash & CutMask) == 0) || length >= MaxBytes)
                    {
                        chunks.Add((start, (int)length));
                        start += length;
                        hash = 0;
                    }
                }

                position += read;
            }

            if (position > start) chunks.Add((start, (int)(position - start)));
            return chunks;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>256 fixed pseudo-random words (SplitMix64 from a fixed seed): the cut points must never change.</summary>
    private static ulong[] CreateGear()
    {
        var gear = new ulong[256];
        var state = 0x4D6F64656C507275UL;
        for (var i = 0; i < gear.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            gear[i] = z ^ (z >> 31);
        }

        return gear;
    }
}
