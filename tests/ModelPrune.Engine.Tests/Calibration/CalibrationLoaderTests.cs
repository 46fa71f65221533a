using System.Security.Cryptography;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Calibration;

public sealed class CalibrationLoaderTests : IDisposable
{
    private const string Model = "model.onnx";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Npz_files_are_concatenated_in_sorted_path_order()
    {
        NumpyFiles.WriteNpz(_folder.File("b.npz"), true, CalibrationSignatures.TransformerArrays(2, 3, 100));
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, CalibrationSignatures.TransformerArrays(3, 3, 0));

        var set = Load("b.npz; a.npz", CalibrationSignatures.Transformer());

        Assert.False(set.IsSynthetic);
        Assert.Equal(5, set.SampleCount);
        Assert.Equal(new[] { "input_ids", "attention_mask", "scale" }, set.InputNames);
        var ids = set["input_ids"];
        Assert.Equal(new long[] { 5, 3 }, ids.Shape);
        Assert.Equal("int64", ids.ElementTypeName);
        Assert.Equal(
            Enumerable.Range(0, 9).Select(i => (long)i).Concat(Enumerable.Range(100, 6).Select(i => (long)i)),
            (long[])ids.ToArray());
        Assert.Equal(NpyTestArray.Sequence(6).Concat(NpyTestArray.Sequence(4, 100)), (float[])set["scale"].ToArray());
        Assert.Equal(Sha256(_folder.File("a.npz"), _folder.File("b.npz")), set.Sha256);
    }

    [Fact]
    public void A_npy_file_feeds_a_single_input_model()
    {
        NumpyFiles.WriteNpy(_folder.File("x.npy"), NpyTestArray.Float32(NpyTestArray.Sequence(5 * 16), 5, 16));

        var set = Load("x.npy", CalibrationSignatures.Mlp());

        Assert.Equal(new[] { "input" }, set.InputNames);
        Assert.Equal(5, set.SampleCount);
        Assert.Equal(NpyTestArray.Sequence(80), (float[])set["input"].ToArray());
    }

    [Fact]
    public void Loads_the_classifier_samples_data()
    {
        var (pixels, _) = FixtureModels.ClassifierSampleData(40, 11);
        NumpyFiles.WriteNpz(_folder.File("digits.npz"), true, ("pixels", NpyTestArray.Float32(pixels, 40, 64)));

        var set = Load("digits.npz", ModelInputSignature.FromModel(FixtureModels.ClassifierSample()));

        Assert.Equal(40, set.SampleCount);
        Assert.Equal(pixels, (float[])set["pixels"].ToArray());
    }

    [Fact]
    public void Globs_match_file_names_and_skip_other_files()
    {
        var data = Directory.CreateDirectory(_folder.File("data")).FullName;
        NumpyFiles.WriteNpz(Path.Combine(data, "shard2.npz"), false, ("input", NpyTestArray.Float32(NpyTestArray.Sequence(16, 200), 1, 16)));
        NumpyFiles.WriteNpz(Path.Combine(data, "shard1.npz"), false, ("input", NpyTestArray.Float32(NpyTestArray.Sequence(32, 100), 2, 16)));
        NumpyFiles.WriteNpz(Path.Combine(data, "other.npz"), false, ("input", NpyTestArray.Float32(NpyTestArray.Sequence(16, 900), 1, 16)));
        File.WriteAllText(Path.Combine(data, "shard.txt"), "not data");

        var star = Load("data/shard*", CalibrationSignatures.Mlp());
        var question = Load("data/shard?.npz", CalibrationSignatures.Mlp());

        Assert.Equal(3, star.SampleCount);
        Assert.Equal(NpyTestArray.Sequence(32, 100).Concat(NpyTestArray.Sequence(16, 200)), (float[])star["input"].ToArray());
        Assert.Equal(star.Sha256, question.Sha256);
    }

    [Fact]
    public void A_file_named_twice_is_read_once()
    {
        NumpyFiles.WriteNpy(_folder.File("x.npy"), NpyTestArray.Float32(NpyTestArray.Sequence(32), 2, 16));

        var set = Load("x.npy;*.npy;./x.npy", CalibrationSignatures.Mlp());

        Assert.Equal(2, set.SampleCount);
    }

    [Fact]
    public void MaxSamples_takes_the_first_samples_and_reads_only_the_files_it_needs()
    {
        for (var i = 0; i < 3; i++)
        {
            NumpyFiles.WriteNpy(_folder.File($"part{i}.npy"), NpyTestArray.Float32(NpyTestArray.Sequence(4 * 16, i * 1000), 4, 16));
        }

        var set = Load("part*.npy", CalibrationSignatures.Mlp(), maxSamples: 6);

        Assert.Equal(6, set.SampleCount);
        Assert.Equal(NpyTestArray.Sequence(64).Concat(NpyTestArray.Sequence(32, 1000)), (float[])set["input"].ToArray());
        Assert.Equal(Sha256(_folder.File("part0.npy"), _folder.File("part1.npy")), set.Sha256);
    }

    [Fact]
    public void MaxSamples_zero_means_the_default_of_128()
    {
        NumpyFiles.WriteNpy(_folder.File("many.npy"), NpyTestArray.Float32(new float[130 * 16], 130, 16));

        Assert.Equal(CalibrationLoader.DefaultMaxSamples, Load("many.npy", CalibrationSignatures.Mlp(), maxSamples: 0).SampleCount);
        Assert.Equal(128, CalibrationLoader.DefaultMaxSamples);
    }

    [Fact]
    public void The_hash_is_stable_and_follows_the_content()
    {
        var path = _folder.File("x.npy");
        NumpyFiles.WriteNpy(path, NpyTestArray.Float32(NpyTestArray.Sequence(32), 2, 16));
        var first = Load("x.npy", CalibrationSignatures.Mlp()).Sha256;
        var again = Load("x.npy", CalibrationSignatures.Mlp()).Sha256;

        NumpyFiles.WriteNpy(path, NpyTestArray.Float32(NpyTestArray.Sequence(32, 1), 2, 16));
        var changed = Load("x.npy", CalibrationSignatures.Mlp()).Sha256;

        Assert.Equal(first, again);
        Assert.Equal(64, first.Length);
        Assert.Equal(first.ToLowerInvariant(), first);
        Assert.NotEqual(first, changed);
    }

    [Fact]
    public void Synthetic_data_is_seeded_and_shaped_from_the_signature()
    {
        var a = Load("synthetic", CalibrationSignatures.Transformer(), maxSamples: 0, seed: 5);
        var b = Load(" Synthetic ", CalibrationSignatures.Transformer(), maxSamples: 0, seed: 5);
        var c = Load("synthetic", CalibrationSignatures.Transformer(), maxSamples: 0, seed: 6);

        Assert.True(a.IsSynthetic);
        Assert.Equal(128, a.SampleCount);
        Assert.Equal(new long[] { 128, 16 }, a["input_ids"].Shape);      // open "seq" axis → 16
        Assert.Equal(new long[] { 128, 2 }, a["scale"].Shape);
        Assert.All((long[])a["attention_mask"].ToArray(), v => Assert.Equal(1, v));
        Assert.Equal(a.Sha256, b.Sha256);
        Assert.Equal((float[])a["scale"].ToArray(), (float[])b["scale"].ToArray());
        Assert.NotEqual(a.Sha256, c.Sha256);
        Assert.NotEqual((float[])a["scale"].ToArray(), (float[])c["scale"].ToArray());
    }

    [Fact]
    public void Synthetic_floats_are_standard_normal()
    {
        var set = Load("synthetic", CalibrationSignatures.Mlp(), maxSamples: 500, seed: 1);
        var values = (float[])set["input"].ToArray();

        Assert.Equal(500 * 16, values.Length);
        Assert.InRange(values.Average(), -0.05, 0.05);
        Assert.InRange(values.Select(v => (double)v * v).Average(), 0.95, 1.05);
        Assert.NotEqual(Load("synthetic", CalibrationSignatures.Mlp(), maxSamples: 400, seed: 1).Sha256, set.Sha256);
    }

    [Theory]
    [InlineData("missing.npz", "'missing.npz' does not exist")]
    [InlineData("data/*.npz", "folder")]
    [InlineData("*.npz", "matched no .npz or .npy file")]
    [InlineData("d*/x.npz", "wildcard in its folder part")]
    [InlineData(" ; ", "names no files")]
    public void Files_or_globs_that_match_nothing_are_MP1023(string spec, string expected)
    {
        File.WriteAllText(_folder.File("readme.txt"), "not data");

        var e = Fail(spec, CalibrationSignatures.Mlp());

        Assert.Equal(DiagnosticCodes.CalibrationDataNotFound, e.Diagnostic.Code);
        Assert.Equal("MP1023", e.Diagnostic.Code);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void An_array_that_is_not_a_model_input_is_MP1024_listing_the_inputs()
    {
        var arrays = CalibrationSignatures.TransformerArrays(2, 3, 0).Append(("token_type_ids", NpyTestArray.Int64(new long[6], 2, 3))).ToArray();
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, arrays);

        var e = Fail("a.npz", CalibrationSignatures.Transformer());

        Assert.Equal("MP1024", e.Diagnostic.Code);
        Assert.Equal(Model, e.Diagnostic.File);
        Assert.Contains("Array 'token_type_ids' in 'a.npz' is not an input of the model", e.Message);
        Assert.Contains("input_ids: int64[batch,seq], attention_mask: int64[batch,seq], scale: float32[batch,2]", e.Message);
    }

    [Fact]
    public void A_model_input_without_an_array_is_MP1024()
    {
        var arrays = CalibrationSignatures.TransformerArrays(2, 3, 0).Where(a => a.Item1 != "attention_mask").ToArray();
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, arrays);

        var e = Fail("a.npz", CalibrationSignatures.Transformer());

        Assert.Equal("MP1024", e.Diagnostic.Code);
        Assert.Contains("'a.npz' has no array for model input 'attention_mask' (int64[batch,seq])", e.Message);
        Assert.Contains("'input_ids', 'scale'", e.Message);
    }

    [Fact]
    public void A_npy_file_for_a_multi_input_model_is_MP1024()
    {
        NumpyFiles.WriteNpy(_folder.File("ids.npy"), NpyTestArray.Int64(new long[6], 2, 3));

        var e = Fail("ids.npy", CalibrationSignatures.Transformer());

        Assert.Equal("MP1024", e.Diagnostic.Code);
        Assert.Contains("'ids.npy' is a .npy file", e.Message);
        Assert.Contains("3 inputs", e.Message);
        Assert.Contains("numpy.savez(path, input_ids=..., attention_mask=..., scale=...)", e.Message);
    }

    [Fact]
    public void Float64_data_for_a_float32_input_is_MP1025()
    {
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, ("input", NpyTestArray.Float64(new double[32], 2, 16)));

        var e = Fail("a.npz", CalibrationSignatures.Mlp());

        Assert.Equal("MP1025", e.Diagnostic.Code);
        Assert.Contains("Array 'input' in 'a.npz' has dtype float64 ('<f8') but model input 'input' is float32[batch,16]", e.Message);
        Assert.Contains("save it as float32 ('<f4')", e.Message);
    }

    [Fact]
    public void Int32_ids_for_an_int64_input_are_MP1025()
    {
        var arrays = CalibrationSignatures.TransformerArrays(2, 3, 0);
        arrays[0] = ("input_ids", NpyTestArray.Int32(new int[6], 2, 3));
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, arrays);

        var e = Fail("a.npz", CalibrationSignatures.Transformer());

        Assert.Equal("MP1025", e.Diagnostic.Code);
        Assert.Contains("Array 'input_ids'", e.Message);
        Assert.Contains("int64 ('<i8')", e.Message);
    }

    [Fact]
    public void A_wrong_rank_is_MP1026()
    {
        NumpyFiles.WriteNpy(_folder.File("x.npy"), NpyTestArray.Float32(new float[32], 2, 4, 4));

        var e = Fail("x.npy", CalibrationSignatures.Mlp());

        Assert.Equal("MP1026", e.Diagnostic.Code);
        Assert.Contains("Array 'input' in 'x.npy' has shape (2, 4, 4) (3 axes) but model input 'input' is float32[batch,16] (2 axes)", e.Message);
    }

    [Fact]
    public void A_wrong_fixed_dimension_is_MP1026()
    {
        NumpyFiles.WriteNpy(_folder.File("x.npy"), NpyTestArray.Float32(new float[30], 2, 15));

        var e = Fail("x.npy", CalibrationSignatures.Mlp());

        Assert.Equal("MP1026", e.Diagnostic.Code);
        Assert.Contains("Array 'input'", e.Message);
        Assert.Contains("axis 1 must be 16, not 15", e.Message);
    }

    [Fact]
    public void Different_sample_counts_in_one_file_are_MP1026()
    {
        var arrays = CalibrationSignatures.TransformerArrays(2, 3, 0);
        arrays[2] = ("scale", NpyTestArray.Float32(new float[6], 3, 2));
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, arrays);

        var e = Fail("a.npz", CalibrationSignatures.Transformer());

        Assert.Equal("MP1026", e.Diagnostic.Code);
        Assert.Contains("'input_ids' has 2 but 'scale' has 3", e.Message);
    }

    [Fact]
    public void Inputs_sharing_a_named_dimension_must_agree_MP1026()
    {
        var arrays = CalibrationSignatures.TransformerArrays(2, 3, 0);
        arrays[1] = ("attention_mask", NpyTestArray.Int64(new long[8], 2, 4));
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, arrays);

        var e = Fail("a.npz", CalibrationSignatures.Transformer());

        Assert.Equal("MP1026", e.Diagnostic.Code);
        Assert.Contains("Array 'attention_mask' in 'a.npz' has 4 on axis 1 ('seq') but array 'input_ids' has 3", e.Message);
    }

    [Fact]
    public void Files_that_cannot_be_concatenated_are_MP1026()
    {
        NumpyFiles.WriteNpz(_folder.File("a.npz"), false, CalibrationSignatures.TransformerArrays(2, 3, 0));
        NumpyFiles.WriteNpz(_folder.File("b.npz"), false, CalibrationSignatures.TransformerArrays(2, 5, 0));

        var e = Fail("*.npz", CalibrationSignatures.Transformer());

        Assert.Equal("MP1026", e.Diagnostic.Code);
        Assert.Contains("Array 'input_ids' in 'b.npz' has shape (2, 5) but in 'a.npz' it has (2, 3)", e.Message);
    }

    [Fact]
    public void An_unreadable_npz_is_MP1022_naming_the_file()
    {
        File.WriteAllBytes(_folder.File("a.npz"), new byte[] { 1, 2, 3 });

        var e = Fail("a.npz", CalibrationSignatures.Mlp());

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Equal(Model, e.Diagnostic.File);
        Assert.StartsWith("In 'a.npz': ", e.Message);
    }

    [Fact]
    public void An_unreadable_npy_is_MP1022_naming_the_file()
    {
        File.WriteAllBytes(_folder.File("x.npy"), new byte[] { 1, 2, 3 });

        var e = Fail("x.npy", CalibrationSignatures.Mlp());

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Contains("The array in 'x.npy' is not a readable .npy array", e.Message);
    }

    [Theory]
    [InlineData("synthetic;a.npz", "mixes 'synthetic' with files")]
    [InlineData("a.csv", "neither .npz nor .npy")]
    [InlineData("empty.npy", "holds no samples")]
    public void Other_unusable_specs_are_MP1022(string spec, string expected)
    {
        File.WriteAllText(_folder.File("a.csv"), "1,2");
        NumpyFiles.WriteNpy(_folder.File("empty.npy"), NpyTestArray.Float32(Array.Empty<float>(), 0, 16));

        var e = Fail(spec, CalibrationSignatures.Mlp());

        Assert.Equal(DiagnosticCodes.InvalidCalibrationData, e.Diagnostic.Code);
        Assert.Contains(expected, e.Message);
    }

    private CalibrationSet Load(string spec, ModelInputSignature signature, int maxSamples = 0, int seed = 0) =>
        CalibrationLoader.Load(spec, _folder.Path, signature, maxSamples, seed, Model);

    private ModelPruneException Fail(string spec, ModelInputSignature signature) =>
        Assert.Throws<ModelPruneException>(() => Load(spec, signature));

    private static string Sha256(params string[] paths) =>
        Convert.ToHexString(SHA256.HashData(paths.SelectMany(File.ReadAllBytes).ToArray())).ToLowerInvariant();
}
