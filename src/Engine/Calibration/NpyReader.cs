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
public static class NpyReader
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };
    private static readonly Regex Descr = new(@"'descr'\s*:\s*'([^']+)'", RegexOptions.CultureInvariant);
    private static readonly Regex Fortran = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.CultureInvariant);
    private static readonly Regex ShapeEntry = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.CultureInvariant);

    private static readonly IReadOnlyDictionary<string, int> ItemSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["<f4"] = 4, ["<f8"] = 8, ["<i8"] = 8, ["<i4"] = 4, ["|u1"] = 1, ["|i1"] = 1, ["|b1"] = 1,
    };

    public static NpyArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static NpyArray Read(Stream stream, string file)
    {
        var reader = new BinaryReader(stream);
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw Invalid(file, "it does not start with the .npy magic string");

        var major = reader.ReadByte();
        reader.ReadByte();
        var headerLength = major switch
        {
            1 => reader.ReadUInt16(),
            2 or 3 => checked((int)reader.ReadUInt32()),
            _ => throw Invalid(file, $"format version {major} is not known"),
        };
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(reader.ReadBytes(headerLength));

        var descr = Descr.Match(header);
        var fortran = Fortran.Match(header);
        var shape = ShapeEntry.Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success) throw Invalid(file, $"its header is not understood: {header.Trim()}");
        if (fortran.Groups[1].Value == "True") throw Invalid(file, "it is stored in Fortran order; save it with numpy.ascontiguousarray first");

        var dtype = descr.Groups[1].Value;
        if (!ItemSizes.TryGetValue(dtype, out var itemSize))
        {
            throw Invalid(file, $"its dtype '{dtype}' is not supported; use float32 ('<f4'), float64, int64, int32, uint8 or bool");
        }

        var dims = shape.Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture))
            .ToArray();
        var bytes = checked(dims.Aggregate(1L, (product, d) => product * d) * itemSize);
        if (bytes > Array.MaxLength) throw Invalid(file, $"it holds {bytes} bytes, more than one array can hold");

        var data = reader.ReadBytes((int)bytes);
        if (data.Length != bytes) throw Invalid(file, $"it is truncated: {data.Length} of {bytes} data bytes");
        return new NpyArray(dtype, dims, data);
    }

    private static ModelPruneException Invalid(string file, string why) =>
        new(DiagnosticCodes.InvalidCalibrationData, file, $"The file is not a readable .npy array: {why}.");
}
