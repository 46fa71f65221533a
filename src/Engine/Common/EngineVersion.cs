using System.Reflection;

namespace ModelPrune.Engine.Common;

internal static class EngineVersion
{
    public const string Name = "ModelPrune.Engine";

    /// <summary>The package version, without the "+commit" suffix the SDK appends (it would split the cache per commit).</summary>
    public static string Current { get; } = Read();

    /// <summary>
    /// What the cache key holds: the version plus the module version IDs of the engine and of ONNX Runtime's managed
    /// assembly. Builds are deterministic, so the same source gives the same IDs, and any change to the engine's code
    /// gives new ones: two engine builds that share a version number (a fix before the next release, a local build)
    /// never serve each other's results.
    /// </summary>
    public static string BuildIdentity { get; } =
        $"{Current}+{typeof(EngineVersion).Assembly.ManifestModule.ModuleVersionId:N}+{typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.ManifestModule.ModuleVersionId:N}";

    private static string Read()
    {
        var informational = typeof(EngineVersion).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        return plus < 0 ? informational : informational.Substring(0, plus);
    }
}
