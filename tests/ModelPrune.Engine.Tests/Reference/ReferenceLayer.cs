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
    }

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

    /// <summary>||X Wᵀ − X Ŵᵀ||²_F / ||X Wᵀ||²_F in float64, the reference README's metric.</summary>
    public double RelativeError(float[] pruned)
    {
        double error = 0, total = 0;
        Parallel.For(0, Tokens, () => (0.0, 0.0), (t, _, sums) =>
        {
            var row = X.AsSpan(t * In, In);
            for (var o = 0; o < Out; o++)
            {
                double y = 0, yHat = 0;
                var w = W.AsSpan(o * In, In);
                var wHat = pruned.AsSpan(o * In, In);
                for (var i = 0; i < In; i++)
                {
                    y += (double)row[i] * w[i];
                    yHat += (double)row[i] * wHat[i];
                }

                sums.Item1 += (y - yHat) * (y - yHat);
                sums.Item2 += y * y;
            }

            return sums;
        }, sums =>
        {
            lock (X)
            {
                error += sums.Item1;
                total += sums.Item2;
            }
        });
        return error / total;
    }
}
