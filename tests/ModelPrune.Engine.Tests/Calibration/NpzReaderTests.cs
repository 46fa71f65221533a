using System.IO.Compression;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Tests.TestSupport;

namespace ModelPrune.Engine.Tests.Calibration;

public sealed class NpzReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false, 0)]   // numpy.savez: stored
    [InlineData(true, 8)]    // numpy.savez_compressed: deflated
    public void Reads_stored_and_deflated_archives_in_entry_order(bool compressed, int zipMethod)
    {
        var path = _folder.File("a.npz");
        NumpyFiles.WriteNpz(
            path,
            compressed,
            ("zeta", NpyTestArray.Float32(NpyTestArray.Sequence(6), 2, 3)),
            ("alpha", NpyTestArray.Int64(new long[] { 7, 8 }, 2)));

        var arrays = NpzReader.Read(path);

        // The local header's compression method proves which kind of archive the test wrote.
        Assert.Equal(zipMethod, BitConverter.ToUInt16(File.ReadAllBytes(path), 8));
        Assert.Equal(new[] { "zeta", "alpha" }, arrays.Keys);
        Assert.Equal("<f4", arrays["zeta"].DType);
        Assert.Equal(new long[] { 2, 3 }, arrays["zeta"].Shape);
        Assert.Equal(NpyTestArray.Sequence(6), arrays["zeta"].ToFloat32());
        Assert.Equal(new long[] { 7, 8 }, arrays["alpha"].ToInt64());
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_a_coded_error()
    {
        var path = _folder.File("bad.npz");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3, 4, 5 });

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Equal(path, e.Diagnostic.File);
        Assert.Contains("not a readable .npz", e.Message);
        Assert.Contains("numpy.savez", e.Message);
    }

    [Fact]
    public void An_entry_that_is_not_npy_is_named()
    {
        var path = _folder.File("extra.npz");
        NumpyFiles.WriteZip(path, false, ("input.npy", NumpyFiles.Npy(NpyTestArray.Float32(new float[] { 1 }, 1))), ("notes.txt", new byte[] { 65 }));

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Contains("'notes.txt'", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_broken_array_inside_is_named(bool compressed)
    {
        var path = _folder.File("broken.npz");
        var truncated = NumpyFiles.Npy(NpyTestArray.Float32(NpyTestArray.Sequence(8), 2, 4))[..^4];
        NumpyFiles.WriteZip(path, compressed, ("pixels.npy", truncated));

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Contains("Array 'pixels'", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void An_unsupported_dtype_inside_is_named()
    {
        var path = _folder.File("strings.npz");
        NumpyFiles.WriteNpz(path, false, ("text", new NpyTestArray("<U5", new long[] { 1 }, new byte[20])));

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Contains("Array 'text'", e.Message);
        Assert.Contains("'<U5' is not supported", e.Message);
    }

    [Fact]
    public void A_corrupt_deflate_stream_is_a_coded_error()
    {
        var path = _folder.File("corrupt.npz");
        NumpyFiles.WriteNpz(path, true, ("input", NpyTestArray.Float32(NpyTestArray.Sequence(256), 16, 16)));
        var bytes = File.ReadAllBytes(path);

        // Past the 30-byte local header and the entry name: inside the compressed data.
        for (var i = 45; i < 75; i++)
        {
            bytes[i] ^= 0xA5;
        }

        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Contains("'input'", e.Message);
    }

    [Fact]
    public void Read_from_a_stream_names_the_given_file()
    {
        using var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("x.npy").Open();
            entry.Write(NumpyFiles.Npy(NpyTestArray.Int32(new[] { 1, 2, 3 }, 3)));
        }

        stream.Position = 0;
        var arrays = NpzReader.Read(stream, "calib.npz");

        Assert.Equal(new long[] { 1, 2, 3 }, arrays["x"].ToInt64());
    }
}
