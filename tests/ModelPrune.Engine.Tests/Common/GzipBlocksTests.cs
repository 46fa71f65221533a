using System.IO.Compression;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Tests.TestSupport;

namespace ModelPrune.Engine.Tests.Common;

/// <summary>
/// The compressed size of a model, measured block by block: what it counts is a real, valid gzip file, the same
/// every time, and a file that shares most of its bytes with one measured before (at shifted offsets, as a pruned
/// model does after its header changed) compresses only what differs and still gets the same total.
/// </summary>
public sealed class GzipBlocksTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_total_is_the_size_of_a_valid_multi_member_gzip_of_the_file()
    {
        var path = Write("model.bin", ModelLikeBytes(9 << 20, seed: 1));

        var measured = GzipBlocks.Measure(path);

        var chunks = ContentDefinedChunks.Find(path);
        Assert.True(chunks.Count > 2, $"{chunks.Count} chunks");
        var bytes = File.ReadAllBytes(path);
        using var gz = new MemoryStream();
        foreach (var (offset, length) in chunks)
        {
            using var member = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true);
            member.Write(bytes, (int)offset, length);
        }

        Assert.Equal(gz.Length, measured.Total);
        gz.Position = 0;
        using var unzipped = new MemoryStream();
        using (var reader = new GZipStream(gz, CompressionMode.Decompress)) reader.CopyTo(unzipped);
        Assert.Equal(bytes, unzipped.ToArray());
        Assert.Equal(measured.Total, GzipBlocks.Measure(path).Total);
    }

    [Fact]
    public void A_file_sharing_shifted_bytes_with_a_measured_one_reuses_their_blocks_and_gets_the_same_total()
    {
        var original = ModelLikeBytes(12 << 20, seed: 2);
        // A pruned model: a header 9 bytes shorter, then the first third of the weights changed, the rest as they were.
        var pruned = original.Skip(9).ToArray();
        var random = new Random(3);
        for (var i = 0; i < pruned.Length / 3; i += 4) if (random.Next(2) == 0) pruned[i] = pruned[i + 1] = pruned[i + 2] = pruned[i + 3] = 0;
        var originalPath = Write("original.bin", original);
        var prunedPath = Write("pruned.bin", pruned);

        var alone = GzipBlocks.Measure(prunedPath);
        var reusing = GzipBlocks.Measure(prunedPath, GzipBlocks.Measure(originalPath));

        Assert.Equal(alone.Total, reusing.Total);
        Assert.Equal(0, alone.ReusedBytes);
        Assert.True(reusing.ReusedBytes > pruned.Length / 2, $"{reusing.ReusedBytes} of {pruned.Length} bytes reused");
    }

    [Fact]
    public void Chunks_cover_the_file_within_their_bounds()
    {
        var path = Write("model.bin", ModelLikeBytes(10 << 20, seed: 4));

        var chunks = ContentDefinedChunks.Find(path);

        Assert.Equal(0, chunks[0].Offset);
        for (var i = 1; i < chunks.Count; i++) Assert.Equal(chunks[i - 1].Offset + chunks[i - 1].Length, chunks[i].Offset);
        Assert.Equal(new FileInfo(path).Length, chunks[^1].Offset + chunks[^1].Length);
        Assert.All(chunks.SkipLast(1), c => Assert.InRange(c.Length, ContentDefinedChunks.MinBytes, ContentDefinedChunks.MaxBytes));
    }

    /// <summary>Float weights of a trained-looking layer: small values around zero, as a model file mostly holds.</summary>
    private static byte[] ModelLikeBytes(int length, int seed)
    {
        var random = new Random(seed);
        var floats = new float[length / 4];
        for (var i = 0; i < floats.Length; i++) floats[i] = (float)((random.NextDouble() - 0.5) * 0.1);
        var bytes = new byte[length];
        Buffer.BlockCopy(floats, 0, bytes, 0, floats.Length * 4);
        return bytes;
    }

    private string Write(string name, byte[] bytes)
    {
        var path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
