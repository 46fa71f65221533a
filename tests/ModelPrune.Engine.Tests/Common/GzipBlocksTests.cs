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
    public void A_file_past_the_exact_limit_is_estimated_from_sampled_slices_within_one_percent()
    {
        // Dense weights, then a 50%-zero stretch, then 2:4-like zeros: blocks that compress differently.
        var bytes = ModelLikeBytes(12 << 20, seed: 5);
        var random = new Random(6);
        for (var i = 4 << 20; i < 8 << 20; i += 4) if (random.Next(2) == 0) Array.Clear(bytes, i, 4);
        for (var i = 8 << 20; i < bytes.Length; i += 16) Array.Clear(bytes, i, 8);
        var path = Write("large.bin", bytes);

        var exact = GzipBlocks.Measure(path);
        var estimated = GzipBlocks.Measure(path, exactLimitBytes: 1 << 20);

        Assert.False(exact.Estimated);
        Assert.True(estimated.Estimated);
        Assert.NotEqual(exact.Total, estimated.Total);
        Assert.InRange((double)estimated.Total / exact.Total, 0.99, 1.01);
        Assert.Equal(estimated.Total, GzipBlocks.Measure(path, exactLimitBytes: 1 << 20).Total);
    }

    [Fact]
    public void Estimated_blocks_stay_estimated_when_kept_and_when_reused_by_a_smaller_file()
    {
        var original = ModelLikeBytes(6 << 20, seed: 7);
        var originalPath = Write("original.bin", original);
        var copyPath = Write("copy.bin", original.Skip(5).ToArray());
        var measured = GzipBlocks.Measure(originalPath, exactLimitBytes: 1 << 20);

        var kept = GzipBlocks.Deserialize(measured.Serialize())!;
        var reusing = GzipBlocks.Measure(copyPath, kept);

        Assert.True(kept.Estimated);
        Assert.Equal(measured.Total, kept.Total);
        Assert.True(reusing.ReusedBytes > original.Length / 2, $"{reusing.ReusedBytes} bytes reused");
        Assert.True(reusing.Estimated);
        Assert.False(GzipBlocks.Measure(copyPath).Estimated);
        Assert.True(GzipBlocks.MeasureModel(copyPath, originalPath, kept).Estimated);
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
