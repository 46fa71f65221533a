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

    /// <summary>numpy rejects a stored entry whose CRC-32 does not match; so do we, instead of using the damaged array.</summary>
    [Fact]
    public void A_damaged_stored_entry_fails_its_CRC_check_with_a_coded_error()
    {
        var path = _folder.File("damaged.npz");
        NumpyFiles.WriteNpz(path, false, ("input", NpyTestArray.Float32(NpyTestArray.Sequence(256), 16, 16)));
        var bytes = File.ReadAllBytes(path);
        // The last data byte of the stored array, just before the central directory: the array still parses.
        var centralDirectory = IndexOf(bytes, new byte[] { 0x50, 0x4B, 0x01, 0x02 });
        bytes[centralDirectory - 1] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Contains("CRC-32", e.Message);
        Assert.Contains("'input'", e.Message);
    }

    [Theory]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    public void An_absurd_npy_header_length_is_MP1022_naming_the_file_before_anything_is_allocated(uint headerLength)
    {
        var path = _folder.File("absurd.npy");
        var npy = NumpyFiles.Npy(NpyTestArray.Float32(NpyTestArray.Sequence(4), 4));
        // Format version 2: a four-byte header length.
        var bytes = npy.Take(6).Concat(new byte[] { 2, 0 }).Concat(BitConverter.GetBytes(headerLength)).Concat(npy.Skip(10)).ToArray();
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelPruneException>(() => NpyReader.Read(path));

        Assert.Equal("MP1022", e.Diagnostic.Code);
        Assert.Equal(path, e.Diagnostic.File);
        Assert.Contains("header length", e.Message);
    }

    [Fact]
    public void A_shape_larger_than_the_file_is_truncated_not_an_allocation()
    {
        var path = _folder.File("huge.npy");
        File.WriteAllBytes(path, NumpyFiles.Npy(new NpyTestArray("<f4", new long[] { 10_000, 10_000 }, new byte[16])));

        var e = Assert.Throws<ModelPruneException>(() => NpyReader.Read(path));

        Assert.Equal("MP1022", e.Diagnostic.Code);
        Assert.Contains("truncated", e.Message);
    }

    /// <summary>
    /// A deflated entry cannot seek, so the data left cannot be asked of the stream: the entry's declared size bounds
    /// the shape. Without that bound the reader allocated the 256 MB the header claims before finding 16 bytes.
    /// </summary>
    [Fact]
    public void A_shape_beyond_a_deflated_entry_is_MP1022_before_the_array_is_allocated()
    {
        var path = _folder.File("huge.npz");
        NumpyFiles.WriteZip(path, true, ("input.npy", NumpyFiles.Npy(new NpyTestArray("<f4", new long[] { 8_192, 8_192 }, new byte[16]))));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Equal(path, e.Diagnostic.File);
        Assert.Contains("Array 'input'", e.Message);
        Assert.Contains("declared uncompressed size", e.Message);
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated for a 256 MB shape in a {new FileInfo(path).Length}-byte file");
    }

    /// <summary>A header length within the .npy limit but beyond the deflated entry is the same lie, said before reading.</summary>
    [Theory]
    [InlineData(1, 0xFFFFu)]
    [InlineData(2, 0xFFFFFu)]
    public void A_header_length_beyond_a_deflated_entry_is_MP1022(byte version, uint headerLength)
    {
        var path = _folder.File("header.npz");
        var npy = NumpyFiles.Npy(NpyTestArray.Float32(NpyTestArray.Sequence(4), 4));
        var length = version == 1 ? BitConverter.GetBytes((ushort)headerLength) : BitConverter.GetBytes(headerLength);
        var bytes = npy.Take(6).Concat(new byte[] { version, 0 }).Concat(length).Concat(npy.Skip(10)).ToArray();
        NumpyFiles.WriteZip(path, true, ("input.npy", bytes));

        var e = Assert.Throws<ModelPruneException>(() => NpzReader.Read(path));

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Equal(path, e.Diagnostic.File);
        Assert.Contains($"header length field says {headerLength} bytes, but the array holds", e.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = haystack.Length - needle.Length; i >= 0; i--)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        }

        throw new InvalidOperationException("not found");
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
