using System.Runtime.InteropServices;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Pipeline;

/// <summary>
/// A model mapped from external data is pruned without writing into its pages: each pruned layer is moved to the
/// engine's spill file and mapped from there, with exactly the values in-memory pruning gives, and the user's data
/// file untouched. Passes that only read a mapped tensor hand its pages back.
/// </summary>
public sealed class SpilledPruningTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("magnitude", null)]
    [InlineData("magnitude", "2:4")]
    [InlineData("global-magnitude", null)]
    public void A_mapped_model_is_pruned_through_the_spill_exactly_as_in_memory(string method, string? pattern)
    {
        var proto = QuantizationFixtures.MatMulChain(5, 64, 256, 128, 64);
        var inline = ModelFiles.Write(_folder, "inline.onnx", proto);
        var external = _folder.File("external/model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(external)!);
        OnnxModelWriter.WriteWithExternalData(proto, external, external + ".data");
        var userData = File.ReadAllBytes(external + ".data");
        var settings = PruneSettingsParser.Parse(new RawSettings { Sparsity = pattern is null ? "0.6" : null, Method = method, Pattern = pattern }, inline);

        var inMemory = OnnxModelReader.Read(inline);
        var mapped = OnnxModelReader.Read(external);
        var mappedWeights = PrunableWeightFinder.Find(mapped).ToArray();
        Assert.All(mappedWeights, w => Assert.True(w.Tensor.IsMapped, $"{w.Name} is not mapped"));
        var oldMemory = mappedWeights.ToDictionary(w => w.Name, w => w.Tensor.Proto.RawData.Memory);
        var inMemoryLayers = LayerPruningStage.Apply(inMemory, settings, null, new DiagnosticLog(), inline).Layers;
        var mappedLayers = LayerPruningStage.Apply(mapped, settings, null, new DiagnosticLog(), external).Layers;

        Assert.Equal(inMemoryLayers.Select(l => (l.Name, l.Zeros, l.Status)), mappedLayers.Select(l => (l.Name, l.Zeros, l.Status)));
        Assert.True(mappedLayers.Sum(l => l.Zeros) >= mappedLayers.Sum(l => l.Parameters) / 2, "nothing was pruned");
        var expected = PrunableWeightFinder.Find(inMemory).ToDictionary(w => w.Name, w => w.Tensor.Proto.RawData.ToByteArray());
        foreach (var weight in PrunableWeightFinder.Find(mapped))
        {
            Assert.Equal(expected[weight.Name], weight.Tensor.Proto.RawData.ToByteArray());
            // Moved: still mapped, but no longer where the user's data file lies.
            Assert.True(weight.Tensor.IsMapped, $"{weight.Name} was copied into managed memory");
            Assert.False(oldMemory[weight.Name].Equals(weight.Tensor.Proto.RawData.Memory), $"{weight.Name} was pruned in its own pages");
        }

        Assert.Equal(userData, File.ReadAllBytes(external + ".data"));
        GC.KeepAlive(mapped);
    }

    /// <summary>
    /// Planned before pruning, the output's data file takes each pruned tensor at its place (<see cref="PlannedDataFile"/>),
    /// and the writer adds the rest: the pair is the same to the byte, with the same hash, as through a spill file of the
    /// engine's own. Tensors under the plan's 1 KiB threshold (GemmMlp's, all mapped) go to a spill of their own.
    /// </summary>
    [Theory]
    [InlineData("chain", "magnitude", null)]
    [InlineData("chain", "magnitude", "2:4")]
    [InlineData("chain", "global-magnitude", null)]
    [InlineData("gemm", "magnitude", null)]
    public void Pruned_into_the_planned_data_file_the_pair_is_the_one_written_through_a_spill(string model, string method, string? pattern)
    {
        string external;
        if (model == "chain")
        {
            external = _folder.File("external/model.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(external)!);
            OnnxModelWriter.WriteWithExternalData(QuantizationFixtures.MatMulChain(5, 64, 256, 128, 64), external, external + ".data");
        }
        else
        {
            FixtureModels.WriteExternalDataModel(_folder.File("external"));
            external = _folder.File($"external/{FixtureModels.ExternalModelFileName}");
        }

        var inputs = Directory.GetFiles(_folder.File("external")).ToDictionary(f => f, File.ReadAllBytes);
        var settings = PruneSettingsParser.Parse(new RawSettings { Sparsity = pattern is null ? "0.6" : null, Method = method, Pattern = pattern }, external);
        Directory.CreateDirectory(_folder.File("spilled"));
        Directory.CreateDirectory(_folder.File("planned"));

        var spilled = OnnxModelReader.Read(external);
        LayerPruningStage.Apply(spilled, settings, null, new DiagnosticLog(), external);
        var throughSpill = OnnxModelWriter.WriteWithExternalData(spilled.Proto, _folder.File("spilled/out.onnx"), _folder.File("spilled/out.onnx.data"));
        var planned = OnnxModelReader.Read(external);
        var plan = ExternalDataWriter.Plan(planned.Proto, _folder.File("planned/out.onnx.data"));
        LayerPruningStage.Apply(planned, settings, null, new DiagnosticLog(), external, planned: plan);
        var inPlace = OnnxModelWriter.WriteWithExternalData(planned.Proto, _folder.File("planned/out.onnx"), _folder.File("planned/out.onnx.data"), prefilled: true);

        Assert.Equal(File.ReadAllBytes(_folder.File("spilled/out.onnx")), File.ReadAllBytes(_folder.File("planned/out.onnx")));
        Assert.Equal(File.ReadAllBytes(_folder.File("spilled/out.onnx.data")), File.ReadAllBytes(_folder.File("planned/out.onnx.data")));
        Assert.Equal(throughSpill, inPlace);
        var placed = PrunableWeightFinder.Find(planned).Count(w => plan.Offsets.TryGetValue(w.Tensor.Proto, out var offset)
            && MappedDataFile.LiesAt(w.Tensor.Proto.RawData.Memory, plan.Path, offset));
        var weights = PrunableWeightFinder.Find(planned);
        Assert.Equal(weights.Count(w => w.Tensor.Proto.RawData.Length >= ExternalDataLayout.SizeThreshold), placed);
        Assert.True(placed > 0, "no tensor was placed");
        // GemmMlp's W3 (960 bytes) stays in the .onnx file, so the plan has no place for it.
        if (model == "gemm") Assert.Contains(weights, w => w.Tensor.Proto.RawData.Length < ExternalDataLayout.SizeThreshold);
        Assert.All(inputs, input => Assert.Equal(input.Value, File.ReadAllBytes(input.Key)));
        GC.KeepAlive(spilled);
        GC.KeepAlive(planned);
    }

    [Theory]
    [InlineData("wanda")]
    [InlineData("sparsegpt")]
    public void A_mapped_model_is_pruned_by_a_calibrated_method_through_the_spill_exactly_as_in_memory(string method)
    {
        var config = LlamaConfig.Small;
        var proto = LlamaFixtures.Build(config);
        var inline = ModelFiles.Write(_folder, "llama.onnx", proto);
        var external = _folder.File("external/llama.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(external)!);
        OnnxModelWriter.WriteWithExternalData(proto, external, external + ".data");
        var userData = File.ReadAllBytes(external + ".data");
        var calibrationPath = _folder.File("calibration.npz");
        LlamaFixtures.WriteTokens(calibrationPath, config, sequences: 12, length: 16, seed: 4, labels: false);
        var settings = PruneSettingsParser.Parse(new RawSettings { Sparsity = "0.5", Method = method, CalibrationData = calibrationPath }, inline);
        var calibration = CalibrationLoader.Load(settings.CalibrationData!, _folder.Path, ModelInputSignature.FromModel(proto), 64, 42, inline)
            .Split(CalibrationSplit.HeldOutFraction);

        var inMemory = OnnxModelReader.Read(inline);
        var mapped = OnnxModelReader.Read(external);
        var inMemoryLayers = LayerPruningStage.Apply(inMemory, settings, calibration, new DiagnosticLog(), inline).Layers;
        var mappedLayers = LayerPruningStage.Apply(mapped, settings, calibration, new DiagnosticLog(), external).Layers;

        Assert.Equal(inMemoryLayers.Select(l => (l.Name, l.Zeros, l.Status, l.ReconstructionError, l.HeldOutError, l.Dampening, l.CalibrationTokens)),
            mappedLayers.Select(l => (l.Name, l.Zeros, l.Status, l.ReconstructionError, l.HeldOutError, l.Dampening, l.CalibrationTokens)));
        Assert.Contains(mappedLayers, l => l.Zeros > 0);
        var expected = PrunableWeightFinder.Find(inMemory).ToDictionary(w => w.Name, w => w.Tensor.Proto.RawData.ToByteArray());
        foreach (var weight in PrunableWeightFinder.Find(mapped).Where(w => w.Tensor.CountZeros() > 0))
        {
            Assert.Equal(expected[weight.Name], weight.Tensor.Proto.RawData.ToByteArray());
            Assert.True(weight.Tensor.IsMapped, $"{weight.Name} was copied into managed memory");
        }

        Assert.Equal(userData, File.ReadAllBytes(external + ".data"));
        GC.KeepAlive(mapped);
    }

    [Fact]
    public void A_spilled_model_writes_the_same_files_as_the_model_pruned_in_memory()
    {
        var proto = QuantizationFixtures.MatMulChain(6, 64, 256, 64);
        var inline = ModelFiles.Write(_folder, "inline.onnx", proto);
        var external = _folder.File("external/model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(external)!);
        OnnxModelWriter.WriteWithExternalData(proto, external, external + ".data");
        var settings = PruneSettingsParser.Parse(new RawSettings { Sparsity = "0.5" }, inline);
        var inMemory = OnnxModelReader.Read(inline);
        var mapped = OnnxModelReader.Read(external);
        LayerPruningStage.Apply(inMemory, settings, null, new DiagnosticLog(), inline);
        LayerPruningStage.Apply(mapped, settings, null, new DiagnosticLog(), external);

        Directory.CreateDirectory(_folder.File("a"));
        Directory.CreateDirectory(_folder.File("b"));
        var fromMemory = OnnxModelWriter.WriteWithExternalData(inMemory.Proto, _folder.File("a/out.onnx"), _folder.File("a/out.onnx.data"));
        var fromSpill = OnnxModelWriter.WriteWithExternalData(mapped.Proto, _folder.File("b/out.onnx"), _folder.File("b/out.onnx.data"));

        Assert.Equal(fromMemory.Sha256, fromSpill.Sha256);
        Assert.Equal(File.ReadAllBytes(_folder.File("a/out.onnx.data")), File.ReadAllBytes(_folder.File("b/out.onnx.data")));
    }

    [Fact]
    public void Released_pages_of_a_read_tensor_read_back_the_same_values_and_a_tensor_written_in_place_keeps_its_own()
    {
        var proto = QuantizationFixtures.MatMulChain(7, 512, 2048, 512);
        var external = _folder.File("model.onnx");
        OnnxModelWriter.WriteWithExternalData(proto, external, external + ".data");
        var model = OnnxModelReader.Read(external);
        var weights = PrunableWeightFinder.Find(model).ToArray();
        var read = weights[0].Tensor;
        var written = weights[1].Tensor;
        var values = read.ReadValues();

        Assert.Equal(values.LongCount(v => v == 0f), read.CountZeros());
        read.ReleasePages();
        Assert.Equal(values, read.ReadValues());

        Assert.True(written.TryGetFloat32InPlace(out var raw));
        MemoryMarshal.Cast<byte, float>(raw.Span).Clear();
        written.ReleasePages();
        // Counted where it lies, not from the file, which still has the values before.
        Assert.Equal(written.ElementCount, written.CountZeros());
        Assert.All(written.ReadValues(), v => Assert.Equal(0f, v));
        GC.KeepAlive(model);
    }

    /// <summary>
    /// On Linux a tensor read through its mapping is resident until its pages are handed back; counting reads the file
    /// and leaves the mapping untouched.
    /// </summary>
    [Fact]
    public void Handed_back_pages_leave_the_resident_set_and_counting_never_enters_it_on_Linux()
    {
        if (!OperatingSystem.IsLinux()) return;
        var proto = QuantizationFixtures.MatMulChain(8, 1024, 8192);
        var external = _folder.File("model.onnx");
        OnnxModelWriter.WriteWithExternalData(proto, external, external + ".data");
        var model = OnnxModelReader.Read(external);
        var tensor = PrunableWeightFinder.Find(model).Single().Tensor;
        Assert.True(tensor.TryReadFloat32InPlace(out var raw));
        Assert.Equal(32L << 20, raw.Length);

        var values = tensor.ReadValues();
        var touched = MappingResidency.ResidentBytes(raw);
        tensor.ReleasePages();
        var released = MappingResidency.ResidentBytes(raw);
        var zeros = tensor.CountZeros();
        var counted = MappingResidency.ResidentBytes(raw);

        Assert.True(touched >= 30L << 20, $"{touched} bytes resident after reading 32 MiB through the mapping");
        Assert.True(released <= 2 * Environment.SystemPageSize, $"{released} bytes resident after handing the pages back");
        Assert.True(counted <= 2 * Environment.SystemPageSize, $"{counted} bytes resident after counting");
        Assert.Equal(values.LongCount(v => v == 0f), zeros);
        GC.KeepAlive(model);
    }
}
