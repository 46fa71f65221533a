namespace ModelPrune.Bench.LayerTimings;

/// <summary>
/// The reference layers: MODELPRUNE_REFERENCE_DIR, else ../shared/reference beside the repository root
/// (the folder holding ModelPrune.Build.sln), found from the working directory and from the program's own
/// folder, as the tests find it.
/// </summary>
internal static class ReferenceFolder
{
    public static readonly string[] Layers = { "L0_attn_query", "L0_ffn_inter", "L0_ffn_output", "L5_ffn_output" };

    private static readonly Lazy<string> FolderPath = new(Locate);

    public static string Path => FolderPath.Value;

    public static string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("MODELPRUNE_REFERENCE_DIR");
        if (!string.IsNullOrEmpty(configured)) return configured;

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (!System.IO.File.Exists(System.IO.Path.Combine(folder.FullName, "ModelPrune.Build.sln"))) continue;
                var reference = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder.FullName, "..", "shared", "reference"));
                if (Directory.Exists(reference)) return reference;
            }
        }

        throw new DirectoryNotFoundException("The reference layers were not found: set MODELPRUNE_REFERENCE_DIR or run from inside the repository next to ../shared/reference.");
    }
}
