using System.Text.Json;
using ModelPrune.Tasks;

namespace ModelPrune.Build.Tests;

public sealed class JsonWriterTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("C:\\Users\\me\\Models\\a.onnx")]
    [InlineData("quote \" inside")]
    [InlineData("new\nline, return\r, tab\t, backspace\b, form feed\f")]
    [InlineData("control \u0001\u001f and DEL \u007f")]
    [InlineData("unicode: ü 模型 😀 and separators \u2028 \u2029")]
    [InlineData("")]
    public void Strings_round_trip_through_a_standard_json_reader(string value)
    {
        var writer = new JsonWriter();
        writer.WriteStartObject();
        writer.WriteString("value", value);
        writer.WriteEndObject();

        using var document = JsonDocument.Parse(writer.ToString());
        Assert.Equal(value, document.RootElement.GetProperty("value").GetString());
    }

    [Fact]
    public void Escapes_only_what_json_requires_plus_the_line_separators()
    {
        Assert.Equal("a\\\"b\\\\c\\n\\u0001\\u2028ü", JsonWriter.Escape("a\"b\\c\n\u0001\u2028ü"));
    }

    [Fact]
    public void Nested_objects_and_arrays_are_well_formed_and_indented()
    {
        var writer = new JsonWriter();
        writer.WriteStartObject();
        writer.WriteBoolean("flag", true);
        writer.WritePropertyName("items");
        writer.WriteStartArray();
        writer.WriteStartObject();
        writer.WriteString("a", "1");
        writer.WriteEndObject();
        writer.WriteStartObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WritePropertyName("empty");
        writer.WriteStartArray();
        writer.WriteEndArray();
        writer.WriteEndObject();

        Assert.Equal("{\n  \"flag\": true,\n  \"items\": [\n    {\n      \"a\": \"1\"\n    },\n    {}\n  ],\n  \"empty\": []\n}", writer.ToString());
    }

    [Fact]
    public void An_unclosed_document_is_refused()
    {
        var writer = new JsonWriter();
        writer.WriteStartObject();
        Assert.Throws<InvalidOperationException>(() => writer.ToString());
    }
}
