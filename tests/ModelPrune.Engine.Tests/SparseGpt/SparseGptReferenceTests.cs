using System.Globalization;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Tests.Reference;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.SparseGpt;

/// <summary>
/// SparseGPT against the published reference code's results on real MiniLM layers (../shared/reference).
/// They cannot be bit-identical (float32 rounding differs from netlib LAPACK; README section 6), so the
/// tolerances are the README's: the same error within 1 %, ≥ 99.5 % of mask entries equal, and rows with an
/// identical mask equal to ~1e-4.
/// </summary>
public sealed class SparseGptReferenceTests
{
    private readonly ITestOutputHelper output;

    public SparseGptReferenceTests(ITestOutputHelper output) => this.output = output;

    [Theory]
    [MemberData(nameof(ReferenceData.LayerPatternCases), MemberType = typeof(ReferenceData))]
    public void Matches_the_reference_within_its_documented_tolerances(string name, string pattern)
    {
        var layer = ReferenceLayer.Load(name);
        var H = new float[layer.In * layer.In];
        SparseGptPruner.AccumulateHessian(H, layer.X, layer.Tokens, layer.In);
        var W = (float[])layer.W.Clone();
        var (n, m) = pattern == "2:4" ? (2, 4) : (0, 0);

        var result = SparseGptPruner.Prune(W, layer.Out, layer.In, H, 0.5, n, m);

        var reference = layer.ReferenceWeights($"sparsegpt.{(pattern == "2:4" ? "2of4" : pattern)}.What.npy");
        var relativeError = layer.RelativeError(W);
        var referenceError = ReferenceData.ReferenceError(name, "sparsegpt", pattern);
        var (agreement, equalRows, worstRowDelta) = CompareMasks(W, reference, layer.Out, layer.In);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name} {pattern}: rel_err {relativeError:G6} (reference {referenceError:G6}, ratio {relativeError / referenceError:F5}), mask agreement {agreement:P4}, identical rows {equalRows}/{layer.Out}, worst row delta {worstRowDelta:E2}, loss {result.Loss:G6} (reference {ReferenceLoss(name, pattern):G6})"));

        Assert.Equal(0, result.DampeningSteps);
        Assert.Equal(0.01, result.Dampening);
        Assert.InRange(relativeError / referenceError, 0.99, 1.01);
        Assert.InRange(result.Loss / ReferenceLoss(name, pattern), 0.99, 1.01);
        Assert.True(agreement >= 0.995, $"mask agreement {agreement:P4}");
        Assert.True(equalRows > layer.Out / 2, $"only {equalRows} of {layer.Out} rows have the reference mask");
        Assert.True(worstRowDelta <= 2e-4, $"a row with the reference mask differs by {worstRowDelta:E2}");
        Assert.Equal(reference.Count(w => w == 0f), W.Count(w => w == 0f));
        if (n != 0) AssertEveryGroupHasExactlyNZeros(W, n, m);
    }

    [Fact]
    public void Results_do_not_depend_on_the_number_of_threads()
    {
        var layer = ReferenceLayer.Load("L0_attn_query");
        float[] Run(int threads)
        {
            var algebra = new ManagedLinearAlgebra(threads);
            var H = new float[layer.In * layer.In];
            SparseGptPruner.AccumulateHessian(H, layer.X, layer.Tokens, layer.In, algebra);
            var W = (float[])layer.W.Clone();
            SparseGptPruner.Prune(W, layer.Out, layer.In, H, 0.5, algebra: algebra);
            return W;
        }

        Assert.Equal(Run(1), Run(2));
    }

    // Mask agreement over all entries; over the rows whose masks agree, the largest ‖ΔŴ_row‖ / ‖Ŵ_row‖.
    private static (double Agreement, int EqualRows, double WorstRowDelta) CompareMasks(float[] W, float[] reference, int rows, int cols)
    {
        long agree = 0;
        var equalRows = 0;
        var worst = 0.0;
        for (var r = 0; r < rows; r++)
        {
            var same = true;
            double delta = 0, norm = 0;
            for (var c = 0; c < cols; c++)
            {
                var i = (r * cols) + c;
                if ((W[i] == 0f) == (reference[i] == 0f)) agree++;
                else same = false;
                delta += ((double)W[i] - reference[i]) * ((double)W[i] - reference[i]);
                norm += (double)reference[i] * reference[i];
            }

            if (!same) continue;
            equalRows++;
            worst = Math.Max(worst, Math.Sqrt(delta / norm));
        }

        return ((double)agree / W.Length, equalRows, worst);
    }

    private static void AssertEveryGroupHasExactlyNZeros(float[] W, int n, int m)
    {
        for (var g = 0; g < W.Length; g += m)
        {
            Assert.Equal(n, W.AsSpan(g, m).ToArray().Count(w => w == 0f));
        }
    }

    // The reference's own accumulated loss (metrics.csv column sparsegpt_internal_loss).
    private static double ReferenceLoss(string layer, string pattern)
    {
        foreach (var line in File.ReadLines(ReferenceData.File("metrics.csv")).Skip(1))
        {
            var cells = line.Split(',');
            if (cells[0] == layer && cells[1] == "sparsegpt" && cells[2] == pattern)
            {
                return double.Parse(cells[10], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"metrics.csv has no sparsegpt row for {layer} {pattern}");
    }
}
