using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Tests.TestSupport;

namespace ModelPrune.Engine.Tests.Reference;

public sealed class NpyReaderTests
{
    [Fact]
    public void Reads_the_reference_arrays_with_their_shapes_and_dtypes()
    {
        var w = NpyReader.Read(ReferenceData.File("L0_ffn_inter/W.npy"));
        var ids = NpyReader.Read(ReferenceData.File("input_ids.npy"));
        var mask = NpyReader.Read(ReferenceData.File("L0_ffn_inter/wanda.2of4.pruned_mask.packbits.npy"));

        Assert.Equal("<f4", w.DType);
        Assert.Equal(new long[] { 1536, 384 }, w.Shape);
        Assert.Equal(1536 * 384, w.ToFloat32().Length);
        Assert.Equal(new long[] { 64, 32 }, ids.Shape);
        Assert.Equal(101, ids.ToInt64()[0]);   // [CLS]
        Assert.Equal(new long[] { 1536, 48 }, mask.Shape);
    }

    [Fact]
    public void Reference_masks_unpack_to_the_documented_pruned_counts()
    {
        var layer = ReferenceLayer.Load("L0_attn_query");

        Assert.Equal(73728, layer.PrunedMask("wanda.unstructured50.pruned_mask.packbits.npy").Count(p => p));
        Assert.Equal(73729, layer.PrunedMask("magnitude_layer.unstructured50.pruned_mask.packbits.npy").Count(p => p));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "magic")]
    [InlineData(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 20, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 10 }, "header")]
    public void Malformed_files_are_coded_errors_naming_the_file(byte[] bytes, string why)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad.npy");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelPruneException>(() => NpyReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Equal(path, e.Diagnostic.File);
        Assert.Contains(why, e.Message);
    }
}
