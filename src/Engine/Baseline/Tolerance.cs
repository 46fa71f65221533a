using System.Globalization;

namespace ModelPrune.Engine.Baseline;

/// <summary>
/// How far a metric may get worse: an absolute amount (<c>0.01</c>) or a share of the baseline value
/// (<c>2%</c>). The relative form exists for metrics without a natural scale (maxAbs, perplexity).
/// </summary>
internal readonly record struct Tolerance(double Amount, bool IsRelative)
{
    public double AllowedWorseningFrom(double baselineValue) => IsRelative ? Math.Abs(baselineValue) * Amount : Amount;

    public override string ToString() => IsRelative
        ? (Amount * 100).ToString("0.####", CultureInfo.InvariantCulture) + "%"
        : Amount.ToString(CultureInfo.InvariantCulture);
}
