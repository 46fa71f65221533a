namespace ModelPrune.Engine.Baseline;

/// <summary>
/// Decides from its name alone whether a number in a report is a quality metric and which way it improves,
/// so metrics added to the report later (per-task objects, KL divergence, perplexity) are gated without a
/// change here. Numbers whose names carry no direction (counts, sizes, settings) are not metrics, with one exception:
/// quantization's bits per weight, which say how compressed the weights are and are deterministic.
/// </summary>
internal static class MetricNames
{
    private static readonly HashSet<string> HigherIsBetterWords = new(StringComparer.Ordinal)
    {
        "cosine", "agreement", "accuracy", "similarity",
    };

    private static readonly HashSet<string> LowerIsBetterWords = new(StringComparer.Ordinal)
    {
        "l2", "abs", "kl", "divergence", "perplexity", "error",
    };

    /// <summary>
    /// Whole names that are metrics although their words carry no direction: quantization's storage per weight, where
    /// more bits is a bigger model, the regression a compression gate exists for. (Its <c>bits</c> setting is not one.)
    /// </summary>
    private static readonly HashSet<string> LowerIsBetterNames = new(StringComparer.Ordinal)
    {
        "bitsPerWeight",
    };

    /// <summary>Timings and what depends on the machine never enter a baseline, wherever the report puts them.</summary>
    private static readonly HashSet<string> MachineSpecificWords = new(StringComparer.Ordinal)
    {
        "time", "times", "timing", "timings", "latency", "duration", "ms", "milliseconds", "seconds", "device", "cache", "machine", "host", "run",
    };

    /// <summary>
    /// The name's own words decide, the last first (the head of a compound: <c>cosineDistance</c> is a distance);
    /// a name without a direction (<c>p5</c>, <c>pruned</c>) takes its parent object's (<c>cosine: { p5: … }</c>).
    /// </summary>
    public static MetricDirection? DirectionOf(string name, string? parentName) =>
        LowerIsBetterNames.Contains(name)
            ? MetricDirection.LowerIsBetter
            : DirectionOfWords(Words(name)) ?? (parentName is null ? null : DirectionOfWords(Words(parentName)));

    public static bool IsMachineSpecific(string name) => Words(name).Any(MachineSpecificWords.Contains);

    /// <summary><c>top1Agreement</c> → top1, agreement; <c>meanKLDivergence</c> → mean, kl, divergence; <c>max_abs</c> → max, abs.</summary>
    public static IReadOnlyList<string> Words(string name)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            var startsWord = current.Length > 0 && char.IsUpper(c)
                && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (startsWord)
            {
                Flush();
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static MetricDirection? DirectionOfWords(IReadOnlyList<string> words)
    {
        for (var i = words.Count - 1; i >= 0; i--)
        {
            if (HigherIsBetterWords.Contains(words[i])) return MetricDirection.HigherIsBetter;
            if (LowerIsBetterWords.Contains(words[i])) return MetricDirection.LowerIsBetter;
        }

        return null;
    }
}
