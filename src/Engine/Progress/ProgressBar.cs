using ModelPrune.Progress;

namespace ModelPrune.Engine.Progress;

/// <summary>
/// One line on a terminal, redrawn in place with a carriage return: <c>[#######.............]  33% prune layer 12/36,
/// 8.1 s elapsed, about 16 s left (classifier.onnx)</c>. With two models in a run it shows whichever updated last.
/// </summary>
internal sealed class ProgressBar : IProgressOutput
{
    private const int BarCells = 20;

    private readonly object _gate = new();
    private readonly TextWriter _writer;
    private readonly Func<int> _width;
    private int _drawn;

    /// <param name="width">The terminal's width in columns; the console's window by default.</param>
    public ProgressBar(TextWriter writer, Func<int>? width = null)
    {
        _writer = writer;
        _width = width ?? ConsoleWidth;
    }

    public void Write(ProgressLine line)
    {
        var text = Render(line, _width());
        lock (_gate)
        {
            // Spaces over what a longer earlier line left behind.
            _writer.Write("\r" + text.PadRight(_drawn));
            _writer.Flush();
            _drawn = text.Length;
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            if (_drawn == 0) return;
            _writer.Write("\r" + new string(' ', _drawn) + "\r");
            _writer.Flush();
            _drawn = 0;
        }
    }

    /// <summary>The bar and the words, cut to one column less than the terminal so it never wraps.</summary>
    public static string Render(ProgressLine line, int width)
    {
        var fraction = line.Total == 0 ? 1 : Math.Clamp((double)line.Done / line.Total, 0, 1);
        var filled = (int)Math.Round(fraction * BarCells);
        // The model last: on a narrow terminal the cut takes the name, which the command line already shows, not the position.
        var text = $"[{new string('#', filled)}{new string('.', BarCells - filled)}] {fraction * 100,3:0}% {line.Describe()} ({line.Model})";
        return text.Length < width ? text : text[..Math.Max(0, width - 1)];
    }

    private static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth is var columns and > 0 ? columns : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
