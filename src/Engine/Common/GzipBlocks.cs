using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace ModelPrune.Engine.Common;

/// <summary>
/// A file's gzip size measured as a multi-member gzip file of independent blocks of about 1 MiB (a valid .gz, as
/// parallel gzip tools write; within a few hundredths of a percent of one stream on a 90 MB model): the blocks
/// compress on every core at once, and a block whose bytes another measured file already had (unstructured pruning
/// leaves embeddings, biases and every unselected layer as they were, byte for byte) takes that block's size without
/// compressing it again. Blocks are cut where the content says (<see cref="ContentDefinedChunks"/>), so a shift of the
/// bytes (a header a few bytes longer) does not misalign them. Deterministic: the cuts depend on the bytes alone,
/// and each block is compressed alone (<see cref="GzipSize"/>, Optimal).
/// </summary>
internal sealed class GzipBlocks
{
    private readonly Dictionary<UInt128, long> _sizeByContent;

    private GzipBlocks(Dictionary<UInt128, long> sizeByContent, long total, long reusedBytes = 0)
    {
        _sizeByContent = sizeByContent;
        Total = total;
        ReusedBytes = reusedBytes;
    }

    /// <summary>The size of the whole multi-member gzip file.</summary>
    public long Total { get; }

    /// <summary>How many of the file's bytes lay in blocks whose size came from the known file, not compressed again.</summary>
    public long ReusedBytes { get; }

    /// <summary>Measures <paramref name="path"/>, reusing the sizes of blocks <paramref name="known"/> already compressed.</summary>
    public static GzipBlocks Measure(string path, GzipBlocks? known = null)
    {
        var chunks = ContentDefinedChunks.Find(path);
        var blocks = chunks.Count;
        if (blocks == 0) return new GzipBlocks(new Dictionary<UInt128, long>(), GzipSize.Of(_ => { }));

        var hashes = new UInt128[blocks];
        var sizes = new long[blocks];
        var reused = new bool[blocks];
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
        {
            var (offset, count) = chunks[b];
            var buffer = ArrayPool<byte>.Shared.Rent(count);
            try
            {
                using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
                source.Position = offset;
                source.ReadExactly(buffer, 0, count);
                hashes[b] = XxHash128.HashToUInt128(buffer.AsSpan(0, count));
                long size = 0;
                reused[b] = known is not null && known._sizeByContent.TryGetValue(hashes[b], out size);
                sizes[b] = reused[b] ? size : GzipSize.Of(stream => stream.Write(buffer, 0, count));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });

        var sizeByContent = new Dictionary<UInt128, long>();
        for (var b = 0; b < blocks; b++) sizeByContent[hashes[b]] = sizes[b];
        return new GzipBlocks(sizeByContent, sizes.Sum(), Enumerable.Range(0, blocks).Where(b => reused[b]).Sum(b => (long)chunks[b].Length));
    }

    /// <summary>A written model's gzip size: its .onnx file and, when it has one, its data file.</summary>
    public static long MeasureModel(string modelPath, string? dataPath, GzipBlocks? known = null) =>
        Measure(modelPath, known).Total + (dataPath is null ? 0 : Measure(dataPath, known).Total);

    /// <summary>
    /// Files that together make one model (the .onnx file and its external data files): the sum of their sizes, and
    /// every block of each known to a later measurement.
    /// </summary>
    public static GzipBlocks Combine(IReadOnlyList<GzipBlocks> parts)
    {
        var sizeByContent = new Dictionary<UInt128, long>();
        foreach (var part in parts)
        {
            foreach (var (hash, size) in part._sizeByContent) sizeByContent[hash] = size;
        }

        return new GzipBlocks(sizeByContent, parts.Sum(p => p.Total), parts.Sum(p => p.ReusedBytes));
    }

    /// <summary>
    /// The measurement as text, for keeping it beside a file whose content does not change (the original model): one
    /// line per distinct block (its content hash and size), the total, and a checksum of those lines.
    /// </summary>
    public string Serialize()
    {
        var text = new StringBuilder();
        foreach (var (hash, size) in _sizeByContent.OrderBy(b => b.Key))
        {
            text.Append(CultureInfo.InvariantCulture, $"{hash:x32} {size}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"total={Total}\n");
        // Taken before appending: an interpolated Append writes "check=" into the builder before it evaluates the hole.
        var checksum = Checksum(text.ToString());
        return text.Append("check=").Append(checksum).Append('\n').ToString();
    }

    /// <summary>What <see cref="Serialize"/> wrote, or null when the text is damaged in any way.</summary>
    public static GzipBlocks? Deserialize(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || !lines[^1].StartsWith("check=", StringComparison.Ordinal)) return null;
        var body = text[..(text.LastIndexOf("check=", StringComparison.Ordinal))];
        if (lines[^1]["check=".Length..] != Checksum(body)) return null;
        if (!lines[^2].StartsWith("total=", StringComparison.Ordinal) || !long.TryParse(lines[^2]["total=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var total)) return null;

        var sizes = new Dictionary<UInt128, long>();
        foreach (var line in lines[..^2])
        {
            var parts = line.Split(' ');
            if (parts.Length != 2
                || !UInt128.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                return null;
            }

            sizes[hash] = size;
        }

        return new GzipBlocks(sizes, total);
    }

    private static string Checksum(string text) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text)).ToString("x16", CultureInfo.InvariantCulture);
}
