using ModelPrune.Engine.Calibration;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Calibration;

/// <summary>Signatures the loader tests validate against: a real fixture model's and a transformer-like one.</summary>
internal static class CalibrationSignatures
{
    /// <summary>GemmMlp: input float32[batch,16].</summary>
    public static ModelInputSignature Mlp() => ModelInputSignature.FromModel(FixtureModels.GemmMlp());

    /// <summary>input_ids and attention_mask int64[batch,seq], scale float32[batch,2].</summary>
    public static ModelInputSignature Transformer()
    {
        var batchBySeq = new[] { new InputDimension(null, "batch"), new InputDimension(null, "seq") };
        return new ModelInputSignature(new[]
        {
            new ModelInput("input_ids", 7, "int64", batchBySeq),
            new ModelInput("attention_mask", 7, "int64", batchBySeq),
            new ModelInput("scale", 1, "float32", new[] { new InputDimension(null, "batch"), new InputDimension(2, null) }),
        });
    }

    /// <summary>A transformer-like sample file: ids count up from <paramref name="firstId"/>, so the order of samples shows.</summary>
    public static (string, NpyTestArray)[] TransformerArrays(int samples, int seq, long firstId)
    {
        var ids = Enumerable.Range(0, samples * seq).Select(i => firstId + i).ToArray();
        return new[]
        {
            ("input_ids", NpyTestArray.Int64(ids, samples, seq)),
            ("attention_mask", NpyTestArray.Int64(Enumerable.Repeat(1L, samples * seq).ToArray(), samples, seq)),
            ("scale", NpyTestArray.Float32(NpyTestArray.Sequence(samples * 2, firstId), samples, 2)),
        };
    }
}
