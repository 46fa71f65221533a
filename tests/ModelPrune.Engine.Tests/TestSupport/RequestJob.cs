namespace ModelPrune.Engine.Tests.TestSupport;

/// <summary>One model of a batch request, as the MSBuild task writes it: every output path under out/&lt;name&gt;/.</summary>
public static class RequestJob
{
    public static object For(TempFolder folder, string model, string displayName, string name, object settings) => new
    {
        model,
        displayName,
        output = folder.File($"out/{name}/{name}.onnx"),
        report = folder.File($"out/{name}/{name}.prune.json"),
        summary = folder.File($"out/{name}/{name}.prune.summary"),
        markdown = folder.File($"out/{name}/{name}.prune.md"),
        html = folder.File($"out/{name}/{name}.prune.html"),
        runInfo = folder.File($"out/{name}/{name}.prune.run.json"),
        settings,
    };
}
