namespace SentenceEmbeddings;

/// <summary>
/// A sentence needs more tokens than the fixed sequence length. We refuse rather than truncate: a truncated
/// held-out sentence would compare embeddings of text nobody wrote.
/// </summary>
internal sealed class TooLongSentenceException(string sentence, int tokens, int sequenceLength)
    : Exception($"'{sentence}' is {tokens} tokens with [CLS] and [SEP]; at most {sequenceLength} fit. Shorten it.");
