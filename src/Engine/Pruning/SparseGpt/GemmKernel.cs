using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelPrune.Engine.Pruning.SparseGpt;

/// <summary>
/// Single-threaded float32 GEMM: C[i, j] += alpha · Σ_k A(i, k) · B(k, j). B and C are row-major; A is
/// addressed as A[i · rowStride + k · kStride], so the same kernel serves A (kStride 1) and Aᵀ (rowStride 1)
/// without a transposed copy, which is how XᵀX and the Cholesky trailing update UᵀU are formed.
/// </summary>
/// <remarks>
/// The inner loop keeps a 6×16 block of C in twelve 256-bit registers and streams 16 floats of B and six
/// broadcast A values per k: twelve FMAs per eight loads, so it is bound by the FMA units rather than by
/// loads. Operands are first copied ("packed") per chunk of <see cref="KChunk"/> k values into contiguous
/// 6-row and 16-column strips: read in place, rows of a 1536-wide matrix are 6 KiB apart and all fall into
/// two L1 sets, so the strip the kernel reuses would not stay cached. Packing also pads the edges with
/// zeros, so one kernel covers every shape. Everything is float32, like the reference's torch/LAPACK
/// float32 path. The loops are compiled fully optimised at once: a pruning run is one short process, and
/// tier-0 code for these loops is several times slower.
/// </remarks>
internal static unsafe class GemmKernel
{
    private const int KChunk = 256;
    private const int MR = 6;
    private const int NR = 16;

    // Packing buffers, one pair per thread so that parallel tiles never share them.
    [ThreadStatic]
    private static float[]? packedA;

    [ThreadStatic]
    private static float[]? packedB;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(
        float* C, int ldc,
        float* A, int rowStride, int kStride,
        float* B, int ldb,
        int m, int n, int k, float alpha)
    {
        if (m <= 0 || n <= 0 || k <= 0) return;
        if (!Fma.IsSupported)
        {
            Portable(C, ldc, A, rowStride, kStride, B, ldb, m, n, k, alpha);
            return;
        }

        var groups = (m + MR - 1) / MR;
        var strips = (n + NR - 1) / NR;
        var aBuffer = Buffer(ref packedA, groups * MR * KChunk);
        var bBuffer = Buffer(ref packedB, strips * NR * KChunk);
        var edge = stackalloc float[MR * NR];
        fixed (float* pa = aBuffer)
        fixed (float* pb = bBuffer)
        {
            for (var k0 = 0; k0 < k; k0 += KChunk)
            {
                var kc = Math.Min(KChunk, k - k0);
                PackA(pa, A + ((long)k0 * kStride), rowStride, kStride, m, kc);
                PackB(pb, B + ((long)k0 * ldb), ldb, n, kc);
                for (var s = 0; s < strips; s++)
                {
                    var j = s * NR;
                    var b = pb + ((long)s * kc * NR);
                    for (var g = 0; g < groups; g++)
                    {
                        var i = g * MR;
                        var a = pa + ((long)g * kc * MR);
                        if (i + MR <= m && j + NR <= n)
                        {
                            Kernel(C + ((long)i * ldc) + j, ldc, a, b, kc, alpha);
                            continue;
                        }

                        // Edge block: compute the padded 6×16 block aside and add the part that exists.
                        new Span<float>(edge, MR * NR).Clear();
                        Kernel(edge, NR, a, b, kc, alpha);
                        for (var r = 0; r < Math.Min(MR, m - i); r++)
                        {
                            for (var c = 0; c < Math.Min(NR, n - j); c++) C[((long)(i + r) * ldc) + j + c] += edge[(r * NR) + c];
                        }
                    }
                }
            }
        }
    }

    private static float[] Buffer(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    // A's rows in groups of 6, each group stored k-major: [group][k][6], rows past m zero.
    private static void PackA(float* packed, float* A, int rowStride, int kStride, int m, int kc)
    {
        for (var i0 = 0; i0 < m; i0 += MR)
        {
            var group = packed + ((long)(i0 / MR) * kc * MR);
            for (var r = 0; r < MR; r++)
            {
                if (i0 + r >= m)
                {
                    for (var p = 0; p < kc; p++) group[(p * MR) + r] = 0f;
                    continue;
                }

                var row = A + ((long)(i0 + r) * rowStride);
                for (var p = 0; p < kc; p++) group[(p * MR) + r] = row[(long)p * kStride];
            }
        }
    }

    // B's columns in strips of 16, each strip stored k-major: [strip][k][16], columns past n zero.
    private static void PackB(float* packed, float* B, int ldb, int n, int kc)
    {
        for (var j0 = 0; j0 < n; j0 += NR)
        {
            var strip = packed + ((long)(j0 / NR) * kc * NR);
            var width = Math.Min(NR, n - j0);
            for (var p = 0; p < kc; p++)
            {
                var source = new ReadOnlySpan<float>(B + ((long)p * ldb) + j0, width);
                var target = new Span<float>(strip + (p * NR), NR);
                source.CopyTo(target);
                target[width..].Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(float* c, int ldc, float* a, float* b, int kc, float alpha)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
            a += MR;
            b += NR;
        }

        var va = Vector256.Create(alpha);
        Store(c, c00, c01, va);
        Store(c + ldc, c10, c11, va);
        Store(c + (2L * ldc), c20, c21, va);
        Store(c + (3L * ldc), c30, c31, va);
        Store(c + (4L * ldc), c40, c41, va);
        Store(c + (5L * ldc), c50, c51, va);
    }

    private static void Store(float* c, Vector256<float> s0, Vector256<float> s1, Vector256<float> alpha)
    {
        Avx.Store(c, Fma.MultiplyAdd(s0, alpha, Avx.LoadVector256(c)));
        Avx.Store(c + 8, Fma.MultiplyAdd(s1, alpha, Avx.LoadVector256(c + 8)));
    }

    // Machines without FMA: one row of C at a time, a saxpy per k.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Portable(float* C, int ldc, float* A, int rs, int ks, float* B, int ldb, int m, int n, int k, float alpha)
    {
        var width = Vector<float>.Count;
        for (var i = 0; i < m; i++)
        {
            var c = C + ((long)i * ldc);
            for (var p = 0; p < k; p++)
            {
                var s = alpha * A[((long)i * rs) + ((long)p * ks)];
                var b = B + ((long)p * ldb);
                var j = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    var vs = new Vector<float>(s);
                    for (; j + width <= n; j += width)
                    {
                        var sum = Unsafe.ReadUnaligned<Vector<float>>(c + j) + (vs * Unsafe.ReadUnaligned<Vector<float>>(b + j));
                        Unsafe.WriteUnaligned(c + j, sum);
                    }
                }

                for (; j < n; j++)
                {
                    c[j] += s * b[j];
                }
            }
        }
    }
}
