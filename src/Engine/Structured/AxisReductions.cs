using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>Per-index reductions of a float constant along one axis: what the unit scores are made of.</summary>
internal static class AxisReductions
{
    /// <summary>Σ w² over everything at each index of <paramref name="axis"/>.</summary>
    public static double[] SumOfSquares(TensorProto tensor, int axis) => Reduce(tensor, axis, (acc, w) => acc + ((double)w * w));

    /// <summary>max |w| over everything at each index of <paramref name="axis"/>.</summary>
    public static double[] MaxAbs(TensorProto tensor, int axis) => Reduce(tensor, axis, (acc, w) => Math.Max(acc, Math.Abs((double)w)));

    /// <summary>Sums consecutive runs of <paramref name="block"/> indices into one value per unit (a head's channels).</summary>
    public static double[] PerUnit(double[] perIndex, int block, Func<double, double, double> combine)
    {
        var units = new double[perIndex.Length / block];
        for (var u = 0; u < units.Length; u++)
        {
            var value = perIndex[u * block];
            for (var j = 1; j < block; j++) value = combine(value, perIndex[(u * block) + j]);
            units[u] = value;
        }

        return units;
    }

    private static double[] Reduce(TensorProto tensor, int axis, Func<double, float, double> step)
    {
        var W = new ModelPrune.Engine.Onnx.WeightTensor(tensor.Name, tensor).ReadValues();
        var dims = tensor.Dims.ToArray();
        var length = (int)dims[axis];
        var inner = dims.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        var result = new double[length];
        for (long i = 0; i < W.Length; i++)
        {
            var index = (int)(i / inner % length);
            result[index] = step(result[index], W[i]);
        }

        return result;
    }
}
