using System.Text;

namespace ModelPrune.Tasks;

/// <summary>Indented C# text with <c>\n</c> line ends, so the generated file is the same on every OS.</summary>
internal sealed class CodeText
{
    private readonly StringBuilder _text = new StringBuilder();
    private int _depth;

    public void Line(string line = "")
    {
        if (line.Length != 0)
        {
            _text.Append(' ', _depth * 4).Append(line);
        }

        _text.Append('\n');
    }

    public void Indent() => _depth++;

    public void Outdent() => _depth--;

    /// <summary>The header line (if any), then an opening brace and one level deeper.</summary>
    public void Open(string header)
    {
        if (header.Length != 0)
        {
            Line(header);
        }

        Line("{");
        Indent();
    }

    public void Close()
    {
        Outdent();
        Line("}");
    }

    public override string ToString() => _text.ToString();
}
