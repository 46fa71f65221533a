using System.Numerics;
using System.Runtime.CompilerServices;

namespace ModelPrune.Engine.Pruning.SparseGpt;

/// <summary>
/// <see cref="IDenseLinearAlgebra"/> in managed float32 code. Every O(d³) step is recast as products that
/// go through one SIMD kernel (<see cref="GemmKernel"/>), cut into output tiles that Parallel.For spreads
/// over the cores; what is left outside it (diagonal blocks, panel solves) is O(d²·b).
/// </summary>
public sealed unsafe class ManagedLinearAlgebra : IDenseLinearAlgebra
{
    // Panel width of the blocked factorisations. Larger panels move work out of the fast kernel into the
    // unblocked diagonal-block code; smaller ones make the trailing products too thin to run at speed.
    private const int Panel = 96;

    // Output tile of the parallel products: a multiple of the kernel's 6×16 register block, small enough that
    // a 1536-wide matrix gives both cores many tiles, large enough that the A panel (96 × 256 floats) stays in L2.
    private const int TileRows = 96;
    private const int TileCols = 192;

    // Column chunk of the panel triangular solve, which is parallel over independent columns.
    private const int SolveChunk = 256;

    private readonly ParallelOptions parallel;

    /// <param name="maxDegreeOfParallelism">Threads to use; -1 (the default) uses every core.</param>
    public ManagedLinearAlgebra(int maxDegreeOfParallelism = -1)
    {
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), "use -1 for all cores or a positive thread count");
        }

        parallel = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
    }

    /// <summary>An instance that uses every core.</summary>
    public static ManagedLinearAlgebra Shared { get; } = new();

    public int MaxDegreeOfParallelism => parallel.MaxDegreeOfParallelism;

    public void AccumulateGram(float[] H, ReadOnlySpan<float> X, int n, int d, float scale)
    {
        Require(H.Length >= (long)d * d, "H is smaller than d × d");
        Require(X.Length >= (long)n * d, "X is smaller than n × d");
        fixed (float* h = H)
        fixed (float* x = X)
        {
            // Only the upper triangle is formed (Aᵀ is X read column-wise), then mirrored: half the work.
            Multiply(h, d, x, 1, d, x, d, d, d, n, scale, upperOnly: true);
            MirrorUpperToLower(h, d);
        }
    }

    public bool CholeskyUpper(float[] A, int d)
    {
        Require(A.Length >= (long)d * d, "A is smaller than d × d");
        fixed (float* a = A)
        {
            // Right-looking: factor a panel of rows, then remove its contribution from the trailing matrix
            // with one big product, where nearly all the flops are.
            for (var k0 = 0; k0 < d; k0 += Panel)
            {
                var k1 = Math.Min(k0 + Panel, d);
                if (!FactorDiagonalBlock(a, d, k0, k1)) return false;
                if (k1 == d) break;

                SolvePanel(a, d, k0, k1);
                var u12 = a + ((long)k0 * d) + k1;
                Multiply(a + ((long)k1 * d) + k1, d, u12, 1, d, u12, d, d - k1, d - k1, k1 - k0, -1f, upperOnly: true);
            }

            for (var i = 1; i < d; i++)
            {
                new Span<float>(a + ((long)i * d), i).Clear();
            }
        }

        return true;
    }

    public void CholeskyInverse(float[] U, int d)
    {
        Require(U.Length >= (long)d * d, "U is smaller than d × d");

        // (UᵀU)⁻¹ = U⁻¹U⁻ᵀ = VᵀV with V = (Uᵀ)⁻¹ lower triangular. Working with V keeps both products in the
        // kernel's row-major B form.
        var V = new float[(long)d * d];
        var T = new float[(long)Panel * d];
        var blockInverse = new float[Panel * Panel];
        fixed (float* u = U)
        fixed (float* v = V)
        fixed (float* t = T)
        fixed (float* bi = blockInverse)
        {
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    v[((long)i * d) + j] = u[((long)j * d) + i];
                }
            }

            // Blocked inversion of L = Uᵀ by block rows: V[I, :I] = -L[I, I]⁻¹ · (L[I, :I] · V[:I, :I]).
            for (var i0 = 0; i0 < d; i0 += Panel)
            {
                var i1 = Math.Min(i0 + Panel, d);
                var rows = i1 - i0;
                var lii = v + ((long)i0 * d) + i0;
                InvertLowerBlock(lii, d, bi, rows);
                if (i0 > 0)
                {
                    new Span<float>(t, rows * d).Clear();
                    Multiply(t, d, v + ((long)i0 * d), d, 1, v, d, rows, i0, i0, 1f, kFromColumn: true);
                    for (var r = 0; r < rows; r++)
                    {
                        new Span<float>(v + ((long)(i0 + r) * d), i0).Clear();
                    }

                    Multiply(v + ((long)i0 * d), d, bi, Panel, 1, t, d, rows, i0, rows, -1f);
                }

                for (var r = 0; r < rows; r++)
                {
                    new Span<float>(bi + (r * Panel), r + 1).CopyTo(new Span<float>(lii + ((long)r * d), r + 1));
                }
            }

            new Span<float>(u, d * d).Clear();
            Multiply(u, d, v, 1, d, v, d, d, d, d, 1f, upperOnly: true, kFromRowAndColumn: true);
            MirrorUpperToLower(u, d);
        }
    }

    public void SubtractProduct(
        float[] C, int cOffset, int ldc,
        float[] A, int aOffset, int lda,
        float[] B, int bOffset, int ldb,
        int m, int n, int k)
    {
        if (m <= 0 || n <= 0 || k <= 0) return;
        RequireBlock(C.Length, cOffset, ldc, m, n, nameof(C));
        RequireBlock(A.Length, aOffset, lda, m, k, nameof(A));
        RequireBlock(B.Length, bOffset, ldb, k, n, nameof(B));
        fixed (float* c = C)
        fixed (float* a = A)
        fixed (float* b = B)
        {
            Multiply(c + cOffset, ldc, a + aOffset, lda, 1, b + bOffset, ldb, m, n, k, -1f);
        }
    }

    /// <summary>
    /// C += alpha · A·B over parallel output tiles. upperOnly skips tiles wholly below C's diagonal (symmetric
    /// results). The k flags skip terms that are structurally zero because an operand is lower triangular in
    /// the same index space as C: B(k, j) = 0 for k &lt; j (kFromColumn), and also A(i, k) = 0 for k &lt; i.
    /// </summary>
    private void Multiply(
        float* C, int ldc,
        float* A, int rowStride, int kStride,
        float* B, int ldb,
        int m, int n, int k, float alpha,
        bool upperOnly = false, bool kFromColumn = false, bool kFromRowAndColumn = false)
    {
        var tileRows = (m + TileRows - 1) / TileRows;
        var tileCols = (n + TileCols - 1) / TileCols;
        var tiles = new List<(int I0, int J0)>(tileRows * tileCols);
        for (var ti = 0; ti < tileRows; ti++)
        {
            for (var tj = 0; tj < tileCols; tj++)
            {
                var i0 = ti * TileRows;
                var j0 = tj * TileCols;
                if (upperOnly && i0 >= Math.Min(j0 + TileCols, n)) continue;
                tiles.Add((i0, j0));
            }
        }

        nint c = (nint)C, a = (nint)A, b = (nint)B;
        void RunTile(int index)
        {
            var (i0, j0) = tiles[index];
            var rows = Math.Min(TileRows, m - i0);
            var cols = Math.Min(TileCols, n - j0);
            var kStart = kFromRowAndColumn ? Math.Max(i0, j0) : kFromColumn ? j0 : 0;
            if (kStart >= k) return;
            GemmKernel.MultiplyAdd(
                (float*)c + ((long)i0 * ldc) + j0, ldc,
                (float*)a + ((long)i0 * rowStride) + ((long)kStart * kStride), rowStride, kStride,
                (float*)b + ((long)kStart * ldb) + j0, ldb,
                rows, cols, k - kStart, alpha);
        }

        if (tiles.Count == 1 || parallel.MaxDegreeOfParallelism == 1)
        {
            for (var t = 0; t < tiles.Count; t++) RunTile(t);
        }
        else
        {
            Parallel.For(0, tiles.Count, parallel, RunTile);
        }
    }

    // Unblocked upper Cholesky of the diagonal block [k0, k1) (rows already updated by earlier panels).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool FactorDiagonalBlock(float* a, int d, int k0, int k1)
    {
        for (var k = k0; k < k1; k++)
        {
            var rowK = a + ((long)k * d);
            var pivot = rowK[k];
            if (!(pivot > 0f) || float.IsPositiveInfinity(pivot)) return false;

            var r = MathF.Sqrt(pivot);
            rowK[k] = r;
            for (var j = k + 1; j < k1; j++) rowK[j] /= r;
            for (var i = k + 1; i < k1; i++)
            {
                Axpy(a + ((long)i * d) + i, -rowK[i], rowK + i, k1 - i);
            }
        }

        return true;
    }

    // U12 = U11⁻ᵀ A12 for the rows [k0, k1) and columns [k1, d): forward substitution, independent per column.
    private void SolvePanel(float* a, int d, int k0, int k1)
    {
        var chunks = (d - k1 + SolveChunk - 1) / SolveChunk;
        var basePointer = (nint)a;
        void SolveChunkAt(int chunk)
        {
            var p = (float*)basePointer;
            var j0 = k1 + (chunk * SolveChunk);
            var width = Math.Min(SolveChunk, d - j0);
            for (var r = k0; r < k1; r++)
            {
                var row = p + ((long)r * d) + j0;
                Scale(row, 1f / p[((long)r * d) + r], width);
                for (var q = r + 1; q < k1; q++)
                {
                    Axpy(p + ((long)q * d) + j0, -p[((long)r * d) + q], row, width);
                }
            }
        }

        if (chunks == 1 || parallel.MaxDegreeOfParallelism == 1)
        {
            for (var c = 0; c < chunks; c++) SolveChunkAt(c);
        }
        else
        {
            Parallel.For(0, chunks, parallel, SolveChunkAt);
        }
    }

    // Inverse of the lower triangular block L[size, size] (leading dimension ld) into dense inv[size, Panel].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InvertLowerBlock(float* l, int ld, float* inv, int size)
    {
        new Span<float>(inv, Panel * Panel).Clear();
        for (var j = 0; j < size; j++)
        {
            inv[(j * Panel) + j] = 1f / l[((long)j * ld) + j];
            for (var i = j + 1; i < size; i++)
            {
                var s = 0f;
                for (var k = j; k < i; k++) s += l[((long)i * ld) + k] * inv[(k * Panel) + j];
                inv[(i * Panel) + j] = -s / l[((long)i * ld) + i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MirrorUpperToLower(float* a, int d)
    {
        for (var i = 1; i < d; i++)
        {
            for (var j = 0; j < i; j++)
            {
                a[((long)i * d) + j] = a[((long)j * d) + i];
            }
        }
    }

    // y += s · x
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy(float* y, float s, float* x, int length)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(s);
            for (; j + Vector<float>.Count <= length; j += Vector<float>.Count)
            {
                Unsafe.WriteUnaligned(y + j, Unsafe.ReadUnaligned<Vector<float>>(y + j) + (vs * Unsafe.ReadUnaligned<Vector<float>>(x + j)));
            }
        }

        for (; j < length; j++) y[j] += s * x[j];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(float* y, float s, int length)
    {
        for (var j = 0; j < length; j++) y[j] *= s;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }

    private static void RequireBlock(int length, int offset, int ld, int rows, int cols, string name)
    {
        if (offset < 0 || ld < cols || offset + ((long)(rows - 1) * ld) + cols > length)
        {
            throw new ArgumentException($"{name}: a {rows} × {cols} block at offset {offset} with leading dimension {ld} does not fit in {length} elements");
        }
    }
}
