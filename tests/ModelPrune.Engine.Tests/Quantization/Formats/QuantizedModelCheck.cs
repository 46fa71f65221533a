using Google.Protobuf;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Quantization;
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Quantization.Formats;
using Onnx;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Quantization.Formats;

/// <summary>
/// What the format tests share: a plain round-to-nearest quantizer (the real ones are built beside this), the
/// float twin of a quantized model (the same weights, dequantized, written as float32), and running both in ONNX
/// Runtime on the same seeded inputs.
/// </summary>
internal static class QuantizedModelCheck
{
    public const double Tolerance = 1e-4;

    /// <summary>
    /// W [rows, cols] on a grid of 2^bits levels per group of columns: symmetric around 2^(bits−1) with
    /// scale max|w| / (2^(bits−1) − 1), or asymmetric over [min(w, 0), max(w, 0)].
    /// </summary>
    public static QuantizedMatrix Rtn(float[] W, int rows, int cols, int bits, int groupSize, bool symmetric)
    {
        var groups = (cols + groupSize - 1) / groupSize;
        var maxCode = (1 << bits) - 1;
        var codes = new byte[W.Length];
        var scales = new float[rows * groups];
        var zeros = new byte[rows * groups];
        for (var r = 0; r < rows; r++)
        {
            for (var g = 0; g < groups; g++)
            {
                var columns = Enumerable.Range(g * groupSize, Math.Min(groupSize, cols - (g * groupSize))).ToArray();
                var values = columns.Select(c => W[(r * cols) + c]).ToArray();
                float scale;
                int zero;
                if (symmetric)
                {
                    zero = 1 << (bits - 1);
                    scale = values.Max(Math.Abs) / (zero - 1);
                }
                else
                {
                    var min = Math.Min(0f, values.Min());
                    var max = Math.Max(0f, values.Max());
                    scale = (max - min) / maxCode;
                    zero = (int)Math.Clamp(Math.Round(-min / scale), 0, maxCode);
                }

                scale = scale > 0 ? scale : 1f;
                scales[(r * groups) + g] = scale;
                zeros[(r * groups) + g] = (byte)zero;
                foreach (var c in columns)
                {
                    codes[(r * cols) + c] = (byte)Math.Clamp(Math.Round(W[(r * cols) + c] / scale) + zero, 0, maxCode);
                }
            }
        }

        return new QuantizedMatrix(rows, cols, bits, groupSize, codes, scales, zeros);
    }

    public static PrunableWeight Weight(ModelProto model, string name) =>
        PrunableWeightFinder.Find(model).Single(w => w.Name == name);

    /// <summary>W as [output channels, inputs], written out here rather than through the code under test.</summary>
    public static (float[] W, int Rows, int Cols) Matrix(PrunableWeight weight)
    {
        var values = weight.Tensor.ReadValues();
        var dims = weight.Tensor.Dims;
        return IsStoredTransposed(weight)
            ? (Transpose(values, (int)dims[0], (int)dims[1]), (int)dims[1], (int)dims[0])
            : (values, (int)dims[0], values.Length / (int)dims[0]);
    }

    /// <summary>Stores <paramref name="W"/> [rows, cols] into the weight's tensor, undoing <see cref="Matrix"/>.</summary>
    public static void Store(PrunableWeight weight, float[] W)
    {
        var dims = weight.Tensor.Dims;
        weight.Tensor.WriteValues(IsStoredTransposed(weight) ? Transpose(W, (int)dims[1], (int)dims[0]) : W);
    }

    /// <summary>
    /// Compares the quantized model with its float twin on inputs of both signs (If branches take either side),
    /// logs the deviation and sizes, and requires agreement, a smaller file and the same interface.
    /// </summary>
    public static void AssertRunsLikeReference(ITestOutputHelper output, string label, ModelProto original, ModelProto quantized, ModelProto reference)
    {
        var deviation = Math.Max(MaxRelativeDeviation(quantized, reference, shift: 1f), MaxRelativeDeviation(quantized, reference, shift: -1f));
        output.WriteLine($"{label}: max relative deviation {deviation:E2}, {original.ToByteArray().Length} -> {quantized.ToByteArray().Length} bytes");
        Assert.True(deviation <= Tolerance, $"max relative deviation {deviation}");
        Assert.True(quantized.ToByteArray().Length < original.ToByteArray().Length);
        AssertSameInterface(original, quantized);
    }

    /// <summary>Each case is refused with a reason containing its text, and its model stays byte for byte the same.</summary>
    public static void AssertRefused(
        ITestOutputHelper output,
        Func<ModelProto, PrunableWeight, QuantizedMatrix, FormatWriteResult> write,
        params (ModelProto Model, PrunableWeight Weight, QuantizedMatrix Quantized, string Reason)[] cases)
    {
        foreach (var (model, weight, quantized, reason) in cases)
        {
            var before = model.ToByteArray();
            var result = write(model, weight, quantized);
            output.WriteLine($"{weight.Name}: {result.SkipReason}");
            Assert.False(result.Written);
            Assert.Contains(reason, result.SkipReason);
            Assert.Equal(before, model.ToByteArray());
        }
    }

    private static bool IsStoredTransposed(PrunableWeight weight) => weight.Tensor.Dims.Count == 2 && weight.InputAxis == 0;

    private static float[] Transpose(float[] values, int rows, int cols)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++) result[(c * rows) + r] = values[(r * cols) + c];
        }

        return result;
    }

    /// <summary>
    /// Runs both models on the same inputs and returns the largest |quantized − reference| over the largest
    /// |reference| of any output: relative to the output's scale, since single outputs near 0 say nothing.
    /// </summary>
    /// <param name="fusedAccuracyLevel">
    /// ONNX Runtime fuses DequantizeLinear(int8) → MatMul into MatMulNBits and by default computes that with int8
    /// activations (accuracy level 4), which moves outputs by ~4e-3; level "0" keeps float32, so what is compared
    /// is the stored weights. Null leaves the session's default.
    /// </param>
    public static double MaxRelativeDeviation(ModelProto quantized, ModelProto reference, float shift = 0f, string? fusedAccuracyLevel = "0")
    {
        var actual = Run(quantized, shift, fusedAccuracyLevel);
        var expected = Run(reference, shift, fusedAccuracyLevel);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var deviation = 0.0;
        foreach (var (name, values) in expected)
        {
            var scale = values.Max(v => Math.Abs((double)v));
            Assert.True(scale > 0, $"output {name} is all zeros");
            Assert.Equal(values.Length, actual[name].Length);
            deviation = Math.Max(deviation, values.Zip(actual[name], (e, a) => Math.Abs((double)e - a)).Max() / scale);
        }

        return deviation;
    }

    /// <summary>Every output of <paramref name="model"/> on seeded inputs (batch 3; int64 inputs are token ids below 50).</summary>
    private static Dictionary<string, float[]> Run(ModelProto model, float shift, string? fusedAccuracyLevel)
    {
        using var options = new SessionOptions();
        if (fusedAccuracyLevel is not null)
        {
            options.AddSessionConfigEntry("session.qdq_matmulnbits_accuracy_level", fusedAccuracyLevel);
        }

        using var session = new InferenceSession(model.ToByteArray(), options);
        var random = new Random(1234);
        var inputs = session.InputMetadata.Select(pair =>
        {
            var shape = pair.Value.Dimensions.Select(d => d < 0 ? 3L : d).ToArray();
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            return pair.Value.ElementType == typeof(long)
                ? OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (long)random.Next(50)).ToArray(), shape)
                : OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1) + shift).ToArray(), shape);
        }).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, session.InputMetadata.Keys.ToArray(), inputs, session.OutputNames.ToArray());
            return session.OutputNames.Select((name, i) => (name, outputs[i].GetTensorDataAsSpan<float>().ToArray())).ToDictionary(p => p.name, p => p.Item2);
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
    }

    /// <summary>The quantized model keeps the interface: graph inputs and outputs, names, types and shapes.</summary>
    public static void AssertSameInterface(ModelProto original, ModelProto quantized)
    {
        Assert.Equal(original.Graph.Input.Select(v => v.ToString()), quantized.Graph.Input.Select(v => v.ToString()));
        Assert.Equal(original.Graph.Output.Select(v => v.ToString()), quantized.Graph.Output.Select(v => v.ToString()));
    }
}
