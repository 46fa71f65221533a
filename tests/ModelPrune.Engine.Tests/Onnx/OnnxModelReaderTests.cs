using ModelPrune.Engine.Tests.TestSupport;
using System.Security.Cryptography;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class OnnxModelReaderTests
{
    public static TheoryData<string> SelfContainedFixtures => new(FixtureModels.SelfContained.Keys);

    [Theory]
    [MemberData(nameof(SelfContainedFixtures))]
    public void Reads_every_fixture_with_its_size_path_and_hash(string fileName)
    {
        using var folder = new TempFolder();
        var original = FixtureModels.SelfContained[fileName]();
        var bytes = FixtureModels.Serialize(original);
        var path = folder.File(fileName);
        File.WriteAllBytes(path, bytes);

        var model = OnnxModelReader.Read(path);

        Assert.Equal(original, model.Proto);
        Assert.Equal(Path.GetFullPath(path), model.SourcePath);
        Assert.Equal(bytes.LongLength, model.FileBytes);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), model.ContentSha256);
    }

    [Fact]
    public void Relative_paths_become_full_paths()
    {
        using var folder = new TempFolder();
        var path = folder.File("gemm.onnx");
        File.WriteAllBytes(path, FixtureModels.Serialize(FixtureModels.GemmMlp()));
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);

        var model = OnnxModelReader.Read(relative);

        Assert.Equal(Path.GetFullPath(path), model.SourcePath);
    }

    [Fact]
    public void Missing_file_is_MP1001()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("missing.onnx")));

        Assert.Equal(DiagnosticCodes.ModelNotFound, error.Diagnostic.Code);
        Assert.Equal(folder.File("missing.onnx"), error.Diagnostic.File);
    }

    [Fact]
    public void Random_bytes_are_MP1002()
    {
        using var folder = new TempFolder();
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(folder.File("random.onnx"), bytes);

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("random.onnx")));

        Assert.Equal(DiagnosticCodes.NotAnOnnxModel, error.Diagnostic.Code);
        Assert.StartsWith("The file is not an ONNX model (", error.Message);
    }

    [Fact]
    public void Truncated_model_is_MP1002_naming_the_parse_failure()
    {
        using var folder = new TempFolder();
        var bytes = FixtureModels.Serialize(FixtureModels.GemmMlp());
        File.WriteAllBytes(folder.File("truncated.onnx"), bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("truncated.onnx")));

        Assert.Equal(DiagnosticCodes.NotAnOnnxModel, error.Diagnostic.Code);
        Assert.Contains("protobuf parse failed", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, this is a text file and no model\n")]
    public void Files_that_parse_without_a_graph_are_MP1002(string content)
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("text.onnx"), content);

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("text.onnx")));

        Assert.Equal(DiagnosticCodes.NotAnOnnxModel, error.Diagnostic.Code);
    }

    [Fact]
    public void Content_hash_is_the_same_for_identical_files_and_changes_with_one_weight()
    {
        using var folder = new TempFolder();
        var bytes = FixtureModels.Serialize(FixtureModels.GemmMlp());
        File.WriteAllBytes(folder.File("a.onnx"), bytes);
        Directory.CreateDirectory(folder.File("copy"));
        File.WriteAllBytes(folder.File("copy/a.onnx"), bytes);
        var changed = (byte[])bytes.Clone();
        var lastWeightByte = FindLast(changed, FixtureModels.GemmMlp().Graph.Initializer[0].RawData.ToByteArray());
        changed[lastWeightByte] ^= 0x01;
        File.WriteAllBytes(folder.File("changed.onnx"), changed);

        var first = OnnxModelReader.Read(folder.File("a.onnx")).ContentSha256;
        var copy = OnnxModelReader.Read(folder.File("copy/a.onnx")).ContentSha256;
        var afterChange = OnnxModelReader.Read(folder.File("changed.onnx")).ContentSha256;

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, copy);
        Assert.NotEqual(first, afterChange);
    }

    /// <summary>Index of the last byte of <paramref name="pattern"/> in <paramref name="bytes"/>: a byte inside raw tensor data, so flipping it keeps the file parseable.</summary>
    private static int FindLast(byte[] bytes, byte[] pattern)
    {
        var index = bytes.AsSpan().IndexOf(pattern);
        Assert.True(index >= 0);
        return index + pattern.Length - 1;
    }
}
