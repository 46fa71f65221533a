using System.Reflection;

namespace ModelPrune.Engine.Common;

internal static class EngineVersion
{
    public const string Name = "ModelPrune.Engine";

    /// <summary>The package version, without the "+commit" suffix the SDK appends (it would split the cache per commit).</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        var informational = typeof(EngineVersion).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+');
        return plus < 0 ? informational : informational.Substring(0, plus);
    }
}
