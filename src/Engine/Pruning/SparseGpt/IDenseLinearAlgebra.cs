namespace ModelPrune.Engine.Pruning.SparseGpt;

/// <summary>
/// The few dense float32 operations SparseGPT spends its time in. Matrices are row-major arrays; a
/// sub-matrix is an offset plus a leading dimension (the distance between its rows). The pruner only
/// talks to this seam, so a GPU implementation can replace <see cref="ManagedLinearAlgebra"/> without
/// touching the method.
/// </summary>
internal interface IDenseLinearAlgebra
{
    /// <summary>H[d, d] += scale · XᵀX for a row-major block X [n, d] (a symmetric rank-n update, SYRK).</summary>
    void AccumulateGram(float[] H, ReadOnlySpan<float> X, int n, int d, float scale);

    /// <summary>
    /// In place: A [d, d] symmetric positive definite becomes its upper Cholesky factor U (A = UᵀU), with the
    /// strictly lower part zeroed. Returns false when a pivot is not positive (or not a number); A is then
    /// partly overwritten and must be rebuilt by the caller.
    /// </summary>
    bool CholeskyUpper(float[] A, int d);

    /// <summary>In place: an upper Cholesky factor U [d, d] becomes (UᵀU)⁻¹, stored in full (both triangles).</summary>
    void CholeskyInverse(float[] U, int d);

    /// <summary>C[m, n] -= A[m, k] · B[k, n] (GEMM), each operand a row-major sub-matrix given by offset and leading dimension.</summary>
    void SubtractProduct(
        float[] C, int cOffset, int ldc,
        float[] A, int aOffset, int lda,
        float[] B, int bOffset, int ldb,
        int m, int n, int k);
}
