using ModelPrune.Fixtures;

namespace ModelPrune.Build.Tests;

internal static class TestModels
{
    /// <summary>The samples' classifier: three Gemm layers, 17 K weights, prunes in well under a second.</summary>
    public static byte[] Classifier { get; } = FixtureModels.Serialize(FixtureModels.ClassifierSample());

    public static readonly string[] ClassifierWeights = { "fc1.weight", "fc2.weight", "fc3.weight" };
}
