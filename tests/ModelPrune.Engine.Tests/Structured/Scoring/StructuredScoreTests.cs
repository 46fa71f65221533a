using Google.Protobuf;
using ModelPrune.Engine.Structured;
using ModelPrune.Engine.Structured.Scoring;
using Onnx;

namespace ModelPrune.Engine.Tests.Structured.Scoring;

/// <summary>The three scores and FLAP's bias shift on hand-made tensors whose answers are worked out by hand.</summary>
public sealed class StructuredScoreTests
{
    // Producer W [in=2, out=3] (MatMul layout: units on axis 1) and consumer W [in=3, out=2] (units on axis 0).
    private static readonly TensorProto Producer = Tensor("p", new long[] { 2, 3 }, 1, 0, -3, 2, 0, 4);
    private static readonly TensorProto Consumer = Tensor("c", new long[] { 3, 2 }, 1, 1, 0, 0, 2, -2);

    [Fact]
    public void Magnitude_l2_is_the_norm_of_everything_a_unit_owns()
    {
        var S = MagnitudeL2Scores.Score(Input());

        // unit 0: 1² + 2² (producer column) + 1² + 1² (consumer row) = 7; unit 1: 0; unit 2: 9 + 16 + 4 + 4 = 33
        Assert.Equal(new[] { Math.Sqrt(7), 0, Math.Sqrt(33) }, S);
    }

    [Fact]
    public void Maw_is_the_largest_absolute_weight_a_unit_owns()
    {
        Assert.Equal(new double[] { 2, 0, 4 }, MawScores.Score(Input()));
    }

    [Fact]
    public void Flap_is_the_input_variance_times_the_squared_column_norm()
    {
        // X over 3 positions: channel 0 = {1, 2, 3} (var 1), channel 1 = {5, 5, 5} (var 0), channel 2 = {0, 2, 4} (var 4).
        var X = new ChannelStatistics(new double[] { 6, 15, 6 }, new double[] { 14, 75, 20 }, 3);
        var input = Input() with { Consumers = new[] { (Consumer, 0, X, new UnitAxis(1)) } };

        // ‖W[j,:]‖² of the consumer (rows are input channels in MatMul layout): 2, 0, 8.
        Assert.Equal(new double[] { 1 * 2, 0, 4 * 8 }, FlapScores.Score(input));
    }

    [Fact]
    public void Flap_sums_a_heads_channels()
    {
        var X = new ChannelStatistics(new double[4], new double[] { 2, 2, 2, 2 }, 2);   // means 0, variances 2
        var consumer = Tensor("c", new long[] { 4, 1 }, 1, 2, 3, 4);
        var input = new UnitScoreInput(2, Array.Empty<(TensorProto, UnitAxis)>(), new[] { (consumer, 0, X, new UnitAxis(2)) });

        Assert.Equal(new double[] { 2 * (1 + 4), 2 * (9 + 16) }, FlapScores.Score(input));
    }

    [Fact]
    public void A_concat_segment_scores_only_its_own_channels()
    {
        // The units fill channels 2 and 3 of a 4-channel activation: channels 0 and 1 belong to another branch.
        var X = new ChannelStatistics(new double[4], new double[] { 100, 100, 2, 8 }, 2);   // variances 100, 100, 2, 8
        var consumer = Tensor("c", new long[] { 1, 4 }, 1, 1, 1, 1);
        var input = new UnitScoreInput(2, Array.Empty<(TensorProto, UnitAxis)>(), new[] { (consumer, 1, X, new UnitAxis(1, 2, 2)) });

        Assert.Equal(new double[] { 2, 8 }, FlapScores.Score(input));
    }

    [Fact]
    public void A_fused_projection_scores_each_unit_over_all_its_runs()
    {
        // 2 units, repeated 3 times along axis 1 (q | k | v), one column each: unit 0 owns columns 0, 2, 4.
        var fused = Tensor("qkv", new long[] { 1, 6 }, 1, 10, 2, 20, 3, 30);
        var axis = new UnitAxis(1, Repeats: 3);
        var input = new UnitScoreInput(2, new[] { (fused, axis) }, Array.Empty<(TensorProto, int, ChannelStatistics, UnitAxis)>());

        Assert.Equal(new double[] { 3, 30 }, MawScores.Score(input));
        Assert.Equal(new[] { 1, 3, 5 }, axis.Indices(new[] { 1 }, 2, 6));
    }

    [Fact]
    public void The_bias_shift_is_the_removed_channels_mean_times_their_weights()
    {
        var X = new ChannelStatistics(new double[] { 3, 30, 300 }, new double[3], 3);   // means 1, 10, 100
        var W = new float[] { 1, 1, 0, 0, 2, -2 };   // [in=3, out=2]

        var delta = FlapScores.BiasShift(W, new long[] { 3, 2 }, outputAxis: 1, inputAxis: 0, new[] { 0, 2 }, X);

        Assert.Equal(new double[] { (1 * 1) + (100 * 2), (1 * 1) + (100 * -2) }, delta);
    }

    [Fact]
    public void The_bias_shift_of_a_conv_sums_the_kernel()
    {
        var X = new ChannelStatistics(new double[] { 2, 0 }, new double[2], 1);   // means 2, 0
        var W = new float[] { 1, 2, 3, 4, 10, 20, 30, 40 };   // [out=1, in=2, 2, 2]

        var delta = FlapScores.BiasShift(W, new long[] { 1, 2, 2, 2 }, outputAxis: 0, inputAxis: 1, new[] { 0 }, X);

        Assert.Equal(new double[] { 2 * (1 + 2 + 3 + 4) }, delta);
    }

    [Fact]
    public void Channel_variance_uses_n_minus_one_and_is_never_negative()
    {
        var X = new ChannelStatistics(new double[] { 6, 3 }, new double[] { 14, 3.0000000001 }, 3);
        Assert.Equal(1, X.Variance(0), 12);
        Assert.Equal(2, X.Mean(0));
        Assert.True(X.Variance(1) >= 0);
    }

    private static UnitScoreInput Input() =>
        new(3, new[] { (Producer, new UnitAxis(1)), (Consumer, new UnitAxis(0)) }, Array.Empty<(TensorProto, int, ChannelStatistics, UnitAxis)>());

    private static TensorProto Tensor(string name, long[] dims, params float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return tensor;
    }
}
