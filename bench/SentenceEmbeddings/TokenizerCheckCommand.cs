using ModelPrune.Engine.Calibration;

namespace SentenceEmbeddings;

/// <summary>
/// Our tokenization against a reference one (shared/reference/input_ids.npy, made by the project's tok.py):
/// if the ids differ, the calibration data would not be the text the reference numbers were computed on.
/// </summary>
internal static class TokenizerCheckCommand
{
    public static int Run(string sentencesPath, string referenceIdsPath)
    {
        var sentences = SentenceFile.Read(sentencesPath);
        var reference = NpyReader.Read(referenceIdsPath);
        if (reference.Shape.Count != 2 || reference.Shape[0] != sentences.Count || reference.Shape[1] != MiniLmTokenizer.SequenceLength)
        {
            Console.Error.WriteLine($"{referenceIdsPath}: shape [{string.Join(", ", reference.Shape)}], expected [{sentences.Count}, {MiniLmTokenizer.SequenceLength}]");
            return 1;
        }

        var expected = reference.ToInt64();
        var actual = MiniLmTokenizer.Create().EncodeBatch(sentences).InputIds;
        var differing = 0;
        for (var row = 0; row < sentences.Count; row++)
        {
            var expectedRow = expected.AsSpan(row * MiniLmTokenizer.SequenceLength, MiniLmTokenizer.SequenceLength);
            var actualRow = actual.AsSpan(row * MiniLmTokenizer.SequenceLength, MiniLmTokenizer.SequenceLength);
            if (expectedRow.SequenceEqual(actualRow)) continue;
            differing++;
            Console.WriteLine($"sentence {row + 1}: {sentences[row]}");
            Console.WriteLine($"  reference: {string.Join(' ', expectedRow.ToArray())}");
            Console.WriteLine($"  ours:      {string.Join(' ', actualRow.ToArray())}");
        }

        Console.WriteLine(differing == 0
            ? $"tokenizer check: all {sentences.Count} sentences give the reference ids ({expected.Length} ids, padding included)"
            : $"tokenizer check: {differing} of {sentences.Count} sentences differ from the reference");
        return differing == 0 ? 0 : 1;
    }
}
