using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>The documented hooks: ModelPruneBeforePruneDependsOn and ModelPruneAfterPruneDependsOn.</summary>
[Collection(PackageCollection.Name)]
public sealed class ExtensionPointTests
{
    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public ExtensionPointTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void Hooks_run_in_order_around_pruning_and_not_in_design_time_builds()
    {
        var project = ConsumerProject.Create(_package, _log, "Hooks");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.WithProperties("""
            <ModelPruneBeforePruneDependsOn>$(ModelPruneBeforePruneDependsOn);BeforeMyPrune</ModelPruneBeforePruneDependsOn>
            <ModelPruneAfterPruneDependsOn>$(ModelPruneAfterPruneDependsOn);AfterMyPrune</ModelPruneAfterPruneDependsOn>
            """);
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" />""");
        project.WithTargets("""
            <Target Name="BeforeMyPrune"><Message Importance="high" Text="HOOK before pruning" /></Target>
            <Target Name="AfterMyPrune"><Message Importance="high" Text="HOOK after pruning" /></Target>
            """);

        var result = project.Build("-tl:off");

        Assert.True(result.Succeeded, result.ToString());
        var lines = result.Lines.ToList();
        var before = lines.FindIndex(line => line.Contains("HOOK before pruning", StringComparison.Ordinal));
        var pruned = lines.FindIndex(line => line.Contains("ModelPrune: Models/classifier.onnx -> ", StringComparison.Ordinal));
        var after = lines.FindIndex(line => line.Contains("HOOK after pruning", StringComparison.Ordinal));
        Assert.True(before >= 0 && pruned > before && after > pruned, $"hooks out of order (before {before}, pruned {pruned}, after {after})\n{result}");

        var designTime = project.Build("-tl:off", "-p:DesignTimeBuild=true");
        Assert.True(designTime.Succeeded, designTime.ToString());
        Assert.DoesNotContain("HOOK ", designTime.Output, StringComparison.Ordinal);
    }
}
