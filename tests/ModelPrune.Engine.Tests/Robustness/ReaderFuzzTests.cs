using ModelPrune.Engine.Baseline;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pipeline;
using ModelPrune.Engine.Tests.Baseline;
using ModelPrune.Engine.Tests.Calibration;
using ModelPrune.Engine.Tests.TestSupport;
using ModelPrune.Fixtures;

namespace ModelPrune.Engine.Tests.Robustness;

/// <summary>
/// Seeded mutations of real files (bit flips, truncation, bytes set to extremes, duplicated and dropped runs) fed to
/// every reader of user-supplied bytes: each must give a result or a coded input/environment error (MP1xxx/MP3xxx)
/// naming the file; never an internal error, another exception, or a hang. A short run is part of the suite; a long
/// one is <c>MODELPRUNE_FUZZ_CASES=20000 dotnet test --filter ReaderFuzz</c>.
/// </summary>
public sealed class ReaderFuzzTests : IDisposable
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("MODELPRUNE_FUZZ_CASES"), out var n) ? n : 400;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Found by a long run (case 46,658 of 50,000): a path cut down to an empty string was an ArgumentException.</summary>
    [Fact]
    public void A_request_with_an_empty_output_path_is_MP1019()
    {
        var request = _folder.File("empty.json");
        File.WriteAllText(request, """{ "models": [ { "model": "m.onnx", "output": "", "report": "r", "summary": "s", "markdown": "m", "html": "h", "runInfo": "i" } ] }""");

        var error = Assert.Throws<ModelPruneException>(() => BatchRequestReader.Read(request));

        Assert.Equal(DiagnosticCodes.InvalidRequest, error.Diagnostic.Code);
        Assert.Equal(request, error.Diagnostic.File);
    }

    /// <summary>
    /// npz-deflated mutates the archive's bytes, so most cases break the deflate stream; npy-in-deflated mutates
    /// the array and deflates it afterwards, so every damaged header and shape reaches the reader through a stream
    /// that cannot seek.
    /// </summary>
    public static TheoryData<string> Formats() => new() { "onnx", "npz-stored", "npz-deflated", "npy-in-deflated", "npy", "request", "baseline" };

    /// <summary>Far more than any of the small originals needs: a length or shape field was believed.</summary>
    private const long MaxAllocatedBytes = 64 << 20;

    [Theory]
    [MemberData(nameof(Formats))]
    public void Mutated_files_give_a_result_or_a_coded_input_error_naming_the_file(string format)
    {
        var original = Original(format);
        var path = _folder.File("fuzz." + format);
        var random = new Random(format.GetHashCode(StringComparison.Ordinal) & 0x7FFF);
        var failures = new List<string>();

        for (var i = 0; i < Cases && failures.Count < 5; i++)
        {
            var mutated = Mutate(original, random, out var mutation);
            if (format == "npy-in-deflated")
            {
                File.Delete(path);
                NumpyFiles.WriteZip(path, true, ("input.npy", mutated));
            }
            else
            {
                File.WriteAllBytes(path, mutated);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Read(format, path, mutated);
            }
            catch (ModelPruneException e) when (e.Diagnostic.Code.StartsWith("MP1", StringComparison.Ordinal) || e.Diagnostic.Code.StartsWith("MP3", StringComparison.Ordinal))
            {
                if (!string.Equals(Path.GetFullPath(e.Diagnostic.File), path, StringComparison.Ordinal))
                {
                    failures.Add($"case {i} ({mutation}): {e.Diagnostic.Code} names '{e.Diagnostic.File}', not the file");
                }
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({mutation}): {e.GetType().Name}: {e.Message}");
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (format.StartsWith("np", StringComparison.Ordinal) && allocated > MaxAllocatedBytes)
            {
                failures.Add($"case {i} ({mutation}): {allocated} bytes allocated for a {mutated.Length}-byte file");
            }
        }

        Assert.True(failures.Count == 0, $"{format}: " + string.Join("\n", failures));
    }

    private byte[] Original(string format)
    {
        var source = _folder.File("original." + format);
        switch (format)
        {
            case "onnx":
                return FixtureModels.Serialize(FixtureModels.GemmMlp());
            case "npz-stored":
            case "npz-deflated":
                NumpyFiles.WriteNpz(source, format == "npz-deflated",
                    ("input", NpyTestArray.Float32(NpyTestArray.Sequence(64), 4, 16)), ("labels", NpyTestArray.Int64(new long[] { 1, 2, 3, 4 }, 4)));
                return File.ReadAllBytes(source);
            case "npy" or "npy-in-deflated":
                return NumpyFiles.Npy(NpyTestArray.Float32(NpyTestArray.Sequence(64), 4, 16));
            case "request":
                return System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new
                {
                    cacheEnabled = false,
                    models = new[] { RequestJob.For(_folder, _folder.File("m.onnx"), "m.onnx", "m", new { Sparsity = "0.5", Method = "magnitude" }) },
                }));
            case "baseline":
                return System.Text.Encoding.UTF8.GetBytes(BaselineReports.Node().ToJsonString());
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }

    private static void Read(string format, string path, byte[] bytes)
    {
        switch (format)
        {
            case "onnx": OnnxModelReader.Read(path); break;
            case "npz-stored" or "npz-deflated" or "npy-in-deflated": NpzReader.Read(path); break;
            case "npy": NpyReader.Read(path); break;
            case "request": BatchRequestReader.Read(path); break;
            case "baseline": BaselineReportReader.Read(bytes, path, DiagnosticCodes.BaselineUnreadable); break;
        }
    }

    private static byte[] Mutate(byte[] original, Random random, out string mutation)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
                var flips = random.Next(1, 8);
                for (var f = 0; f < flips; f++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                mutation = $"{flips} bit flips";
                return bytes;
            case 1:
                var length = random.Next(bytes.Length);
                mutation = $"truncated to {length} bytes";
                return bytes[..length];
            case 2:
                // A length or count field set to an extreme: four bytes of 0xFF or 0x7F.
                var at = random.Next(Math.Max(1, bytes.Length - 4));
                var value = random.Next(2) == 0 ? (byte)0xFF : (byte)0x7F;
                for (var k = 0; k < 4 && at + k < bytes.Length; k++) bytes[at + k] = value;
                mutation = $"0x{value:X2} x4 at {at}";
                return bytes;
            case 3:
                var start = random.Next(bytes.Length);
                var count = Math.Min(random.Next(1, 64), bytes.Length - start);
                mutation = $"{count} bytes at {start} duplicated";
                return bytes[..(start + count)].Concat(bytes[start..]).ToArray();
            default:
                var from = random.Next(bytes.Length);
                var drop = Math.Min(random.Next(1, 64), bytes.Length - from);
                mutation = $"{drop} bytes at {from} dropped";
                return bytes[..from].Concat(bytes[(from + drop)..]).ToArray();
        }
    }
}
