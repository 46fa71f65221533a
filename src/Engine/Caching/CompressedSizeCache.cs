using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ModelPrune.Engine.Common;

namespace ModelPrune.Engine.Caching;

/// <summary>
/// The original model's compressed size, kept in the cache folder by the model's content: the slowest measurement of
/// a run (seconds on a 90 MB model) depends only on the file's bytes and on the engine and runtime that compress them,
/// so every later build of the same model, with whatever settings, reads it instead. Best effort both ways: an
/// unreadable or damaged record is measured again and replaced, and a folder that cannot be written only costs time.
/// </summary>
internal sealed class CompressedSizeCache
{
    private const string Extension = ".gzip-blocks";

    // The engine build and the runtime (whose zlib compresses) decide the sizes; either changing gives new records.
    private static readonly string Identity = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        EngineVersion.BuildIdentity + "|" + RuntimeInformation.FrameworkDescription)))[..16].ToLowerInvariant();

    private readonly string _root;

    public CompressedSizeCache(string cacheRoot)
    {
        _root = Path.Combine(cacheRoot, "v1", "sizes");
    }

    /// <summary>The blocks of the file whose content is <paramref name="contentSha256"/>: read, or measured from <paramref name="path"/> and kept.</summary>
    public GzipBlocks GetOrMeasure(string contentSha256, string path)
    {
        var record = RecordPath(contentSha256);
        try
        {
            if (File.Exists(record) && GzipBlocks.Deserialize(File.ReadAllText(record)) is { } kept) return kept;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Measured again below.
        }

        var measured = GzipBlocks.Measure(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(record)!);
            AtomicFile.WriteAllBytes(record, Encoding.UTF8.GetBytes(measured.Serialize()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the next build's time depends on it.
        }

        return measured;
    }

    public string RecordPath(string contentSha256) =>
        Path.Combine(_root, contentSha256[..2], contentSha256 + "." + Identity + Extension);
}
