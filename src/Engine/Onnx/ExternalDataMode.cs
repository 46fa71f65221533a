namespace ModelPrune.Engine.Onnx;

/// <summary>Whether the written model keeps its tensors in a data file beside the .onnx file (the ExternalData setting).</summary>
internal enum ExternalDataMode
{
    /// <summary>Only when one .onnx file would pass the 2 GiB protobuf limit.</summary>
    Auto,

    /// <summary>Whatever the size: the layout a consumer that memory-maps weights wants.</summary>
    Always,

    /// <summary>One file; past the limit, error MP1015.</summary>
    Never,
}
