using System.Text;
using System.Text.Json;
using ModelPrune.Engine.Reporting;

namespace ModelPrune.Engine.Tests.Reporting;

public sealed class RunInfoJsonTests
{
    [Fact]
    public void Writes_canonical_JSON()
    {
        var text = Encoding.UTF8.GetString(RunInfoJson.Serialize(SampleReports.Run()));

        Assert.Equal(
            "{\n  \"cache\": \"miss\",\n  \"device\": \"cpu (16 threads)\",\n  \"timings\": [\n    {\n      \"stage\": \"load\",\n      \"milliseconds\": 12.5\n    },\n"
            + "    {\n      \"stage\": \"prune\",\n      \"milliseconds\": 40.25\n    },\n    {\n      \"stage\": \"evaluate\",\n      \"milliseconds\": 103\n    }\n  ],\n"
            + "  \"latency\": {\n    \"device\": \"cpu\",\n    \"batchSize\": 4,\n    \"warmupRuns\": 2,\n    \"runs\": 10,\n"
            + "    \"originalMilliseconds\": 0.8126,\n    \"prunedMilliseconds\": 0.7904\n  }\n}\n",
            text);
    }

    [Fact]
    public void Round_trip_is_byte_identical()
    {
        var bytes = RunInfoJson.Serialize(SampleReports.Run("hit"));

        Assert.Equal(bytes, RunInfoJson.Serialize(RunInfoJson.Deserialize(bytes)));
    }

    [Fact]
    public void Missing_cache_is_rejected()
    {
        Assert.Throws<JsonException>(() => RunInfoJson.Deserialize(Encoding.UTF8.GetBytes("{\"device\": \"cpu\", \"timings\": []}")));
    }
}
