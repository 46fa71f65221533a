using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// One tensor's storage seen as a flat float array. Writing keeps the tensor's element type and its
/// storage kind (raw_data or the typed repeated field), so a pruned model differs from the original
/// only in the values of the tensors that were written.
/// </summary>
internal sealed class WeightTensor
{
    private readonly TensorProto _tensor;

    public WeightTensor(string name, TensorProto tensor)
    {
        Name = name;
        _tensor = tensor;
        Dims = tensor.Dims.ToArray();
        ElementCount = Dims.Aggregate(1L, (product, dim) => product * dim);
    }

    public string Name { get; }

    /// <summary>The protobuf storage itself, for callers that need to inspect or copy it.</summary>
    public TensorProto Proto => _tensor;

    public IReadOnlyList<long> Dims { get; }

    public long ElementCount { get; }

    /// <summary>The ONNX TensorProto.DataType code.</summary>
    public int DataType => _tensor.DataType;

    public bool IsFloatingPoint => TensorElementTypes.IsFloatingPoint(_tensor.DataType);

    public string ElementTypeName => TensorElementTypes.Name(_tensor.DataType);

    private bool UsesRawData => _tensor.RawData.Length > 0 || TypedCount() == 0;

    public float[] ReadValues()
    {
        var count = CheckedCount();
        var values = new float[count];
        if (count == 0)
        {
            return values;
        }

        if (UsesRawData)
        {
            ReadRaw(_tensor.RawData.Span, values);
        }
        else
        {
            ReadTyped(values);
        }

        return values;
    }

    public void WriteValues(ReadOnlySpan<float> values)
    {
        var count = CheckedCount();
        if (values.Length != count)
        {
            throw new ArgumentException($"tensor '{Name}' has {count} elements but {values.Length} values were given", nameof(values));
        }

        if (count == 0)
        {
            return;
        }

        if (UsesRawData)
        {
            var bytes = new byte[count * TensorElementTypes.SizeOf(_tensor.DataType)];
            WriteRaw(values, bytes);

            // The array is fresh and never touched again, so wrapping it saves a copy of every weight.
            _tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        }
        else
        {
            WriteTyped(values);
        }
    }

    /// <summary>
    /// <see cref="WriteValues"/>, but where the values lie when the tensor is float32 raw data (<see cref="TryGetFloat32InPlace"/>):
    /// a model mapped from external data then keeps one copy of each pruned weight, in its copy-on-write pages, instead of
    /// those pages plus a new array, which on a 4.4 GB model was 4 GB more at the peak.
    /// </summary>
    public void OverwriteValues(ReadOnlySpan<float> values)
    {
        if (TryGetFloat32InPlace(out var raw) && raw.Length == (long)values.Length * sizeof(float))
        {
            values.CopyTo(MemoryMarshal.Cast<byte, float>(raw.Span));
            return;
        }

        WriteValues(values);
    }

    /// <summary>
    /// <see cref="OverwriteValues(ReadOnlySpan{float})"/>, except that a float32 tensor mapped from external data moves to
    /// <paramref name="spill"/> (when given) instead of being written into its copy-on-write pages.
    /// </summary>
    public void OverwriteValues(ReadOnlySpan<float> values, TensorSpill? spill)
    {
        if (spill is not null && IsMapped && TryReadFloat32InPlace(out var raw) && raw.Length == (long)values.Length * sizeof(float))
        {
            spill.Replace(this, MemoryMarshal.AsBytes(values));
            return;
        }

        OverwriteValues(values);
    }

    /// <summary>
    /// The float32 raw_data of this tensor as writable memory, so a layer can be pruned where it lies
    /// instead of through a copy (the difference between ~1x and ~2x the model in memory). False for
    /// other element types, typed-field storage or big-endian machines; use ReadValues/WriteValues then.
    /// The parser gave every tensor its own byte array, so writing here touches no other tensor.
    /// </summary>
    public bool TryGetFloat32InPlace(out Memory<byte> raw)
    {
        raw = default;
        if (!TryReadFloat32InPlace(out var bytes)) return false;

        MappedDataFile.MarkWritten(bytes);
        raw = MemoryMarshal.AsMemory(bytes);
        return true;
    }

    /// <summary>
    /// <see cref="TryGetFloat32InPlace"/> for reading only: a mapped tensor's pages can then be handed back after the
    /// read (<see cref="ReleasePages"/>).
    /// </summary>
    public bool TryReadFloat32InPlace(out ReadOnlyMemory<byte> raw)
    {
        raw = default;
        if (_tensor.DataType != TensorElementTypes.Float || !BitConverter.IsLittleEndian || !UsesRawData)
        {
            return false;
        }

        CheckedCount();
        raw = _tensor.RawData.Memory;
        return true;
    }

    /// <summary>Whether the values lie in a mapped external data file, not in managed memory.</summary>
    public bool IsMapped => MappedDataFile.IsMapped(_tensor.RawData.Memory);

    /// <summary>Hands back a mapped tensor's resident pages after a pass that only read it (<see cref="MappedDataFile.ReleasePages"/>).</summary>
    public void ReleasePages() => MappedDataFile.ReleasePages(_tensor.RawData.Memory);

    public long CountZeros() => Count(FloatSpans.CountZeros);

    /// <summary>How many values are NaN or infinite.</summary>
    public long CountNonFinite() => Count(FloatSpans.CountNonFinite);

    /// <summary>
    /// Counts over every value (these passes run over every tensor of the model): float32 raw data where it lies, or
    /// from its file when it is mapped (no copy of the tensor either way), anything else through a float copy.
    /// </summary>
    private long Count(FloatCount count)
    {
        if (TryReadFloat32InPlace(out var raw))
        {
            long total = 0;
            return MappedDataFile.TryReadInChunks(raw, chunk => total += count(MemoryMarshal.Cast<byte, float>(chunk)))
                ? total
                : count(MemoryMarshal.Cast<byte, float>(raw.Span));
        }

        return count(ReadValues());
    }

    private int CheckedCount()
    {
        if (!IsFloatingPoint)
        {
            throw new ModelPruneException(
                DiagnosticCodes.UnsupportedWeightType,
                string.Empty,
                $"tensor '{Name}' holds {ElementTypeName} values; only float32, float16, bfloat16 and float64 weights can be read as floats");
        }

        if (_tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidOperationException($"tensor '{Name}' still refers to external data; load models with OnnxModelReader, which inlines it");
        }

        if (ElementCount > Array.MaxLength)
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelTooLarge,
                string.Empty,
                $"tensor '{Name}' has {ElementCount} elements, more than one array can hold");
        }

        var count = (int)ElementCount;
        var stored = UsesRawData ? _tensor.RawData.Length / TensorElementTypes.SizeOf(_tensor.DataType) : TypedCount();
        var storedBytesMatch = !UsesRawData || _tensor.RawData.Length % TensorElementTypes.SizeOf(_tensor.DataType) == 0;
        if (stored != count || !storedBytesMatch)
        {
            throw new ModelPruneException(
                DiagnosticCodes.NotAnOnnxModel,
                string.Empty,
                $"tensor '{Name}' stores {stored} values of {ElementTypeName} but its shape [{string.Join(", ", Dims)}] needs {count}");
        }

        return count;
    }

    private int TypedCount() => _tensor.DataType switch
    {
        TensorElementTypes.Float => _tensor.FloatData.Count,
        TensorElementTypes.Double => _tensor.DoubleData.Count,
        // ONNX keeps 16-bit floats in int32_data, one value per element, in the low 16 bits.
        TensorElementTypes.Float16 or TensorElementTypes.BFloat16 => _tensor.Int32Data.Count,
        _ => 0,
    };

    private void ReadRaw(ReadOnlySpan<byte> raw, float[] values)
    {
        switch (_tensor.DataType)
        {
            case TensorElementTypes.Float when BitConverter.IsLittleEndian:
                MemoryMarshal.Cast<byte, float>(raw).CopyTo(values);
                break;
            case TensorElementTypes.Float:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                }

                break;
            case TensorElementTypes.Double:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]);
                }

                break;
            case TensorElementTypes.Float16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]);
                }

                break;
            case TensorElementTypes.BFloat16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]));
                }

                break;
        }
    }

    private void ReadTyped(float[] values)
    {
        switch (_tensor.DataType)
        {
            case TensorElementTypes.Float:
                _tensor.FloatData.CopyTo(values, 0);
                break;
            case TensorElementTypes.Double:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)_tensor.DoubleData[i];
                }

                break;
            case TensorElementTypes.Float16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)BitConverter.UInt16BitsToHalf((ushort)_tensor.Int32Data[i]);
                }

                break;
            case TensorElementTypes.BFloat16:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = BFloat16ToSingle((ushort)_tensor.Int32Data[i]);
                }

                break;
        }
    }

    private void WriteRaw(ReadOnlySpan<float> values, byte[] bytes)
    {
        var span = bytes.AsSpan();
        switch (_tensor.DataType)
        {
            case TensorElementTypes.Float when BitConverter.IsLittleEndian:
                MemoryMarshal.AsBytes(values).CopyTo(span);
                break;
            case TensorElementTypes.Float:
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(4 * i)..], values[i]);
                }

                break;
            case TensorElementTypes.Double:
                var original = _tensor.RawData.Span;
                for (var i = 0; i < values.Length; i++)
                {
                    var previous = BinaryPrimitives.ReadDoubleLittleEndian(original[(8 * i)..]);
                    BinaryPrimitives.WriteDoubleLittleEndian(span[(8 * i)..], KeepDoublePrecision(previous, values[i]));
                }

                break;
            case TensorElementTypes.Float16:
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(span[(2 * i)..], (Half)values[i]);
                }

                break;
            case TensorElementTypes.BFloat16:
                for (var i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(span[(2 * i)..], SingleToBFloat16(values[i]));
                }

                break;
        }
    }

    private void WriteTyped(ReadOnlySpan<float> values)
    {
        // Assigning in place keeps the repeated fields' capacity; the element count never changes.
        switch (_tensor.DataType)
        {
            case TensorElementTypes.Float:
                for (var i = 0; i < values.Length; i++)
                {
                    _tensor.FloatData[i] = values[i];
                }

                break;
            case TensorElementTypes.Double:
                for (var i = 0; i < values.Length; i++)
                {
                    _tensor.DoubleData[i] = KeepDoublePrecision(_tensor.DoubleData[i], values[i]);
                }

                break;
            case TensorElementTypes.Float16:
                for (var i = 0; i < values.Length; i++)
                {
                    _tensor.Int32Data[i] = BitConverter.HalfToUInt16Bits((Half)values[i]);
                }

                break;
            case TensorElementTypes.BFloat16:
                for (var i = 0; i < values.Length; i++)
                {
                    _tensor.Int32Data[i] = SingleToBFloat16(values[i]);
                }

                break;
        }
    }

    /// <summary>
    /// Values pass through float32 on their way to the caller; a value that comes back unchanged keeps
    /// its full float64 precision instead of being rounded, so only pruned weights differ.
    /// </summary>
    private static double KeepDoublePrecision(double previous, float value) => (float)previous == value ? previous : value;

    internal static float BFloat16ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds to nearest, ties to even, as PyTorch and ONNX Runtime do; NaN stays a quiet NaN.</summary>
    internal static ushort SingleToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }
}
