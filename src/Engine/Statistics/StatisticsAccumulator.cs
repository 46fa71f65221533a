using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// Running double-precision sums for one activation. Batches are added straight from ORT's output
/// buffers, so a d×d Gram is never copied into a second managed array per batch.
/// </summary>
internal sealed class StatisticsAccumulator
{
    public StatisticsAccumulator(int features, int groups, bool gram)
    {
        Features = features;
        Groups = groups;
        NormsSquared = new double[checked(groups * features)];
        Gram = gram ? new double[checked(groups * features * features)] : null;
    }

    public int Features { get; }

    public int Groups { get; }

    public long Tokens { get; private set; }

    public double[] NormsSquared { get; }

    public double[]? Gram { get; }

    public void AddRows(OrtValue rows) => Tokens += rows.GetTensorDataAsSpan<long>()[0];

    public void AddNorms(OrtValue norms) => Add(norms, NormsSquared, "norms");

    public void AddGram(OrtValue gram) => Add(gram, Gram ?? throw new InvalidOperationException("no Gram was requested"), "Gram");

    private static void Add(OrtValue value, double[] sums, string what)
    {
        var type = value.GetTensorTypeAndShape().ElementDataType;
        switch (type)
        {
            case TensorElementType.Float:
                Add(value.GetTensorDataAsSpan<float>(), sums, what);
                break;
            case TensorElementType.Double:
                Add(value.GetTensorDataAsSpan<double>(), sums, what);
                break;
            default:
                throw new InvalidOperationException($"the statistics graph produced {type} {what}; it always casts to float or double");
        }
    }

    private static void Add(ReadOnlySpan<float> batch, double[] sums, string what)
    {
        CheckLength(batch.Length, sums, what);
        for (var i = 0; i < sums.Length; i++)
        {
            sums[i] += batch[i];
        }
    }

    private static void Add(ReadOnlySpan<double> batch, double[] sums, string what)
    {
        CheckLength(batch.Length, sums, what);
        for (var i = 0; i < sums.Length; i++)
        {
            sums[i] += batch[i];
        }
    }

    private static void CheckLength(int length, double[] sums, string what)
    {
        if (length != sums.Length)
        {
            throw new InvalidOperationException($"the statistics graph produced {length} {what} values where {sums.Length} were expected");
        }
    }
}
