namespace ModelPrune.Engine.Onnx;

/// <summary>The external_data entries of one tensor; a missing length means "to the end of the file".</summary>
internal readonly record struct ExternalDataReference(string Location, long Offset, long? Length);
