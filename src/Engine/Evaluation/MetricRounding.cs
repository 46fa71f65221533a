using System.Globalization;

namespace ModelPrune.Engine.Evaluation;

/// <summary>
/// Rounds metrics to 6 significant digits: summation order and SIMD width differ between CPUs, and the
/// last bits must not change the deterministic report.
/// </summary>
internal static class MetricRounding
{
    public static double Round6(double value)
    {
        if (!double.IsFinite(value) || value == 0)
        {
            // -0 would print as "-0"; a metric has no sign of zero.
            return value == 0 ? 0 : value;
        }

        // Going through text is exact about "6 significant digits" where Math.Round(x * 10^k) is not.
        return double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
