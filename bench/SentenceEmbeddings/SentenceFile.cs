namespace SentenceEmbeddings;

/// <summary>A text file of one sentence per line; blank lines are skipped so a trailing newline is harmless.</summary>
internal static class SentenceFile
{
    public static IReadOnlyList<string> Read(string path) =>
        File.ReadAllLines(path).Select(line => line.Trim()).Where(line => line.Length > 0).ToList();
}
