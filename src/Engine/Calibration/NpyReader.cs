using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Reads NumPy .npy files (format versions 1-3): a magic string, a Python-dict header with descr,
/// fortran_order and shape, then the raw array. Only C-order arrays of fixed-size numeric dtypes are read;
/// anything else is a coded error naming the file.
/// </summary>
internal static class NpyReader
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };
    private static readonly Regex Descr = new(@"'descr'\s*:\s*'([^']+)'", RegexOptions.CultureInvariant);
    private static readonly Regex Fortran = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.CultureInvariant);
    private static readonly Regex ShapeEntry = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.CultureInvariant);

    private static readonly IReadOnlyDictionary<string, int> ItemSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["<f4"] = 4, ["<f8"] = 8, ["<f2"] = 2, ["<i8"] = 8, ["<i4"] = 4, ["|u1"] = 1, ["|i1"] = 1, ["|b1"] = 1,
    };

    /// <summary>Far above any real header (numpy's own limit is 10,000 bytes), far below an absurd allocation.</summary>
    private const uint MaxHeaderLength = 1 << 20;

    public static NpyArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpyArray Read(Stream stream, string file) => Read(stream, file, "The file");

    /// <summary>
    /// <paramref name="subject"/> starts each error message, so that an array inside an .npz can be named
    /// ("Array 'x' in the .npz") where the file alone would not say which entry is broken.
    /// </summary>
    /// <param name="size">
    /// The bytes the array has in all, where the stream cannot say (a deflated .npz entry's declared uncompressed
    /// size): every length and shape is bounded by it before anything is allocated. Null: the stream's own length
    /// where it can seek.
    /// </param>
    internal static NpyArray Read(Stream stream, string file, string subject, long? size = null)
    {
        try
        {
            return ReadArray(stream, file, subject, size);
        }
        catch (EndOfStreamException)
        {
            // BinaryReader throws this for a header cut short; data cut short is reported with byte counts below.
            throw Invalid(file, subject, "it ends inside its header");
        }
    }

    private static NpyArray ReadArray(Stream stream, string file, string subject, long? size)
    {
        var reader = new BinaryReader(stream);
        // Counted here rather than asked of the stream: a decompressing stream has no position.
        long consumed = Magic.Length + 2;
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw Invalid(file, subject, "it does not start with the .npy magic string");

        var major = reader.ReadByte();
        reader.ReadByte();
        var headerLength = major switch
        {
            1 => reader.ReadUInt16(),
            2 or 3 => reader.ReadUInt32(),
            _ => throw Invalid(file, subject, $"format version {major} is not known"),
        };
        // Bounded before anything is allocated: a damaged length field must be a coded error, not an overflow or
        // a 4 GB allocation. numpy itself refuses headers over 10,000 bytes unless told otherwise.
        if (headerLength > MaxHeaderLength) throw Invalid(file, subject, $"its header length field says {headerLength} bytes, more than the {MaxHeaderLength} a .npy header can have; the file is damaged");
        consumed += major == 1 ? 2 : 4;
        if (size is { } declared && headerLength > declared - consumed)
        {
            throw Invalid(file, subject, $"its header length field says {headerLength} bytes, but the array holds {Math.Max(0, declared - consumed)} more bytes in all; the file is damaged");
        }

        consumed += headerLength;
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(reader.ReadBytes((int)headerLength));

        var descr = Descr.Match(header);
        var fortran = Fortran.Match(header);
        var shape = ShapeEntry.Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success) throw Invalid(file, subject, $"its header is not understood: {header.Trim()}");
        if (fortran.Groups[1].Value == "True") throw Invalid(file, subject, "it is stored in Fortran order; save it with numpy.ascontiguousarray first");

        var dtype = descr.Groups[1].Value;
        if (!ItemSizes.TryGetValue(dtype, out var itemSize))
        {
            throw Invalid(file, subject, $"its dtype '{dtype}' is not supported; use float32 ('<f4'), float64, float16, int64, int32, int8, uint8 or bool");
        }

        var entries = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = new long[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            if (!long.TryParse(entries[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
            {
                throw Invalid(file, subject, $"its shape ({shape.Groups[1].Value}) is not a tuple of sizes");
            }
        }

        // Capped rather than checked: a corrupt header must give the coded error below, not an overflow.
        var bytes = (long)itemSize;
        foreach (var dim in dims)
        {
            bytes = dim == 0 ? 0 : bytes > Array.MaxLength / dim ? long.MaxValue : bytes * dim;
        }

        if (bytes > Array.MaxLength) throw Invalid(file, subject, $"its shape ({shape.Groups[1].Value}) needs more bytes than one array can hold");

        // A deflated entry cannot seek, but its declared size bounds the data: a shape beyond it is not allocated.
        if (size is { } total && bytes > total - consumed)
        {
            throw Invalid(file, subject, $"it is truncated: its shape ({shape.Groups[1].Value}) needs {bytes} data bytes, the entry holds {Math.Max(0, total - consumed)} (its declared uncompressed size)");
        }

        // A seekable file shorter than its shape says is truncated: known before allocating the array.
        if (stream.CanSeek && bytes > stream.Length - stream.Position) throw Invalid(file, subject, $"it is truncated: {stream.Length - stream.Position} of {bytes} data bytes");
        var data = reader.ReadBytes((int)bytes);
        if (data.Length != bytes) throw Invalid(file, subject, $"it is truncated: {data.Length} of {bytes} data bytes");
        return new NpyArray(dtype, dims, data);
    }

    private static ModelPruneException Invalid(string file, string subject, string why) =>
        new(DiagnosticCodes.InvalidCalibrationData, file, $"{subject} is not a readable .npy array: {why}.");
}
