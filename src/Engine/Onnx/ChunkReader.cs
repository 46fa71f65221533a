namespace ModelPrune.Engine.Onnx;

/// <summary>Takes the next chunk of a tensor's bytes, read from its file (<see cref="MappedDataFile.TryReadInChunks"/>).</summary>
internal delegate void ChunkReader(ReadOnlySpan<byte> chunk);
