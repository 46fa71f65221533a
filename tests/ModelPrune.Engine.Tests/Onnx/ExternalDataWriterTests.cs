using Google.Protobuf;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class ExternalDataWriterTests
{
    public static TheoryData<string> SelfContainedFixtures => new(FixtureModels.SelfContained.Keys);

    /// <summary>Every fixture (initializers, Constant values, If branches, float16, LSTM…) runs the same from the pair.</summary>
    [Theory]
    [MemberData(nameof(SelfContainedFixtures))]
    public void A_model_written_with_external_data_runs_in_onnx_runtime_as_the_inline_model_does(string fileName)
    {
        using var folder = new TempFolder();
        var model = FixtureModels.SelfContained[fileName]();
        var inline = folder.File("inline/" + fileName);
        var external = folder.File("external/" + fileName);
        OnnxModelWriter.WriteAtomic(model, inline);
        Directory.CreateDirectory(folder.File("external"));

        OnnxModelWriter.WriteWithExternalData(model, external, ExternalDataLayout.DataPathFor(external));

        Assert.Equal(OrtModelRunner.Run(inline), OrtModelRunner.Run(external));
        // The caller's model still holds every tensor (the writer swaps them out only while it writes; typed fields come
        // back as raw_data), so a later write in one piece computes the same.
        Assert.DoesNotContain(OnnxTensorWalker.AllTensors(model), s => s.Tensor.DataLocation == TensorProto.Types.DataLocation.External);
        var after = folder.File("after/" + fileName);
        OnnxModelWriter.WriteAtomic(model, after);
        Assert.Equal(OrtModelRunner.Run(inline), OrtModelRunner.Run(after));
    }

    [Fact]
    public void Large_tensors_go_to_one_data_file_at_aligned_offsets_named_without_a_folder()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        var model = FixtureModels.MatMulMlp();

        var written = OnnxModelWriter.WriteWithExternalData(model, path, path + ".data");

        var onDisk = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var dataLength = new FileInfo(path + ".data").Length;
        var external = OnnxTensorWalker.AllTensors(onDisk).Select(s => s.Tensor).Where(t => t.DataLocation == TensorProto.Types.DataLocation.External).ToList();
        Assert.NotEmpty(external);
        long end = 0;
        foreach (var tensor in external)
        {
            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal("model.onnx.data", entries["location"]);
            var offset = long.Parse(entries["offset"], System.Globalization.CultureInfo.InvariantCulture);
            var length = long.Parse(entries["length"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(0, offset % ExternalDataLayout.Alignment);
            Assert.True(length >= ExternalDataLayout.SizeThreshold);
            Assert.True(offset >= end, "tensors do not overlap");
            Assert.True(tensor.RawData.IsEmpty);
            end = offset + length;
        }

        Assert.Equal(end, dataLength);
        // Small tensors (biases here) stay in the .onnx file.
        Assert.Contains(OnnxTensorWalker.AllTensors(onDisk), s => s.Tensor.DataLocation == TensorProto.Types.DataLocation.Default && !s.Tensor.RawData.IsEmpty);
        Assert.Equal(new FileInfo(path).Length + dataLength, written.Bytes);
        Assert.Equal(dataLength, written.DataBytes);
    }

    [Fact]
    public void Reading_the_pair_back_gives_the_model_and_the_written_hash()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");

        var written = OnnxModelWriter.WriteWithExternalData(FixtureModels.GemmMlp(), path, path + ".data");
        var read = OnnxModelReader.Read(path);

        Assert.Equal(FixtureModels.GemmMlp(), read.Proto);
        Assert.Equal(written.Sha256, read.ContentSha256);
        Assert.Equal(new[] { path + ".data" }, read.ExternalDataFiles);
    }

    [Fact]
    public void Tensors_in_typed_fields_are_moved_to_the_data_file_as_raw_little_endian_bytes()
    {
        using var folder = new TempFolder();
        var model = FixtureModels.GemmMlp();
        var weight = model.Graph.Initializer.First(t => t.RawData.Length >= ExternalDataLayout.SizeThreshold);
        var values = new float[weight.RawData.Length / 4];
        Buffer.BlockCopy(weight.RawData.ToByteArray(), 0, values, 0, weight.RawData.Length);
        weight.RawData = ByteString.Empty;
        weight.FloatData.Add(values);
        var inline = folder.File("inline.onnx");
        var external = folder.File("external.onnx");
        OnnxModelWriter.WriteAtomic(model, inline);

        OnnxModelWriter.WriteWithExternalData(model, external, external + ".data");

        var onDisk = ModelProto.Parser.ParseFrom(File.ReadAllBytes(external)).Graph.Initializer.Single(t => t.Name == weight.Name);
        Assert.Equal(TensorProto.Types.DataLocation.External, onDisk.DataLocation);
        Assert.Empty(onDisk.FloatData);
        Assert.Equal(OrtModelRunner.Run(inline), OrtModelRunner.Run(external));
    }

    [Fact]
    public void Auto_writes_external_data_only_past_the_protobuf_limit()
    {
        var model = FixtureModels.GemmMlp();
        var size = model.CalculateSize();

        Assert.False(OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Auto, "m.onnx"));
        Assert.True(OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Auto, "m.onnx", limitBytes: size / 2));
        Assert.True(OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Always, "m.onnx"));
        Assert.False(OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Never, "m.onnx"));
    }

    [Fact]
    public void Never_past_the_limit_is_MP1015_saying_how_to_write_external_data()
    {
        var model = FixtureModels.GemmMlp();

        var error = Assert.Throws<ModelPruneException>(() =>
            OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Never, "m.onnx", limitBytes: model.CalculateSize() / 2));

        Assert.Equal(DiagnosticCodes.ModelTooLarge, error.Diagnostic.Code);
        Assert.Contains("ExternalData=\"never\"", error.Diagnostic.Message);
        Assert.Contains("ExternalData=\"auto\"", error.Diagnostic.Message);
    }

    [Fact]
    public void A_graph_too_large_even_without_its_large_tensors_is_MP1015_and_writes_nothing()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.onnx");
        var model = FixtureModels.GemmMlp();

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelWriter.WriteWithExternalData(model, path, path + ".data", limitBytes: 16));

        Assert.Equal(DiagnosticCodes.ModelTooLarge, error.Diagnostic.Code);
        Assert.Empty(Directory.GetFiles(folder.Path));
        Assert.Equal(FixtureModels.GemmMlp(), model);
    }

    [Theory]
    [InlineData("model.onnx.data", true)]
    [InlineData("../model.onnx.data", false)]
    [InlineData("sub/model.onnx.data", false)]
    [InlineData("sub\\model.onnx.data", false)]
    [InlineData("C:model.onnx.data", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    public void Only_a_plain_file_name_is_a_data_file_location(string location, bool accepted)
    {
        Assert.Equal(accepted, ExternalDataWriter.IsPlainFileName(location));
    }

    [Fact]
    public void A_staged_pair_is_committed_together_and_an_abandoned_one_leaves_nothing()
    {
        using var folder = new TempFolder();
        var final = folder.File("out/model.onnx");
        File.WriteAllText(folder.File("keep.txt"), "a user's file");
        using (var abandoned = new StagedOutputs())
        {
            var (model, data) = abandoned.ReservePair(final, final + ".data");
            OnnxModelWriter.WriteWithExternalData(FixtureModels.GemmMlp(), model, data);
            // ONNX Runtime loads the staged pair: the data file has the name the model gives it.
            Assert.NotEmpty(OrtModelRunner.Run(model));
        }

        Assert.Empty(Directory.GetFileSystemEntries(folder.File("out")));

        using (var staged = new StagedOutputs())
        {
            var (model, data) = staged.ReservePair(final, final + ".data");
            OnnxModelWriter.WriteWithExternalData(FixtureModels.GemmMlp(), model, data);
            staged.Commit();
        }

        Assert.Equal(new[] { final, final + ".data" }.Order(), Directory.GetFileSystemEntries(folder.File("out")).Order());
        Assert.Equal(OrtModelRunner.Run(WriteInline(folder, FixtureModels.GemmMlp())), OrtModelRunner.Run(final));
        Assert.True(File.Exists(folder.File("keep.txt")));
    }

    [Fact]
    public void A_model_written_in_one_piece_takes_away_the_data_file_an_earlier_run_left()
    {
        using var folder = new TempFolder();
        var final = folder.File("model.onnx");
        File.WriteAllText(final + ".data", "from an earlier run with ExternalData");

        using (var staged = new StagedOutputs())
        {
            OnnxModelWriter.WriteAtomic(FixtureModels.GemmMlp(), staged.Reserve(final));
            staged.DeleteOnCommit(final + ".data");
            Assert.True(File.Exists(final + ".data"), "nothing is deleted before the commit");
            staged.Commit();
        }

        Assert.Equal(new[] { final }, Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void A_staging_folder_left_by_a_dead_process_is_removed_and_a_user_folder_is_not()
    {
        using var folder = new TempFolder();
        var final = folder.File("model.onnx");
        var dead = final + ".999999999-" + new string('a', 32) + ".tmp";
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, "model.onnx.data"), "half");
        var users = folder.File("model.onnx.mine.tmp");
        Directory.CreateDirectory(users);

        AtomicFile.RemoveStale(final);
        AtomicFile.TryDelete(users);

        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(users));
    }

    private static string WriteInline(TempFolder folder, ModelProto model)
    {
        var path = folder.File("reference/model.onnx");
        OnnxModelWriter.WriteAtomic(model, path);
        return path;
    }
}
