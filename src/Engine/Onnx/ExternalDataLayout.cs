namespace ModelPrune.Engine.Onnx;

/// <summary>How ModelPrune lays out the data file of a model written with external data.</summary>
internal static class ExternalDataLayout
{
    /// <summary>
    /// Every tensor starts at a multiple of this offset. 4096 bytes is the page size of Linux and macOS on x64 and what
    /// ONNX Runtime itself aligns to when it saves external data (on_disk_alignment_factor): a tensor that starts on a
    /// page can be memory-mapped on its own instead of copied, and never shares a page with its neighbour. The padding
    /// costs under 4 KiB per external tensor: about 1 MB on a 2 GiB model of a few hundred tensors.
    /// </summary>
    public const int Alignment = 4096;

    /// <summary>
    /// Tensors smaller than this stay inside the .onnx file (ONNX's own size_threshold default): shapes, scales and
    /// biases would waste most of an aligned page each, and the graph stays readable without the data file.
    /// </summary>
    public const int SizeThreshold = 1024;

    /// <summary>The ONNX convention: <c>model.onnx</c> keeps its tensors in <c>model.onnx.data</c> beside it.</summary>
    public const string Extension = ".data";

    public static string DataPathFor(string modelPath) => modelPath + Extension;

    public static long AlignUp(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
