namespace SentenceEmbeddings;

/// <summary>
/// Guards the held-out set's promises: no sentence also in the calibration set (or twice in itself), 8–25
/// words, no [UNK] token (the model would see less than the sentence says), and none longer than the sequence
/// length (EncodeBatch refuses to truncate).
/// </summary>
internal static class HeldOutSentencesCheckCommand
{
    private const int MinWords = 8;
    private const int MaxWords = 25;

    public static int Run(string heldOutPath, string calibrationPath)
    {
        var heldOut = SentenceFile.Read(heldOutPath);
        var calibration = new HashSet<string>(SentenceFile.Read(calibrationPath), StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        foreach (var sentence in heldOut)
        {
            if (calibration.Contains(sentence)) problems.Add($"also a calibration sentence: {sentence}");
            if (!seen.Add(sentence)) problems.Add($"twice in the held-out set: {sentence}");
            var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (words is < MinWords or > MaxWords) problems.Add($"{words} words (want {MinWords}–{MaxWords}): {sentence}");
        }

        var tokenizer = MiniLmTokenizer.Create();
        foreach (var sentence in heldOut.Where(s => tokenizer.Encode(s).Contains(tokenizer.UnknownTokenId)))
        {
            problems.Add($"has an [UNK] token: {sentence}");
        }

        var batch = tokenizer.EncodeBatch(heldOut);
        var tokens = Enumerable.Range(0, batch.Count).Select(batch.TokenCount).ToArray();
        foreach (var problem in problems) Console.WriteLine(problem);
        Console.WriteLine($"{heldOutPath}: {heldOut.Count} sentences, {tokens.Min()}–{tokens.Max()} tokens each (limit {MiniLmTokenizer.SequenceLength}), {problems.Count} problems");
        return problems.Count == 0 ? 0 : 1;
    }
}
