namespace ModelPrune.Engine.Structured;

/// <summary>What a sliced constant is to its group: the scores read the weights, bias compensation the consumers.</summary>
internal enum SliceRole
{
    /// <summary>The weight whose output channels are the units (first MatMul/Gemm, a Conv's or ConvTranspose's filters).</summary>
    ProducerWeight,

    /// <summary>The weight whose input channels are the units (the next MatMul/Gemm/Conv).</summary>
    ConsumerWeight,

    /// <summary>A depthwise Conv's filters: one per unit, on the way from producer to consumer.</summary>
    DepthwiseWeight,

    /// <summary>Biases, normalisation parameters and element-wise constants with one value per channel.</summary>
    PerChannelConstant,
}
