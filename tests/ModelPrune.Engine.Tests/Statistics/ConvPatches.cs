namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>
/// im2col written out loop by loop from the Conv definition, as the ground truth for the unfolding the
/// statistics graph does with an identity Conv: one row per (sample, output position), per group.
/// </summary>
internal sealed record ConvPatches(int Groups, int Channels, int KernelHeight, int KernelWidth,
    int StrideHeight, int StrideWidth, int PadTop, int PadLeft, int DilationHeight, int DilationWidth, int OutputHeight, int OutputWidth)
{
    public int PatchSize => Channels / Groups * KernelHeight * KernelWidth;

    /// <summary>x [samples, Channels, height, width] → per group, the rows [samples·OutputHeight·OutputWidth, PatchSize] concatenated.</summary>
    public float[][] Unfold(float[] x, int samples, int height, int width)
    {
        var perGroup = Channels / Groups;
        var result = new float[Groups][];
        for (var g = 0; g < Groups; g++)
        {
            var rows = new float[samples * OutputHeight * OutputWidth * PatchSize];
            var row = 0;
            for (var n = 0; n < samples; n++)
            {
                for (var oh = 0; oh < OutputHeight; oh++)
                {
                    for (var ow = 0; ow < OutputWidth; ow++, row++)
                    {
                        var column = 0;
                        for (var c = 0; c < perGroup; c++)
                        {
                            for (var kh = 0; kh < KernelHeight; kh++)
                            {
                                for (var kw = 0; kw < KernelWidth; kw++, column++)
                                {
                                    var ih = (oh * StrideHeight) - PadTop + (kh * DilationHeight);
                                    var iw = (ow * StrideWidth) - PadLeft + (kw * DilationWidth);
                                    var inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
                                    rows[(row * PatchSize) + column] = inside ? x[(((n * Channels) + (g * perGroup) + c) * height + ih) * width + iw] : 0f;
                                }
                            }
                        }
                    }
                }
            }

            result[g] = rows;
        }

        return result;
    }
}
