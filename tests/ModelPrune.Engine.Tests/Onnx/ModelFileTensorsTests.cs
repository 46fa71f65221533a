using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>
/// A large one-file model's tensors are mapped from the file after parsing, with exactly the parsed values; pruning
/// them goes through the spill and never writes to the user's file, and writing the model hands their pages back.
/// </summary>
public sealed class ModelFileTensorsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Past_the_threshold_the_large_tensors_are_mapped_with_the_parsed_values_and_the_small_ones_stay_parsed()
    {
        var path = ModelFiles.Write(_folder, "embedding.onnx", FixtureModels.EmbeddingModel());

        var mapped = OnnxModelReader.Read(path, mapFromBytes: 0);
        var parsed = OnnxModelReader.Read(path, mapFromBytes: long.MaxValue);

        Assert.Equal(parsed.Proto.ToByteArray(), mapped.Proto.ToByteArray());
        Assert.Equal(parsed.ContentSha256, mapped.ContentSha256);
        foreach (var tensor in mapped.Proto.Graph.Initializer)
        {
            Assert.Equal(tensor.RawData.Length >= ExternalDataLayout.SizeThreshold, MappedDataFile.IsMapped(tensor.RawData.Memory));
        }

        Assert.Contains(mapped.Proto.Graph.Initializer, t => MappedDataFile.IsMapped(t.RawData.Memory));
        Assert.DoesNotContain(parsed.Proto.Graph.Initializer, t => MappedDataFile.IsMapped(t.RawData.Memory));
        // Below the default threshold (256 MiB) a file keeps the parser's copies.
        Assert.DoesNotContain(OnnxModelReader.Read(path).Proto.Graph.Initializer, t => MappedDataFile.IsMapped(t.RawData.Memory));
        GC.KeepAlive(mapped);
    }

    [Theory]
    [InlineData("magnitude", null)]
    [InlineData("magnitude", "2:4")]
    [InlineData("global-magnitude", null)]
    public void A_mapped_one_file_model_is_pruned_as_in_memory_and_the_users_file_is_untouched(string method, string? pattern)
    {
        var path = ModelFiles.Write(_folder, "chain.onnx", QuantizationFixtures.MatMulChain(5, 64, 256, 128, 64));
        var original = File.ReadAllBytes(path);
        var settings = PruneSettingsParser.Parse(new RawSettings { Sparsity = pattern is null ? "0.6" : null, Method = method, Pattern = pattern }, path);
        var inMemory = OnnxModelReader.Read(path, mapFromBytes: long.MaxValue);
        var mapped = OnnxModelReader.Read(path, mapFromBytes: 0);

        var inMemoryLayers = LayerPruningStage.Apply(inMemory, settings, null, new DiagnosticLog(), path).Layers;
        var mappedLayers = LayerPruningStage.Apply(mapped, settings, null, new DiagnosticLog(), path).Layers;

        Assert.Equal(inMemoryLayers.Select(l => (l.Name, l.Zeros, l.Status)), mappedLayers.Select(l => (l.Name, l.Zeros, l.Status)));
        Assert.True(mappedLayers.Sum(l => l.Zeros) >= mappedLayers.Sum(l => l.Parameters) / 2, "nothing was pruned");
        Assert.Equal(inMemory.Proto.ToByteArray(), mapped.Proto.ToByteArray());
        Assert.All(PrunableWeightFinder.Find(mapped), w => Assert.True(w.Tensor.IsMapped, $"{w.Name} was copied into managed memory"));
        Assert.Equal(original, File.ReadAllBytes(path));
        GC.KeepAlive(mapped);
    }

    [Fact]
    public void A_file_that_does_not_hold_the_parsed_layout_leaves_the_model_as_parsed()
    {
        var path = ModelFiles.Write(_folder, "chain.onnx", QuantizationFixtures.MatMulChain(5, 64, 256, 64));
        var other = ModelFiles.Write(_folder, "other.onnx", QuantizationFixtures.MatMulChain(5, 64, 128, 64));
        var model = OnnxModelReader.Read(path, mapFromBytes: long.MaxValue);
        var before = model.Proto.ToByteArray();

        Assert.False(ModelFileTensors.TryMap(model.Proto, other));
        var truncated = _folder.File("truncated.onnx");
        File.WriteAllBytes(truncated, before[..(before.Length / 2)]);
        Assert.False(ModelFileTensors.TryMap(model.Proto, truncated));

        Assert.Equal(before, model.Proto.ToByteArray());
        Assert.DoesNotContain(model.Proto.Graph.Initializer, t => MappedDataFile.IsMapped(t.RawData.Memory));
    }

    [Fact]
    public void Writing_a_mapped_model_in_one_piece_hands_its_pages_back_on_Linux()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Two 16 MiB weights.
        var path = ModelFiles.Write(_folder, "wide.onnx", QuantizationFixtures.MatMulChain(8, 1024, 4096, 1024));
        var model = OnnxModelReader.Read(path, mapFromBytes: 0);
        var weight = model.Proto.Graph.Initializer.First(t => t.Name == "W1").RawData.Memory;
        Assert.True(MappedDataFile.IsMapped(weight));

        var written = OnnxModelWriter.WriteAtomic(model.Proto, _folder.File("out/wide.onnx"));

        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(_folder.File("out/wide.onnx")));
        Assert.Equal(new FileInfo(path).Length, written.Bytes);
        var resident = MappingResidency.ResidentBytes(weight);
        Assert.True(resident <= 4 * Environment.SystemPageSize, $"{resident} bytes of the model's mapping resident after writing it");
        GC.KeepAlive(model);
    }
}
