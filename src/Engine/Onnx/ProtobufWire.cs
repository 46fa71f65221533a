namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Just enough of protobuf's wire format to find where a field's bytes lie in a serialized message, which a parser
/// does not say: tags, varints, and skipping a field of each wire type. Groups (wire types 3 and 4), which ONNX never
/// writes, end the walk: the caller then falls back to what the parser gave.
/// </summary>
internal static class ProtobufWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    /// <summary>One field of a message: its number, wire type, and (length-delimited) where its bytes start and how many.</summary>
    public readonly record struct Field(int Number, int WireType, long Start, long Length);

    /// <summary>
    /// The fields of the message in <paramref name="bytes"/>[<paramref name="start"/>..+<paramref name="length"/>], in
    /// order; false when the bytes are not a well-formed message (a field runs past the end, a group, a bad varint).
    /// </summary>
    public static bool TryReadFields(ReadOnlySpan<byte> bytes, long start, long length, List<Field> fields)
    {
        var end = start + length;
        if (start < 0 || end > bytes.Length) return false;
        var position = start;
        while (position < end)
        {
            if (!TryReadVarint(bytes, ref position, end, out var tag) || tag >> 3 is 0 or > int.MaxValue) return false;
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case Varint:
                    if (!TryReadVarint(bytes, ref position, end, out _)) return false;
                    fields.Add(new Field(number, wireType, position, 0));
                    break;
                case Fixed64:
                case Fixed32:
                    var size = wireType == Fixed64 ? 8 : 4;
                    if (position + size > end) return false;
                    fields.Add(new Field(number, wireType, position, size));
                    position += size;
                    break;
                case LengthDelimited:
                    if (!TryReadVarint(bytes, ref position, end, out var fieldLength) || fieldLength > (ulong)(end - position)) return false;
                    fields.Add(new Field(number, wireType, position, (long)fieldLength));
                    position += (long)fieldLength;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref long position, long end, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= end) return false;
            var b = bytes[(int)position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }

        return false;
    }
}
