using System.Runtime.InteropServices;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;
using Xunit.Abstractions;

namespace ModelPrune.Engine.Tests.Onnx;

/// <summary>A model's external data is mapped, not copied: reading does not hold its tensors in managed memory.</summary>
public sealed class MappedExternalDataTests
{
    private readonly ITestOutputHelper _log;

    public MappedExternalDataTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public void Reading_a_model_with_external_data_allocates_a_small_part_of_its_data_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("wide.onnx");
        // 32 MB of weights in the data file.
        OnnxModelWriter.WriteWithExternalData(QuantizationFixtures.MatMulChain(3, 1024, 4096, 1024), path, path + ".data");
        var dataBytes = new FileInfo(path + ".data").Length;
        GC.Collect();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var model = OnnxModelReader.Read(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        _log.WriteLine($"data file {dataBytes} bytes, reading allocated {allocated} bytes");
        Assert.True(dataBytes > 30_000_000, $"{dataBytes} bytes");
        Assert.True(allocated < dataBytes / 8, $"reading allocated {allocated} bytes for a {dataBytes}-byte data file");
        var weight = model.Proto.Graph.Initializer.OrderByDescending(t => t.RawData.Length).First();
        Assert.False(MemoryMarshal.TryGetArray(weight.RawData.Memory, out _), "the tensor's bytes were copied into an array");
        GC.KeepAlive(model);
    }

    [Fact]
    public void Pruning_a_mapped_tensor_in_place_never_writes_to_the_users_data_file()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        var dataFile = folder.File(FixtureModels.ExternalWeightsFileName);
        var original = File.ReadAllBytes(dataFile);
        var model = OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName));
        var tensor = model.Proto.Graph.Initializer.First(t => t.Dims.Count == 2);

        Assert.True(new WeightTensor(tensor.Name, tensor).TryGetFloat32InPlace(out var raw));
        raw.Span.Clear();

        Assert.All(MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray(), value => Assert.Equal(0f, value));
        Assert.Equal(original, File.ReadAllBytes(dataFile));
        GC.KeepAlive(model);
    }

    /// <summary>Tensors stay readable however long the model lives, through collections, with no other reference to the mapping.</summary>
    [Fact]
    public void Mapped_tensors_stay_valid_across_garbage_collections()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        var model = OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName));

        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(FixtureModels.GemmMlp(), model.Proto);
    }
}
