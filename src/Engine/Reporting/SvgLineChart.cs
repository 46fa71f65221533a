using System.Globalization;
using System.Net;
using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// A metric curve as inline SVG: sparsity from 0 to 100% across (or another quantity, e.g. the file size, over
/// <see cref="XRange"/>), the metric up, one marked and labelled point per pruned model joined by a line. The vertical
/// range covers the points with a margin, so small differences stay visible; the axis labels say where it starts.
/// </summary>
internal sealed class SvgLineChart
{
    private const int Width = 960;
    private const int Height = 320;
    private const int Left = 80;
    private const int Right = 40;
    private const int Top = 24;
    private const int Bottom = 48;

    private readonly List<(double X, double Y, bool Highlight)> _points = new();

    public SvgLineChart(string title, string yLabel, Func<double, string> formatY)
    {
        Title = title;
        YLabel = yLabel;
        FormatY = formatY;
    }

    public string Title { get; }

    public string YLabel { get; }

    public Func<double, string> FormatY { get; }

    /// <summary>Limits of the vertical range (e.g. 0 and 1 for a share), so the margin never shows 107%.</summary>
    public (double Low, double High)? Bounds { get; init; }

    /// <summary>A dashed horizontal line at this value with its label (the search's target); kept inside the vertical range.</summary>
    public (double Value, string Label)? Target { get; init; }

    /// <summary>Whether the points are joined by a line (a curve); a search's probes are scattered, not a curve.</summary>
    public bool Connect { get; init; } = true;

    /// <summary>What goes across; sparsity by default.</summary>
    public string XLabel { get; init; } = "sparsity";

    /// <summary>The across axis' extent, 0 to 1 (0 to 100%) by default.</summary>
    public (double Low, double High) XRange { get; init; } = (0, 1);

    public Func<double, string> FormatX { get; init; } = x => x.ToString("0.#%", CultureInfo.InvariantCulture);

    /// <param name="x">Across, within <see cref="XRange"/> (a sparsity in [0, 1] by default).</param>
    /// <param name="highlight">Drawn larger: the model this build kept.</param>
    public SvgLineChart Point(double x, double value, bool highlight = false)
    {
        _points.Add((x, value, highlight));
        return this;
    }

    public string Render()
    {
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var values = _points.Select(p => p.Y).Concat(Target is { } target ? new[] { target.Value } : Array.Empty<double>()).ToArray();
        var low = values.Length == 0 ? 0 : values.Min();
        var high = values.Length == 0 ? 1 : values.Max();
        var margin = high > low ? (high - low) * 0.15 : Math.Max(Math.Abs(high) * 0.05, 0.01);
        low -= margin;
        high += margin;
        if (Bounds is { } bounds)
        {
            low = Math.Max(low, bounds.Low);
            high = Math.Min(high, bounds.High);
            if (high <= low) (low, high) = (bounds.Low, bounds.High);
        }
        var (xLow, xHigh) = XRange;
        double X(double x) => Left + ((x - xLow) / (xHigh - xLow) * plotWidth);
        double Y(double value) => Top + ((high - value) / (high - low) * plotHeight);

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">"));
        svg.Append(Invariant($"<title>{Escape(Title)}</title>"));
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Left + plotWidth}\" y2=\"{Top + plotHeight}\" class=\"axis\"/>"));
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotHeight}\" class=\"axis\"/>"));
        for (var tick = 0; tick <= 5; tick++)
        {
            var value = xLow + ((xHigh - xLow) * tick / 5);
            svg.Append(Invariant($"<text x=\"{X(value):0.#}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\" class=\"tick\">{Escape(FormatX(value))}</text>"));
        }

        svg.Append(Invariant($"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\" class=\"label\">{Escape(XLabel)}</text>"));
        svg.Append(Invariant($"<text x=\"{Left - 8}\" y=\"{Top + 10}\" text-anchor=\"end\" class=\"tick\">{Escape(FormatY(high))}</text>"));
        svg.Append(Invariant($"<text x=\"{Left - 8}\" y=\"{Top + plotHeight}\" text-anchor=\"end\" class=\"tick\">{Escape(FormatY(low))}</text>"));
        svg.Append(Invariant($"<text x=\"16\" y=\"{Top + (plotHeight / 2)}\" transform=\"rotate(-90 16 {Top + (plotHeight / 2)})\" text-anchor=\"middle\" class=\"label\">{Escape(YLabel)}</text>"));

        if (Target is { } line)
        {
            var y = Y(line.Value);
            svg.Append(Invariant($"<line class=\"target\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotWidth}\" y2=\"{y:0.#}\" stroke=\"#b03030\" stroke-dasharray=\"6 4\"/>"));
            svg.Append(Invariant($"<text x=\"{Left + plotWidth}\" y=\"{y + 14:0.#}\" text-anchor=\"end\" class=\"tick\">{Escape(line.Label)}</text>"));
        }

        var ordered = _points.OrderBy(p => p.X).ToArray();
        if (ordered.Length > 1 && Connect)
        {
            var path = string.Join(" ", ordered.Select(p => Invariant($"{X(p.X):0.#},{Y(p.Y):0.#}")));
            svg.Append(Invariant($"<polyline class=\"curve\" points=\"{path}\" fill=\"none\" stroke=\"#3b6ea8\" stroke-width=\"2\"/>"));
        }

        foreach (var (x, y, highlight) in ordered)
        {
            var radius = highlight ? 6 : 4;
            svg.Append(Invariant($"<circle class=\"point\" cx=\"{X(x):0.#}\" cy=\"{Y(y):0.#}\" r=\"{radius}\" fill=\"{(highlight ? "#d08a2e" : "#3b6ea8")}\"><title>{Escape(FormatX(x))}: {Escape(FormatY(y))}</title></circle>"));
            svg.Append(Invariant($"<text x=\"{X(x):0.#}\" y=\"{Y(y) - 10:0.#}\" text-anchor=\"middle\" class=\"value\">{Escape(FormatY(y))}</text>"));
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
