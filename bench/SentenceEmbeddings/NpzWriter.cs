using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace SentenceEmbeddings;

/// <summary>
/// Writes int64 arrays as an uncompressed .npz (what numpy.savez writes): a zip of NumPy format 1.0 .npy
/// entries, little-endian, C order. Written here because nothing on NuGet that we trust does just this.
/// </summary>
internal static class NpzWriter
{
    // numpy pads the header so the data starts on a 64-byte boundary; readers do not need it, numpy's own mmap does.
    private const int HeaderAlignment = 64;
    private static readonly DateTimeOffset ZipEpoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };

    public static void WriteInt64(string path, IReadOnlyList<(string Name, long[] Data, long[] Shape)> arrays)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        using var file = File.Create(path);
        using var archive = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (name, data, shape) in arrays)
        {
            if (shape.Aggregate(1L, (product, dim) => product * dim) != data.Length)
            {
                throw new ArgumentException($"array '{name}' has {data.Length} values, not the {string.Join('×', shape)} of its shape");
            }

            var entry = archive.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            // numpy's date too: a fixed one keeps the file (and the engine's cache key, its SHA-256) the same run to run.
            entry.LastWriteTime = ZipEpoch;
            using var stream = entry.Open();
            WriteNpyHeader(stream, "<i8", shape);
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        }
    }

    private static void WriteNpyHeader(Stream stream, string dtype, long[] shape)
    {
        // A one-element tuple needs its trailing comma in Python: (5,) not (5).
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shapeText}, }}";
        var unpadded = Magic.Length + sizeof(ushort) + header.Length + 1;
        header = header.PadRight(header.Length + (HeaderAlignment - unpadded % HeaderAlignment) % HeaderAlignment) + "\n";

        stream.Write(Magic);
        Span<byte> length = stackalloc byte[sizeof(ushort)];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
    }
}
