using System.Text;
using System.Text.Json;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Reporting;
using Snapshooter.Xunit;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class ReportJsonTests
{
    [Fact]
    public void Serialize_is_byte_identical_across_calls()
    {
        Assert.Equal(ReportJson.Serialize(SampleReports.Classifier()), ReportJson.Serialize(SampleReports.Classifier()));
    }

    [Fact]
    public void Round_trip_is_byte_identical()
    {
        var bytes = ReportJson.Serialize(SampleReports.Classifier());

        var again = ReportJson.Serialize(ReportJson.Deserialize(bytes));

        Assert.Equal(bytes, again);
    }

    [Fact]
    public void Round_trip_keeps_values()
    {
        var original = SampleReports.Classifier();

        var read = ReportJson.Deserialize(ReportJson.Serialize(original));

        Assert.Equal(original.Settings.Sparsity, read.Settings.Sparsity);
        Assert.Equal(original.Totals, read.Totals);
        Assert.Equal(original.Layers[3].Name, read.Layers[3].Name);
        Assert.Null(read.Layers[0].Reason);
        Assert.Null(read.Evaluation.Outputs[1].Top1Agreement);
        Assert.Equal(0.98, read.Evaluation.Outputs[0].Top1Agreement);
    }

    [Fact]
    public void Format_is_UTF8_with_LF_two_space_indent_and_trailing_newline()
    {
        var bytes = ReportJson.Serialize(SampleReports.Classifier());
        var text = Encoding.UTF8.GetString(bytes);

        Assert.NotEqual(0xEF, bytes[0]); // no BOM
        Assert.DoesNotContain('\r', text);
        Assert.StartsWith("{\n  \"schema\": \"modelprune.report/2\",\n  \"engine\": {\n    \"name\"", text);
        Assert.EndsWith("}\n", text);
        Assert.False(text.EndsWith("\n\n", StringComparison.Ordinal));
        Assert.Contains("\"gewichte.größe\"", text);
    }

    [Fact]
    public void Properties_are_camel_case_in_declaration_order()
    {
        using var document = JsonDocument.Parse(ReportJson.Serialize(SampleReports.Classifier()));
        var root = document.RootElement;

        Assert.Equal(
            new[] { "schema", "engine", "input", "output", "settings", "layers", "totals", "cost", "evaluation", "warnings" },
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            new[] { "name", "opType", "nodes", "shape", "inputAxis", "parameters", "zeros", "sparsity", "status" },
            root.GetProperty("layers")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            new[]
            {
                "name", "elementType", "shape", "relativeL2", "cosine", "maxAbs", "top1Agreement", "task", "taskReason", "labels",
                "accuracyOriginal", "accuracyPruned", "top5Agreement", "meanKlDivergence",
            },
            root.GetProperty("evaluation").GetProperty("outputs")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            new[] { "inputKind", "seed", "inputs", "outputs", "task", "data" },
            root.GetProperty("evaluation").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Nulls_are_omitted()
    {
        var text = Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Classifier(withTop1: false, withTasks: false)));

        Assert.DoesNotContain("null", text);
        Assert.DoesNotContain("top1Agreement", text);
        Assert.Contains("\"reason\": \"matched Exclude 'head.*'\"", text);
    }

    [Fact]
    public void Doubles_are_shortest_invariant()
    {
        var text = Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Classifier()));

        Assert.Contains("\"sparsity\": 0.4,", text);
        Assert.Contains("\"maxLayerSparsity\": 0.9,", text);
        Assert.Contains("\"relativeL2\": 0.0123457,", text);
        Assert.Contains("\"sparsity\": 0,", text);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Non_finite_numbers_are_an_internal_error(double value)
    {
        var report = SampleReports.Classifier() with { Totals = SampleReports.Classifier().Totals with { ModelSparsity = value } };

        var error = Assert.Throws<ModelPruneException>(() => ReportJson.Serialize(report));

        Assert.Equal(DiagnosticCodes.InternalError, error.Diagnostic.Code);
    }

    [Fact]
    public void Missing_required_property_is_rejected()
    {
        var text = Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Classifier()))
            .Replace("\"opType\": \"Gemm\",", string.Empty, StringComparison.Ordinal);

        var error = Assert.Throws<JsonException>(() => ReportJson.Deserialize(Encoding.UTF8.GetBytes(text)));

        Assert.Contains("OpType", error.Message);
    }

    [Fact]
    public void Null_list_element_is_rejected()
    {
        var text = Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Classifier()))
            .Replace("\"MatMul_0\"", "null", StringComparison.Ordinal);

        Assert.Throws<JsonException>(() => ReportJson.Deserialize(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData("\"schema\": \"modelprune.report/2\"", "\"schema\": \"modelprune.report/1\"")]
    [InlineData("\"schema\": \"modelprune.report/2\"", "\"schema\": \"modelprune.report/2\", \"extra\": 1")]
    [InlineData("\"warnings\": [", "\"warnings\": {")]
    public void Foreign_or_corrupt_JSON_is_rejected(string find, string replace)
    {
        var text = Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Classifier())).Replace(find, replace, StringComparison.Ordinal);

        Assert.Throws<JsonException>(() => ReportJson.Deserialize(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Truncated_JSON_is_rejected()
    {
        var bytes = ReportJson.Serialize(SampleReports.Classifier());

        Assert.Throws<JsonException>(() => ReportJson.Deserialize(bytes[..(bytes.Length / 2)]));
    }

    [Fact]
    public void Json_matches_snapshot()
    {
        Snapshot.Match(Encoding.UTF8.GetString(ReportJson.Serialize(SampleReports.Classifier())));
    }
}
