using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Calibration;

namespace ModelPrune.Engine.Tests.Calibration;

public sealed class CalibrationSetTests
{
    [Fact]
    public void Take_keeps_the_first_samples_and_the_source_hash()
    {
        var set = Set(10);

        var taken = set.Take(3);

        Assert.Equal(3, taken.SampleCount);
        Assert.Equal(new long[] { 3, 2 }, taken["x"].Shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, (float[])taken["x"].ToArray());
        Assert.Equal(new long[] { 0, 1, 2 }, (long[])taken["ids"].ToArray());
        Assert.Equal(set.Sha256, taken.Sha256);
        Assert.Equal(10, set.SampleCount);   // immutable
        Assert.Same(set, set.Take(50));
    }

    [Theory]
    [InlineData(10, 0.2, 8, 2)]
    [InlineData(5, 0.5, 2, 3)]     // round(2.5) = 3: midpoint away from zero
    [InlineData(10, 0.01, 9, 1)]   // at least one held out
    [InlineData(2, 0.9, 1, 1)]     // never all of them
    [InlineData(1, 0.5, 1, 0)]     // nothing to spare
    [InlineData(10, 0, 10, 0)]
    public void Split_holds_out_the_last_samples(int n, double fraction, int fit, int heldOut)
    {
        var (fitSet, heldOutSet) = Set(n).Split(fraction);

        Assert.Equal(fit, fitSet.SampleCount);
        Assert.Equal(heldOut, heldOutSet.SampleCount);
        Assert.Equal(Enumerable.Range(0, fit).Select(i => (long)i), (long[])fitSet["ids"].ToArray());
        Assert.Equal(Enumerable.Range(fit, heldOut).Select(i => (long)i), (long[])heldOutSet["ids"].ToArray());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Split_rejects_fractions_outside_0_to_1(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Set(4).Split(fraction));

    [Fact]
    public void Batches_have_the_batch_size_first_and_the_samples_in_order()
    {
        var batches = Set(5).Batches(2).ToList();

        Assert.Equal(new[] { 0, 2, 4 }, batches.Select(b => b.FirstSample));
        Assert.Equal(new[] { 2, 2, 1 }, batches.Select(b => b.SampleCount));
        var last = batches[2];
        Assert.Equal(new[] { "x", "ids", "mask" }, last.Inputs.Select(i => i.Name));
        Assert.Equal(new long[] { 1, 2 }, last["x"].Shape);
        Assert.Equal(new float[] { 8, 9 }, Assert.IsType<float[]>(last["x"].Data));
        Assert.Equal(new long[] { 4 }, Assert.IsType<long[]>(last["ids"].Data));
        Assert.Equal(new[] { true, false, true }, Assert.IsType<bool[]>(batches[0]["mask"].Data)[..3]);
        Assert.Equal(new long[] { 2, 3 }, batches[0]["mask"].Shape);
        Assert.Equal("bool", batches[0]["mask"].ElementTypeName);
    }

    [Fact]
    public void Batch_inputs_become_ort_tensors_without_conversion()
    {
        var batch = Set(4).Batches(3).First();

        using var x = batch["x"].ToOrtValue();
        using var ids = batch["ids"].ToOrtValue();
        using var mask = batch["mask"].ToOrtValue();

        Assert.Equal(TensorElementType.Float, x.GetTensorTypeAndShape().ElementDataType);
        Assert.Equal(new long[] { 3, 2 }, x.GetTensorTypeAndShape().Shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, x.GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal(TensorElementType.Int64, ids.GetTensorTypeAndShape().ElementDataType);
        Assert.Equal(TensorElementType.Bool, mask.GetTensorTypeAndShape().ElementDataType);
        Assert.Equal(new long[] { 3, 3 }, mask.GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void Batches_reject_a_size_below_one() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Set(4).Batches(0));

    /// <summary>x float32[n,2] = 0..2n-1, ids int64[n] = 0..n-1, mask bool[n,3] = alternating.</summary>
    private static CalibrationSet Set(int n)
    {
        var x = Enumerable.Range(0, n * 2).Select(i => (float)i).ToArray();
        var ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        var mask = Enumerable.Range(0, n * 3).Select(i => (byte)(i % 2 == 0 ? 1 : 0)).ToArray();
        return new CalibrationSet(
            new[]
            {
                new CalibrationArray("x", 1, new long[] { n, 2 }, MemoryMarshal.AsBytes(x.AsSpan()).ToArray()),
                new CalibrationArray("ids", 7, new long[] { n }, MemoryMarshal.AsBytes(ids.AsSpan()).ToArray()),
                new CalibrationArray("mask", 9, new long[] { n, 3 }, mask),
            },
            n,
            "hash",
            isSynthetic: false);
    }
}
