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

    public void Dispose()
    {
        foreach (var value in _values)
        {
            value.Dispose();
        }
    }
}
