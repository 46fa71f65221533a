using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class OnnxModelWriterTests
{
    public static TheoryData<string> SelfContainedFixtures => new(FixtureModels.SelfContained.Keys);

    [Theory]
    [MemberData(nameof(SelfContainedFixtures))]
    public void Unchanged_model_is_written_back_byte_identical_and_runs(string fileName)
    {
        using var folder = new TempFolder();
        var bytes = FixtureModels.Serialize(FixtureModels.SelfContained[fileName]());
        File.WriteAllBytes(folder.File("in.onnx"), bytes);

        OnnxModelWriter.WriteAtomic(OnnxModelReader.Read(folder.File("in.onnx")).Proto, folder.File("out/out.onnx"));

        Assert.Equal(bytes, File.ReadAllBytes(folder.File("out/out.onnx")));
        Assert.Equal(OrtModelRunner.Run(folder.File("in.onnx")), OrtModelRunner.Run(folder.File("out/out.onnx")));
    }

    [Fact]
    public void Replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        File.WriteAllText(path, "old content");

        var written = OnnxModelWriter.WriteAtomic(FixtureModels.GemmMlp(), path);

        Assert.Equal(FixtureModels.Serialize(FixtureModels.GemmMlp()), File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(folder.Path));
        Assert.Equal(ModelPrune.Engine.Common.FileHash.Sha256Hex(path), written.Sha256);
        Assert.Equal(new FileInfo(path).Length, written.Bytes);
    }

    [Fact]
    public void Failure_to_replace_the_target_rethrows_and_deletes_the_temporary_file()
    {
        using var folder = new TempFolder();
        var target = folder.File("taken.onnx");
        Directory.CreateDirectory(target);

        Assert.ThrowsAny<IOException>(() => OnnxModelWriter.WriteAtomic(FixtureModels.GemmMlp(), target));

        Assert.Empty(Directory.GetFiles(folder.Path));
        Assert.True(Directory.Exists(target));
    }

    [Fact]
    public void ToBytes_matches_protobuf_serialization()
    {
        var model = FixtureModels.SmallCnn();

        Assert.Equal(FixtureModels.Serialize(model), OnnxModelWriter.ToBytes(model));
    }
}
