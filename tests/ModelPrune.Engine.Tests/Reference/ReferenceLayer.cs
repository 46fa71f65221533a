using ModelPrune.Engine.Calibration;

namespace ModelPrune.Engine.Tests.Reference;

/// <summary>
/// One reference layer: W [out, in] (PyTorch layout, row-major) and its real calibration inputs
/// X [tokens, in]; the layer computes Y = X Wᵀ.
/// </summary>
public sealed class ReferenceLayer
{
    private ReferenceLayer(string name, float[] w, float[] x, int outFeatures, int inFeatures, int tokens)
    {
        Name = name;
        W = w;
        X = x;
        Out = outFeatures;
        In = inFeatures;
        Tokens = tokens;
        _outputEnergy = new Lazy<double>(OutputEnergy);
    }

    private readonly Lazy<double> _outputEnergy;

    public string Name { get; }

    public float[] W { get; }

    public float[] X { get; }

    public int Out { get; }

    public int In { get; }

    public int Tokens { get; }

    public static ReferenceLayer Load(string name)
    {
        var w = NpyReader.Read(ReferenceData.File($"{name}/W.npy"));
        var x = NpyReader.Read(ReferenceData.File($"{name}/X.npy"));
        return new ReferenceLayer(name, w.ToFloat32(), x.ToFloat32(), (int)w.Shape[0], (int)w.Shape[1], (int)x.Shape[0]);
    }

    /// <summary>A reference mask (numpy.packbits along rows, big bit order); true = pruned.</summary>
    public bool[] PrunedMask(string file)
    {
        var packed = NpyReader.Read(ReferenceData.File($"{Name}/{file}")).Data;
        var mask = new bool[Out * In];
        var bytesPerRow = In / 8;
        for (var r = 0; r < Out; r++)
        {
            for (var c = 0; c < In; c++)
            {
                mask[(r * In) + c] = ((packed[(r * bytesPerRow) + (c >> 3)] >> (7 - (c & 7))) & 1) != 0;
            }
        }

        return mask;
    }

    public float[] ReferenceWeights(string file) => NpyReader.Read(ReferenceData.File($"{Name}/{file}")).ToFloat32();

    /// <summary>
    /// ||X Wᵀ − X Ŵᵀ||²_F / ||X Wᵀ||²_F in float64, the reference README's metric. Only the entries Ŵ changed
    /// are visited (all of them for SparseGPT, the pruned half for Wanda), and ||X Wᵀ||² is computed once.
    /// </summary>
    public double RelativeError(float[] pruned)
    {
        var changed = new int[Out][];
        var deltas = new double[Out][];
        for (var o = 0; o < Out; o++)
        {
            var row = o * In;
            changed[o] = Enumerable.Range(0, In).Where(j => pruned[row + j] != W[row + j]).ToArray();
            deltas[o] = changed[o].Select(j => (double)W[row + j] - pruned[row + j]).ToArray();
        }

        return SumOfSquaredProducts(changed, deltas) / _outputEnergy.Value;
    }

    /// <summary>Σ_t Σ_o (Σ_k X[t, c_o[k]] · v_o[k])² for sparse rows (c_o, v_o) of a matrix.</summary>
    private double SumOfSquaredProducts(int[][] columns, double[][] values)
    {
        var sums = new double[Tokens];
        Parallel.For(0, Tokens, t =>
        {
            var start = t * In;
            double sum = 0;
            for (var o = 0; o < columns.Length; o++)
            {
                var c = columns[o];
                var v = values[o];
                double y = 0;
                for (var k = 0; k < c.Length; k++) y += X[start + c[k]] * v[k];
                sum += y * y;
            }

            sums[t] = sum;
        });
        return sums.Sum();
    }

    private double OutputEnergy()
    {
        var all = Enumerable.Range(0, In).ToArray();
        return SumOfSquaredProducts(
            Enumerable.Range(0, Out).Select(_ => all).ToArray(),
            Enumerable.Range(0, Out).Select(o => all.Select(j => (double)W[(o * In) + j]).ToArray()).ToArray());
    }
}
