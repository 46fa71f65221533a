using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Makes deterministic inputs for a model's input signature. Unresolved dimensions default to 4 on axis 0
/// (usually the batch) and 16 elsewhere: big enough to exercise every weight, small enough to be quick.
/// </summary>
internal static class InputSynthesizer
{
    public const long DefaultBatch = 4;
    public const long DefaultOtherAxis = 16;

    public static List<SyntheticInput> Create(
        InferenceSession session,
        IReadOnlyDictionary<string, long> gatherBounds,
        EvaluationOptions options,
        string displayFile)
    {
        var created = new List<SyntheticInput>();
        var namedDimensions = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            // InputNames keeps the graph's input order and leaves out inputs that are initializers,
            // which ORT supplies itself.
            var index = 0;
            foreach (var name in session.InputNames)
            {
                var metadata = session.InputMetadata[name];
                if (!metadata.IsTensor)
                {
                    throw new ModelPruneException(
                        DiagnosticCodes.ModelNotRunnable,
                        displayFile,
                        $"Input '{name}' is a {metadata.OnnxValueType}; ModelPrune can only make synthetic tensor inputs.");
                }

                var shape = ResolveShape(name, metadata, namedDimensions, options.DimensionOverrides);
                var random = new Random(unchecked(options.Seed + index));
                created.Add(CreateOne(name, metadata.ElementDataType, shape, random, gatherBounds, displayFile));
                index++;
            }

            return created;
        }
        catch
        {
            foreach (var input in created)
            {
                input.Value.Dispose();
            }

            throw;
        }
    }

    private static long[] ResolveShape(
        string input,
        NodeMetadata metadata,
        Dictionary<string, long> namedDimensions,
        IReadOnlyDictionary<string, long> overrides)
    {
        var dims = metadata.Dimensions;
        var symbolic = metadata.SymbolicDimensions;
        var shape = new long[dims.Length];
        for (var axis = 0; axis < dims.Length; axis++)
        {
            if (dims[axis] >= 0)
            {
                shape[axis] = dims[axis];
                continue;
            }

            var dimParam = axis < symbolic.Length ? symbolic[axis] : string.Empty;
            if (overrides.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"{input}:{axis}"), out var specific))
            {
                shape[axis] = specific;
            }
            else if (!string.IsNullOrEmpty(dimParam))
            {
                // One name, one size: inputs that share "sequence" must agree or the model cannot run.
                if (!namedDimensions.TryGetValue(dimParam, out var size))
                {
                    size = overrides.TryGetValue(dimParam, out var byName) ? byName : Default(axis);
                    namedDimensions[dimParam] = size;
                }

                shape[axis] = size;
            }
            else
            {
                shape[axis] = Default(axis);
            }
        }

        return shape;
    }

    private static long Default(int axis) => axis == 0 ? DefaultBatch : DefaultOtherAxis;

    private static SyntheticInput CreateOne(
        string name,
        TensorElementType type,
        long[] shape,
        Random random,
        IReadOnlyDictionary<string, long> gatherBounds,
        string displayFile)
    {
        var count = 1L;
        foreach (var dim in shape)
        {
            count = checked(count * dim);
        }

        if (count > int.MaxValue)
        {
            throw new ModelPruneException(
                DiagnosticCodes.InvalidDimensionOverride,
                displayFile,
                $"Input '{name}' would have {count} elements with shape [{string.Join(", ", shape)}]; set smaller dimensions.");
        }

        var n = (int)count;
        var typeName = ElementTypeNames.Of(type);
        string values;
        OrtValue value;
        switch (type)
        {
            case TensorElementType.Float:
                value = Create(SeededNormal.Sample(random, n).Select(v => (float)v).ToArray(), shape);
                values = "normal(0,1)";
                break;
            case TensorElementType.Double:
                value = Create(SeededNormal.Sample(random, n), shape);
                values = "normal(0,1)";
                break;
            case TensorElementType.Float16:
                value = Create(SeededNormal.Sample(random, n).Select(v => (Float16)(float)v).ToArray(), shape);
                values = "normal(0,1)";
                break;
            case TensorElementType.BFloat16:
                value = Create(SeededNormal.Sample(random, n).Select(v => (BFloat16)(float)v).ToArray(), shape);
                values = "normal(0,1)";
                break;
            case TensorElementType.Int64 or TensorElementType.Int32 when gatherBounds.TryGetValue(name, out var rows):
                var ids = new long[n];
                for (var i = 0; i < n; i++)
                {
                    ids[i] = random.NextInt64(0, rows);
                }

                value = type == TensorElementType.Int64 ? Create(ids, shape) : Create(ids.Select(v => (int)v).ToArray(), shape);
                values = string.Create(CultureInfo.InvariantCulture, $"uniform[0,{rows})");
                break;
            case TensorElementType.Int64:
                value = Create(Filled(n, 1L), shape);
                values = "ones";
                break;
            case TensorElementType.Int32:
                value = Create(Filled(n, 1), shape);
                values = "ones";
                break;
            case TensorElementType.Int16:
                value = Create(Filled(n, (short)1), shape);
                values = "ones";
                break;
            case TensorElementType.Int8:
                value = Create(Filled(n, (sbyte)1), shape);
                values = "ones";
                break;
            case TensorElementType.UInt64:
                value = Create(Filled(n, 1UL), shape);
                values = "ones";
                break;
            case TensorElementType.UInt32:
                value = Create(Filled(n, 1U), shape);
                values = "ones";
                break;
            case TensorElementType.UInt16:
                value = Create(Filled(n, (ushort)1), shape);
                values = "ones";
                break;
            case TensorElementType.UInt8:
                value = Create(Filled(n, (byte)1), shape);
                values = "ones";
                break;
            case TensorElementType.Bool:
                value = Create(Filled(n, true), shape);
                values = "true";
                break;
            default:
                throw new ModelPruneException(
                    DiagnosticCodes.ModelNotRunnable,
                    displayFile,
                    $"Input '{name}' has element type {typeName}; ModelPrune cannot make synthetic values of that type.");
        }

        return new SyntheticInput(new EvaluationInput(name, typeName, shape, values), value);
    }

    private static OrtValue Create<T>(T[] data, long[] shape)
        where T : unmanaged => OrtValue.CreateTensorValueFromMemory(data, shape);

    private static T[] Filled<T>(int n, T value)
    {
        var data = new T[n];
        Array.Fill(data, value);
        return data;
    }
}
