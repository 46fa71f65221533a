using Microsoft.ML.OnnxRuntime;

namespace ModelPrune.Engine.Tests.Statistics;

/// <summary>Seeded float batches for a model with one float input, as the OrtValue dictionaries the collector takes.</summary>
internal sealed class CalibrationBatches : IDisposable
{
    private readonly List<OrtValue> _values = new();
    private readonly List<IReadOnlyDictionary<string, OrtValue>> _batches = new();

    private CalibrationBatches(string inputName, IEnumerable<(float[] Data, long[] Shape)> batches)
    {
        InputName = inputName;
        foreach (var (data, shape) in batches)
        {
            var value = OrtValue.CreateTensorValueFromMemory(data, shape);
            _values.Add(value);
            _batches.Add(new Dictionary<string, OrtValue> { [inputName] = value });
            Data.Add(data);
        }
    }

    private CalibrationBatches(string inputName, IEnumerable<Dictionary<string, OrtValue>> batches)
    {
        InputName = inputName;
        foreach (var batch in batches)
        {
            _values.AddRange(batch.Values);
            _batches.Add(batch);
        }
    }

    public string InputName { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, OrtValue>> Batches => _batches;

    public List<float[]> Data { get; } = new();

    /// <summary>One batch per shape, values uniform in [-1, 1).</summary>
    public static CalibrationBatches Random(string inputName, int seed, params long[][] shapes)
    {
        var random = new Random(seed);
        return new CalibrationBatches(inputName, shapes.Select(shape =>
        {
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            return (Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), shape);
        }).ToList());
    }

    /// <summary>Consecutive [rows, width] slices of <paramref name="data"/>, one batch per entry of <paramref name="rows"/>.</summary>
    public static CalibrationBatches Slices(string inputName, float[] data, int width, params int[] rows)
    {
        var offset = 0;
        var batches = new List<(float[], long[])>();
        foreach (var count in rows)
        {
            batches.Add((data.AsSpan(offset * width, count * width).ToArray(), new long[] { count, width }));
            offset += count;
        }

        return new CalibrationBatches(inputName, batches);
    }

    /// <summary>[batch, seq, width] floats with an int64 attention_mask [batch, seq] that keeps a prefix of each sample's positions.</summary>
    public static CalibrationBatches WithMask(string inputName, int seed, int width, params (int Batch, int Seq)[] shapes)
    {
        var random = new Random(seed);
        return new CalibrationBatches(inputName, shapes.Select(s => new Dictionary<string, OrtValue>
        {
            [inputName] = OrtValue.CreateTensorValueFromMemory(
                Enumerable.Range(0, s.Batch * s.Seq * width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), new long[] { s.Batch, s.Seq, width }),
            ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(
                Enumerable.Range(0, s.Batch * s.Seq).Select(i => i % s.Seq < 1 + (i / s.Seq) ? 1L : 0L).ToArray(), new long[] { s.Batch, s.Seq }),
        }).ToList());
    }

    /// <summary>int64 token ids [batch, seq], uniform over the vocabulary.</summary>
    public static CalibrationBatches Tokens(string inputName, int seed, int vocabulary, params (int Batch, int Seq)[] shapes)
    {
        var random = new Random(seed);
        return new CalibrationBatches(inputName, shapes.Select(s => new Dictionary<string, OrtValue>
        {
            [inputName] = OrtValue.CreateTensorValueFromMemory(
                Enumerable.Range(0, s.Batch * s.Seq).Select(_ => (long)random.Next(vocabulary)).ToArray(), new long[] { s.Batch, s.Seq }),
        }).ToList());
    }

    public void Dispose()
    {
        foreach (var value in _values)
        {
            value.Dispose();
        }
    }
}
