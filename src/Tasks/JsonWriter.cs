using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelPrune.Tasks;

/// <summary>
/// A minimal indented JSON writer: netstandard2.0 has no System.Text.Json, and shipping it in the task
/// folder would clash with the copy MSBuild itself loads.
/// </summary>
internal sealed class JsonWriter
{
    private readonly StringBuilder _text = new StringBuilder();

    // One entry per open object/array: whether it already holds a value (so the next one needs a comma).
    private readonly Stack<bool> _hasValue = new Stack<bool>();
    private bool _afterPropertyName;

    public void WriteStartObject() => Open('{');

    public void WriteEndObject() => Close('}');

    public void WriteStartArray() => Open('[');

    public void WriteEndArray() => Close(']');

    public void WritePropertyName(string name)
    {
        BeginValue();
        AppendString(name);
        _text.Append(": ");
        _afterPropertyName = true;
    }

    public void WriteString(string? value)
    {
        BeginValue();
        AppendString(value ?? string.Empty);
    }

    public void WriteBoolean(bool value)
    {
        BeginValue();
        _text.Append(value ? "true" : "false");
    }

    public void WriteString(string name, string? value)
    {
        WritePropertyName(name);
        WriteString(value);
    }

    public void WriteBoolean(string name, bool value)
    {
        WritePropertyName(name);
        WriteBoolean(value);
    }

    public override string ToString()
    {
        if (_hasValue.Count != 0)
        {
            throw new InvalidOperationException("The JSON document has unclosed objects or arrays.");
        }

        return _text.ToString();
    }

    /// <summary>Escapes what RFC 8259 requires (quote, backslash, control characters) and nothing else.</summary>
    internal static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < ' ' || c == '\u2028' || c == '\u2029')
                    {
                        // U+2028/2029 are valid JSON but break JavaScript readers of the same file.
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private void Open(char bracket)
    {
        BeginValue();
        _text.Append(bracket);
        _hasValue.Push(false);
    }

    private void Close(char bracket)
    {
        if (_hasValue.Count == 0 || _afterPropertyName)
        {
            throw new InvalidOperationException("Unbalanced JSON: nothing to close here.");
        }

        var hadValue = _hasValue.Pop();
        if (hadValue)
        {
            NewLine();
        }

        _text.Append(bracket);
    }

    private void BeginValue()
    {
        if (_afterPropertyName)
        {
            // The value belongs to the property just written: no comma, no new line.
            _afterPropertyName = false;
            return;
        }

        if (_hasValue.Count == 0)
        {
            if (_text.Length != 0)
            {
                throw new InvalidOperationException("A JSON document has exactly one root value.");
            }

            return;
        }

        if (_hasValue.Peek())
        {
            _text.Append(',');
        }
        else
        {
            _hasValue.Pop();
            _hasValue.Push(true);
        }

        NewLine();
    }

    private void NewLine()
    {
        _text.Append('\n').Append(' ', 2 * _hasValue.Count);
    }

    private void AppendString(string value) => _text.Append('"').Append(Escape(value)).Append('"');
}
