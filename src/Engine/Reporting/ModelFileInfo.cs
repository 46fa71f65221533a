namespace ModelPrune.Engine.Reporting;

/// <summary>A model file by name (not path, so reports match across machines), content hash and size.</summary>
internal sealed record ModelFileInfo(string FileName, string Sha256, long Bytes);
