using System.IO.Compression;
using System.IO.Hashing;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Reads NumPy .npz files: a zip whose entries are <c>&lt;name&gt;.npy</c> arrays, stored by numpy.savez and
/// deflated by numpy.savez_compressed. Arrays keep the archive's entry order; errors are coded and name the entry.
/// </summary>
internal static class NpzReader
{
    private const string NpyExtension = ".npy";

    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static IReadOnlyDictionary<string, NpyArray> Read(Stream stream, string file)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw Invalid(file, $"The file is not a readable .npz archive (a zip of .npy arrays, as numpy.savez writes): {ex.Message} Save it again with numpy.savez or numpy.savez_compressed.", ex);
        }

        using (archive)
        {
            try
            {
                return ReadEntries(archive, file);
            }
            catch (InvalidDataException ex)
            {
                // The central directory is read lazily, on the first look at the entries: a damaged one shows here.
                throw Invalid(file, $"The file is not a readable .npz archive: {ex.Message} Save it again with numpy.savez or numpy.savez_compressed.", ex);
            }
        }
    }

    private static IReadOnlyDictionary<string, NpyArray> ReadEntries(ZipArchive archive, string file)
    {
        // Ordered rather than a plain Dictionary: callers report arrays in the order the file holds them.
        var arrays = new List<KeyValuePair<string, NpyArray>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            // Zip tools may add folder entries; they hold no data.
            if (entry.FullName.EndsWith('/')) continue;

            if (!entry.FullName.EndsWith(NpyExtension, StringComparison.Ordinal))
            {
                throw Invalid(file, $"Entry '{entry.FullName}' is not a .npy array; an .npz must hold only <name>.npy entries, as numpy.savez writes them. Remove the entry or save the arrays again with numpy.savez.");
            }

            var name = entry.FullName[..^NpyExtension.Length];
            if (!names.Add(name))
            {
                throw Invalid(file, $"The archive holds two entries for array '{name}'; save the arrays again with numpy.savez, which writes each name once.");
            }

            arrays.Add(new(name, ReadEntry(entry, name, file)));
        }

        return new OrderedArrays(arrays);
    }

    private static NpyArray ReadEntry(ZipArchiveEntry entry, string name, string file)
    {
        try
        {
            // numpy rejects an entry whose CRC-32 does not match; ZipArchive checks nothing for stored entries.
            var crc = new Crc32();
            using var raw = entry.Open();
            var entryStream = new HashingStream(raw, crc);
            var array = NpyReader.Read(entryStream, file, $"Array '{name}' (entry '{entry.FullName}')", entry.Length);
            entryStream.DrainToEnd();
            if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
            {
                throw Invalid(file, $"Array '{name}' (entry '{entry.FullName}') fails its CRC-32 check: the file is damaged. Save the arrays again with numpy.savez or numpy.savez_compressed.");
            }

            return array;
        }
        catch (InvalidDataException ex)
        {
            // A corrupt deflate stream or an unsupported compression method surfaces here, mid-read.
            throw Invalid(file, $"Array '{name}' (entry '{entry.FullName}') cannot be decompressed: {ex.Message} Save the arrays again with numpy.savez or numpy.savez_compressed.", ex);
        }
    }

    private static ModelPruneException Invalid(string file, string message, Exception? inner = null) =>
        new(DiagnosticCodes.InvalidCalibrationData, file, message, inner);
}
