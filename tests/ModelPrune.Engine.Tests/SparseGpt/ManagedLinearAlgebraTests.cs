using ModelPrune.Engine.Pruning.SparseGpt;

namespace ModelPrune.Engine.Tests.SparseGpt;

/// <summary>
/// The blocked float32 routines against straightforward float64 loops. Sizes are odd on purpose: they cut
/// through the 96-wide panels, the 96 × 192 tiles and the kernel's 6 × 16 register blocks.
/// </summary>
public sealed class ManagedLinearAlgebraTests
{
    public static TheoryData<int, int> Sizes() => new() { { 1, 1 }, { 7, 2 }, { 203, 1 }, { 203, 2 }, { 390, 2 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Gram_matrix_equals_the_double_loop(int d, int threads)
    {
        const int n = 37;
        var X = Random(n * d, seed: d);
        var H = Random(d * d, seed: d + 1);
        var expected = H.Select(h => (double)h).ToArray();
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                for (var t = 0; t < n; t++) expected[(i * d) + j] += 2.0 * X[(t * d) + i] * X[(t * d) + j];
            }
        }

        // H starts symmetric, as every Hessian the pruner accumulates into does.
        Symmetrize(H, d);
        Symmetrize(expected, d);

        new ManagedLinearAlgebra(threads).AccumulateGram(H, X, n, d, 2f);

        AssertClose(expected, H, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Cholesky_and_its_inverse_equal_the_double_loops(int d, int threads)
    {
        var A = PositiveDefinite(d, seed: d);
        var algebra = new ManagedLinearAlgebra(threads);
        var expectedU = CholeskyUpper(A.Select(a => (double)a).ToArray(), d);

        var U = (float[])A.Clone();
        Assert.True(algebra.CholeskyUpper(U, d));
        AssertClose(expectedU, U, 1e-5);

        // (UᵀU)⁻¹ in double: A⁻¹ = U⁻¹U⁻ᵀ with U⁻¹ by back substitution.
        var expectedInverse = InverseFromUpper(expectedU, d);
        algebra.CholeskyInverse(U, d);
        AssertClose(expectedInverse, U, 1e-4);
    }

    [Fact]
    public void A_matrix_that_is_not_positive_definite_fails()
    {
        const int d = 150;
        var A = PositiveDefinite(d, seed: 3);
        A[(120 * d) + 120] = -1f;
        Assert.False(new ManagedLinearAlgebra().CholeskyUpper(A, d));

        var nan = PositiveDefinite(d, seed: 4);
        nan[(10 * d) + 11] = nan[(11 * d) + 10] = float.NaN;
        Assert.False(new ManagedLinearAlgebra().CholeskyUpper(nan, d));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Subtract_product_on_sub_matrices_equals_the_double_loop(int threads)
    {
        // C[5.., 3..] (101 × 250, ldc 260) -= A[.., 2..] (101 × 67, lda 70) · B[1.., ..] (67 × 250, ldb 255)
        int m = 101, n = 250, k = 67, ldc = 260, lda = 70, ldb = 255;
        int cOffset = (5 * ldc) + 3, aOffset = 2, bOffset = ldb;
        var C = Random(110 * ldc, seed: 1);
        var A = Random(m * lda, seed: 2);
        var B = Random((k + 1) * ldb, seed: 3);
        var expected = C.Select(c => (double)c).ToArray();
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var p = 0; p < k; p++) expected[cOffset + (i * ldc) + j] -= (double)A[aOffset + (i * lda) + p] * B[bOffset + (p * ldb) + j];
            }
        }

        new ManagedLinearAlgebra(threads).SubtractProduct(C, cOffset, ldc, A, aOffset, lda, B, bOffset, ldb, m, n, k);

        AssertClose(expected, C, 1e-5);
    }

    [Fact]
    public void A_product_that_does_not_fit_is_refused()
    {
        var small = new float[10];
        Assert.Throws<ArgumentException>(() => new ManagedLinearAlgebra().SubtractProduct(small, 0, 4, small, 0, 4, small, 0, 4, 3, 4, 4));
    }

    internal static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    // BᵀB/d + I: well conditioned, so float32 and float64 agree to ~1e-6.
    internal static float[] PositiveDefinite(int d, int seed)
    {
        var B = Random(d * d, seed);
        var A = new float[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var s = i == j ? 1.0 : 0.0;
                for (var t = 0; t < d; t++) s += (double)B[(t * d) + i] * B[(t * d) + j] / d;
                A[(i * d) + j] = (float)s;
            }
        }

        return A;
    }

    private static double[] CholeskyUpper(double[] A, int d)
    {
        var U = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = i; j < d; j++)
            {
                var s = A[(i * d) + j];
                for (var k = 0; k < i; k++) s -= U[(k * d) + i] * U[(k * d) + j];
                U[(i * d) + j] = i == j ? Math.Sqrt(s) : s / U[(i * d) + i];
            }
        }

        return U;
    }

    private static double[] InverseFromUpper(double[] U, int d)
    {
        var Uinv = new double[d * d];
        for (var j = 0; j < d; j++)
        {
            for (var i = j; i >= 0; i--)
            {
                var s = i == j ? 1.0 : 0.0;
                for (var k = i + 1; k <= j; k++) s -= U[(i * d) + k] * Uinv[(k * d) + j];
                Uinv[(i * d) + j] = s / U[(i * d) + i];
            }
        }

        var inverse = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++)
            {
                var s = 0.0;
                for (var k = Math.Max(i, j); k < d; k++) s += Uinv[(i * d) + k] * Uinv[(j * d) + k];
                inverse[(i * d) + j] = s;
            }
        }

        return inverse;
    }

    private static void Symmetrize(float[] A, int d)
    {
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < i; j++) A[(i * d) + j] = A[(j * d) + i];
        }
    }

    private static void Symmetrize(double[] A, int d)
    {
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < i; j++) A[(i * d) + j] = A[(j * d) + i];
        }
    }

    // Largest error relative to the largest expected magnitude.
    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() / scale;
        Assert.True(worst <= tolerance, $"largest relative error {worst:E2} > {tolerance:E0}");
    }
}
