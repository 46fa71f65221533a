using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Seeded random calibration samples for <c>CalibrationData="synthetic"</c>: float inputs N(0,1), integer inputs
/// ones, bools true, as the evaluation's InputSynthesizer makes them. Axis 0 is the sample axis; other axes that
/// the model leaves open get InputSynthesizer's default size.
/// </summary>
internal static class CalibrationSynthesizer
{
    // Part of the hash: bump it when the generated values change, so cached results made from the old values miss.
    private const string GeneratorVersion = "synthetic-v1";

    public static CalibrationSet Create(ModelInputSignature signature, int samples, int seed, string file)
    {
        var arrays = new List<CalibrationArray>();
        var description = new StringBuilder()
            .Append(GeneratorVersion).Append('\n')
            .Append(CultureInfo.InvariantCulture, $"seed={seed}\nsamples={samples}\n");
        for (var index = 0; index < signature.Inputs.Count; index++)
        {
            var input = signature.Inputs[index];
            var shape = Shape(input, samples, file);
            var random = new Random(unchecked(seed + index));
            arrays.Add(new CalibrationArray(input.Name, input.ElementType, shape, Values(input, shape, random, file)));
            description.Append(CultureInfo.InvariantCulture, $"{input.Name}:{input.ElementTypeName}[{string.Join(",", shape)}]\n");
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(description.ToString()))).ToLowerInvariant();
        return new CalibrationSet(arrays, samples, hash, isSynthetic: true);
    }

    private static long[] Shape(ModelInput input, int samples, string file)
    {
        if (!input.IsTensor || !CalibrationElementTypes.IsSupported(input.ElementType))
        {
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                file,
                $"Model input '{input.Name}' is {input.ElementTypeName}; synthetic calibration data can only be made for tensors of {CalibrationElementTypes.SupportedNames()}. Give calibration data files instead.");
        }

        if (input.Dimensions is not { Count: > 0 } dims)
        {
            var why = input.Dimensions is null ? "declares no shape" : "is a scalar, which has no sample axis";
            throw new ModelPruneException(
                DiagnosticCodes.ModelNotRunnable,
                file,
                $"Model input '{input.Name}' {why}, so synthetic calibration samples cannot be shaped for it. Give calibration data files instead.");
        }

        var shape = new long[dims.Count];
        shape[0] = samples;
        for (var axis = 1; axis < dims.Count; axis++)
        {
            shape[axis] = dims[axis].Value ?? InputSynthesizer.DefaultOtherAxis;
        }

        return shape;
    }

    private static byte[] Values(ModelInput input, long[] shape, Random random, string file)
    {
        var bytes = shape.Aggregate(1L, (product, d) => product * d) * CalibrationElementTypes.SizeOf(input.ElementType);
        if (bytes > Array.MaxLength)
        {
            throw new ModelPruneException(
                DiagnosticCodes.InvalidCalibrationData,
                file,
                $"Synthetic calibration data for input '{input.Name}' with shape [{string.Join(", ", shape)}] would need {bytes} bytes; lower CalibrationSamples.");
        }

        var count = (int)(bytes / CalibrationElementTypes.SizeOf(input.ElementType));
        return input.ElementType switch
        {
            1 => AsBytes(SeededNormal.Sample(random, count).Select(v => (float)v).ToArray()),
            11 => AsBytes(SeededNormal.Sample(random, count)),
            10 => AsBytes(SeededNormal.Sample(random, count).Select(v => (Float16)(float)v).ToArray()),
            7 => AsBytes(Filled(count, 1L)),
            6 => AsBytes(Filled(count, 1)),
            3 => AsBytes(Filled(count, (sbyte)1)),

            // uint8 and bool: a byte of 1 is both "one" and numpy's true.
            _ => Filled(count, (byte)1),
        };
    }

    private static byte[] AsBytes<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static T[] Filled<T>(int n, T value)
    {
        var data = new T[n];
        Array.Fill(data, value);
        return data;
    }
}
