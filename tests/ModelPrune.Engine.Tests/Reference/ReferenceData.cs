using System.Globalization;

namespace ModelPrune.Engine.Tests.Reference;

/// <summary>
/// The reference results of the published magnitude, Wanda and SparseGPT code on real MiniLM layers,
/// kept in the project's shared folder (../shared/reference beside the repository; README there).
/// MODELPRUNE_REFERENCE_DIR points elsewhere. Tests fail, not skip, without it: CI always has it.
/// </summary>
public static class ReferenceData
{
    public static readonly string[] Layers = { "L0_attn_query", "L0_ffn_inter", "L0_ffn_output", "L5_ffn_output" };

    private static readonly Lazy<string> FolderPath = new(Locate);

    public static string Folder => FolderPath.Value;

    public static string File(string relativePath) => Path.Combine(Folder, relativePath);

    /// <summary>Every reference layer with both patterns the reference ran (metrics.csv names).</summary>
    public static TheoryData<string, string> LayerPatternCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var layer in Layers)
        {
            cases.Add(layer, "unstructured50");
            cases.Add(layer, "2:4");
        }

        return cases;
    }

    /// <summary>rel_err from metrics.csv for a layer, method (magnitude, wanda, sparsegpt, magnitude_layer) and pattern (unstructured50, 2:4).</summary>
    public static double ReferenceError(string layer, string method, string pattern)
    {
        foreach (var line in System.IO.File.ReadLines(File("metrics.csv")).Skip(1))
        {
            var cells = line.Split(',');
            if (cells[0] == layer && cells[1] == method && cells[2] == pattern)
            {
                return double.Parse(cells[9], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"metrics.csv has no row for {layer} {method} {pattern}");
    }

    /// <summary>SHA-256 of raw float32 bytes, C order, no header: the form of the metrics files' What_sha256 and Wq_sha256.</summary>
    public static string Sha256(float[] W) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(W.AsSpan())));

    private static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("MODELPRUNE_REFERENCE_DIR");
        if (!string.IsNullOrEmpty(configured)) return configured;

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "ModelPrune.Build.sln")))
            {
                var reference = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "reference"));
                if (Directory.Exists(reference)) return reference;
                throw new DirectoryNotFoundException($"The reference data is expected at {reference} (the project's shared folder) or in MODELPRUNE_REFERENCE_DIR.");
            }
        }

        throw new DirectoryNotFoundException("The repository root (ModelPrune.Build.sln) was not found above the test assembly.");
    }
}
