using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ModelPrune.Engine.Tests.Calibration;

/// <summary>
/// Writes .npy (format 1.0) and .npz files byte-compatible with numpy.save / numpy.savez(_compressed), so the
/// tests need no Python: the header is a Python dict literal padded with spaces to a multiple of 64 bytes.
/// </summary>
public static class NumpyFiles
{
    public static byte[] Npy(NpyTestArray array)
    {
        var shape = array.Shape.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({array.Shape[0]},)")
            : "(" + string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        var dict = $"{{'descr': '{array.DType}', 'fortran_order': False, 'shape': {shape}, }}";
        var unpadded = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";

        using var stream = new MemoryStream();
        stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(array.Data);
        return stream.ToArray();
    }

    public static void WriteNpy(string path, NpyTestArray array) => File.WriteAllBytes(path, Npy(array));

    /// <summary>numpy.savez stores entries; numpy.savez_compressed deflates them.</summary>
    public static void WriteNpz(string path, bool compressed, params (string Name, NpyTestArray Array)[] arrays) =>
        WriteZip(path, compressed, arrays.Select(a => (a.Name + ".npy", Npy(a.Array))).ToArray());

    public static void WriteZip(string path, bool compressed, params (string Entry, byte[] Bytes)[] entries)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            var entry = archive.CreateEntry(name, compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            // A fixed time, so the same arrays give the same file bytes (and content hash) on every run.
            entry.LastWriteTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var stream = entry.Open();
            stream.Write(bytes);
        }
    }
}
