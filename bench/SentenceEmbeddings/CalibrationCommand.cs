using ModelPrune.Engine.Calibration;

namespace SentenceEmbeddings;

/// <summary>Writes MiniLM's inputs for a sentence file as the .npz `modelprune --calibration` reads.</summary>
internal static class CalibrationCommand
{
    public static int Run(string sentencesPath, string outputPath)
    {
        var sentences = SentenceFile.Read(sentencesPath);
        var batch = MiniLmTokenizer.Create().EncodeBatch(sentences);
        NpzWriter.WriteInt64(outputPath, new[]
        {
            ("input_ids", batch.InputIds, batch.Shape),
            ("attention_mask", batch.AttentionMask, batch.Shape),
            ("token_type_ids", batch.TokenTypeIds, batch.Shape),
        });

        // Read back with the engine's own reader: a file it rejects would only fail later, inside a prune run.
        var readBack = NpzReader.Read(outputPath);
        foreach (var (name, expected) in new[] { ("input_ids", batch.InputIds), ("attention_mask", batch.AttentionMask), ("token_type_ids", batch.TokenTypeIds) })
        {
            if (!readBack.TryGetValue(name, out var array) || !array.Shape.SequenceEqual(batch.Shape) || !array.ToInt64().SequenceEqual(expected))
            {
                throw new InvalidDataException($"{outputPath}: the engine's NpzReader does not read '{name}' back as written");
            }
        }

        var tokens = Enumerable.Range(0, batch.Count).Select(batch.TokenCount).ToArray();
        Console.WriteLine($"{outputPath}: {batch.Count} sentences × {batch.SequenceLength} (int64), {tokens.Sum()} real tokens, {tokens.Min()}–{tokens.Max()} per sentence; read back by the engine's NpzReader");
        return 0;
    }
}
