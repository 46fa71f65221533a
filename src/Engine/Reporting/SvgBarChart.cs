using System.Globalization;
using System.Net;
using System.Text;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// A horizontal bar chart as inline SVG: one row per label, one bar per series in each row. Horizontal
/// because layer names are long and models have dozens of layers; the chart grows downwards, never sideways.
/// Values are plotted linearly from zero to the largest value (or <see cref="Maximum"/>), with the value printed
/// at the end of each bar so the chart reads without hovering.
/// </summary>
internal sealed class SvgBarChart
{
    private const int Width = 960;
    private const int LabelWidth = 300;
    private const int ValueWidth = 90;
    private const int BarHeight = 14;
    private const int RowGap = 6;
    private const int Top = 28;

    private readonly List<(string Name, string Color)> _series = new();
    private readonly List<(string Label, double?[] Values)> _rows = new();

    public SvgBarChart(string title, Func<double, string> format)
    {
        Title = title;
        Format = format;
    }

    public string Title { get; }

    public Func<double, string> Format { get; }

    /// <summary>The value at the right edge; null scales to the largest value.</summary>
    public double? Maximum { get; init; }

    public SvgBarChart Series(string name, string color)
    {
        _series.Add((name, color));
        return this;
    }

    /// <summary>One row; a null value draws no bar for that series.</summary>
    public SvgBarChart Row(string label, params double?[] values)
    {
        if (values.Length != _series.Count) throw new ArgumentException($"expected {_series.Count} values, got {values.Length}", nameof(values));
        _rows.Add((label, values));
        return this;
    }

    public string Render()
    {
        var perRow = (_series.Count * BarHeight) + RowGap;
        var height = Top + (_rows.Count * perRow) + 24;
        var plotWidth = Width - LabelWidth - ValueWidth;
        var largest = _rows.SelectMany(r => r.Values).Where(v => v is > 0).Select(v => v!.Value).DefaultIfEmpty(1).Max();
        var maximum = Maximum is { } fixedMaximum && fixedMaximum > 0 ? fixedMaximum : largest;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {Width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">"));
        svg.Append(Invariant($"<title>{Escape(Title)}</title>"));
        var legendX = LabelWidth;
        foreach (var (name, color) in _series)
        {
            svg.Append(Invariant($"<rect x=\"{legendX}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{legendX + 16}\" y=\"16\" class=\"legend\">{Escape(name)}</text>"));
            legendX += 24 + (name.Length * 7);
        }

        for (var r = 0; r < _rows.Count; r++)
        {
            var (label, values) = _rows[r];
            var y = Top + (r * perRow);
            var labelY = y + (_series.Count * BarHeight / 2) + 4;
            svg.Append(Invariant($"<text x=\"{LabelWidth - 8}\" y=\"{labelY}\" text-anchor=\"end\" class=\"label\">{Escape(Shorten(label))}<title>{Escape(label)}</title></text>"));
            for (var s = 0; s < _series.Count; s++)
            {
                if (values[s] is not { } value) continue;
                var barY = y + (s * BarHeight);
                var barWidth = Math.Max(0, Math.Min(1, value / maximum)) * plotWidth;
                svg.Append(Invariant($"<rect class=\"bar\" x=\"{LabelWidth}\" y=\"{barY + 1}\" width=\"{barWidth:0.#}\" height=\"{BarHeight - 2}\" fill=\"{_series[s].Color}\"><title>{Escape(label)}: {Escape(_series[s].Name)} {Escape(Format(value))}</title></rect>"));
                svg.Append(Invariant($"<text x=\"{LabelWidth + barWidth + 4:0.#}\" y=\"{barY + BarHeight - 3}\" class=\"value\">{Escape(Format(value))}</text>"));
            }
        }

        var axisY = Top + (_rows.Count * perRow);
        svg.Append(Invariant($"<line x1=\"{LabelWidth}\" y1=\"{Top - 2}\" x2=\"{LabelWidth}\" y2=\"{axisY}\" class=\"axis\"/>"));
        svg.Append(Invariant($"<text x=\"{LabelWidth}\" y=\"{axisY + 16}\" class=\"tick\">0</text>"));
        svg.Append(Invariant($"<text x=\"{LabelWidth + plotWidth}\" y=\"{axisY + 16}\" text-anchor=\"end\" class=\"tick\">{Escape(Format(maximum))}</text>"));
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Long names keep their end, which tells layers apart (…layer.3.attention.output.dense.weight).</summary>
    private static string Shorten(string label) => label.Length <= 42 ? label : "…" + label[^41..];

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
