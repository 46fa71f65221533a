// Sentence-embedding benchmark helper for bench/sentences.sh (all-MiniLM-L6-v2):
//   calibration <sentences.txt> <out.npz>                 input_ids, attention_mask, token_type_ids (int64 [n, 32])
//   compare <dense.onnx> <pruned.onnx> <heldout.txt>      cosine similarity of pruned vs dense sentence embeddings
//   check-tokenizer <sentences.txt> <input_ids.npy>       our ids against a reference tokenization
//   check-sentences <heldout.txt> <calibration.txt>       held-out set: no overlap, 8–25 words, no truncation
//   latency <dense.onnx> <pruned.onnx> --batch N [...]     ONNX Runtime CPU latency of both, interleaved in one process
//                                                          (MiniLM tokens with --sentences, else random float inputs)
//   parameters <model.onnx>                                float parameters, counted as the engine's report does
using Microsoft.ML.OnnxRuntime;
using ModelPrune.Engine.Diagnostics;
using SentenceEmbeddings;

const string usage = """
    usage: SentenceEmbeddings calibration <sentences.txt> <out.npz>
           SentenceEmbeddings compare <dense.onnx> <pruned.onnx> <heldout-sentences.txt> [--tsv]
           SentenceEmbeddings check-tokenizer <sentences.txt> <input_ids.npy>
           SentenceEmbeddings check-sentences <heldout-sentences.txt> <calibration-sentences.txt>
           SentenceEmbeddings latency <dense.onnx> <pruned.onnx> [--batch 1] [--runs 30] [--min-seconds 0] [--warmup 5] [--threads 2]
                                      [--sentences <sentences.txt>] [--optimized-graphs <folder>]
                                      [--thread-pool shared|per-session] [--tsv]
           SentenceEmbeddings parameters <model.onnx>
    """;

try
{
    return args switch
    {
        ["calibration", var sentences, var output] => CalibrationCommand.Run(sentences, output),
        ["compare", var dense, var pruned, var heldOut] => CompareCommand.Run(dense, pruned, heldOut, tabSeparated: false),
        ["compare", var dense, var pruned, var heldOut, "--tsv"] => CompareCommand.Run(dense, pruned, heldOut, tabSeparated: true),
        ["check-tokenizer", var sentences, var referenceIds] => TokenizerCheckCommand.Run(sentences, referenceIds),
        ["check-sentences", var heldOut, var calibration] => HeldOutSentencesCheckCommand.Run(heldOut, calibration),
        ["latency", .. var options] => LatencyOptions.Parse(options) is { } parsed ? LatencyCommand.Run(parsed) : Usage(),
        ["parameters", var model] => ParametersCommand.Run(model),
        _ => Usage(),
    };
}
catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or TooLongSentenceException
                               or OnnxRuntimeException or ModelPruneException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

int Usage()
{
    Console.Error.WriteLine(usage);
    return 2;
}
