namespace ModelPrune.Engine.Common;

/// <summary>A model's gzip size (<see cref="GzipBlocks"/>), and whether it is an estimate from sampled blocks.</summary>
internal readonly record struct CompressedSize(long Bytes, bool Estimated);
