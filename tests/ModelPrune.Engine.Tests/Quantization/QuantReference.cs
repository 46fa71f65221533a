using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Pruning.SparseGpt;
using ModelPrune.Engine.Tests.Reference;

namespace ModelPrune.Engine.Tests.Quantization;

/// <summary>
/// The reference RTN, GPTQ and joint SparseGPT + quantization results on the MiniLM reference layers
/// (../shared/reference/quant; its README gives the cases and the acceptance criteria). Layers and their
/// H = 2XᵀX are loaded once per test run: the quantization tests reuse them across cases.
/// </summary>
internal static class QuantReference
{
    private static readonly ConcurrentDictionary<string, Lazy<ReferenceLayer>> LayerCache = new();
    private static readonly ConcurrentDictionary<string, Lazy<float[]>> HessianCache = new();
    private static readonly Lazy<string[][]> MetricRows = new(() => File.ReadLines(ReferenceData.File("quant/metrics.csv")).Select(line => line.Split(',')).ToArray());
    private static readonly Lazy<System.Text.Json.JsonDocument> Manifest = new(() => System.Text.Json.JsonDocument.Parse(File.ReadAllText(ReferenceData.File("quant/manifest.json"))));

    public static ReferenceLayer Layer(string name) => LayerCache.GetOrAdd(name, key => new Lazy<ReferenceLayer>(() => ReferenceLayer.Load(key))).Value;

    /// <summary>H = 2XᵀX as the engine forms it (float32, blocked, its own summation order).</summary>
    public static float[] Hessian(string name) => HessianCache.GetOrAdd(name, key => new Lazy<float[]>(() =>
    {
        var layer = Layer(key);
        var H = new float[layer.In * layer.In];
        SparseGptPruner.AccumulateHessian(H, layer.X, layer.Tokens, layer.In);
        return H;
    })).Value;

    /// <summary>
    /// H bit for bit as the reference formed it: add_batch scales X by float32(√2) and netlib SGEMM sums
    /// (√2·x_ti)(√2·x_tj) over the tokens t in order, in float32 without FMA. GPTQ's codes depend on H's last
    /// bits through the near-ties (quant README section 6), so "given the same H" needs this H.
    /// </summary>
    public static float[] ReferenceHessian(string name) => HessianCache.GetOrAdd("reference:" + name, _ => new Lazy<float[]>(() =>
    {
        var layer = Layer(name);
        var d = layer.In;
        var scaled = new float[layer.X.Length];
        var sqrt2 = MathF.Sqrt(2f);
        for (var k = 0; k < scaled.Length; k++) scaled[k] = sqrt2 * layer.X[k];

        var H = new float[d * d];
        Parallel.For(0, d, i =>
        {
            var row = H.AsSpan(i * d, d);
            for (var t = 0; t < layer.Tokens; t++)
            {
                // Vectorised over j only: each H_ij still sums its products in token order, one rounding each.
                var a = scaled[(t * d) + i];
                var x = scaled.AsSpan(t * d, d);
                var k = 0;
                for (; k <= d - Vector<float>.Count; k += Vector<float>.Count)
                {
                    var products = new Vector<float>(x[k..]) * a;
                    (new Vector<float>(row[k..]) + products).CopyTo(row[k..]);
                }

                for (; k < d; k++) row[k] += a * x[k];
            }
        });
        return H;
    })).Value;

    /// <summary>One metrics.csv cell by column name, for a layer and a case such as gptq.int4g128.</summary>
    public static string Metric(string layer, string quantCase, string column)
    {
        var header = MetricRows.Value[0];
        var index = Array.IndexOf(header, column);
        if (index < 0) throw new InvalidOperationException($"metrics.csv has no column {column}");
        var row = MetricRows.Value.Skip(1).FirstOrDefault(cells => cells[0] == layer && cells[1] == quantCase)
            ?? throw new InvalidOperationException($"metrics.csv has no row for {layer} {quantCase}");
        return row[index];
    }

    public static double NumericMetric(string layer, string quantCase, string column) => double.Parse(Metric(layer, quantCase, column), CultureInfo.InvariantCulture);

    public static double RelativeError(string layer, string quantCase) => NumericMetric(layer, quantCase, "rel_err");

    /// <summary>A float32 reference array under quant/&lt;layer&gt;/ (scales, zeros, a dequantized Wq).</summary>
    public static float[] Floats(string layer, string file) => NpyReader.Read(ReferenceData.File($"quant/{layer}/{file}")).ToFloat32();

    /// <summary>A uint8 reference array under quant/&lt;layer&gt;/ (the gptq.int4g128 codes).</summary>
    public static byte[] Bytes(string layer, string file) => NpyReader.Read(ReferenceData.File($"quant/{layer}/{file}")).Data;

    /// <summary>manifest.json's near-ties of gptq.int4g128 (margin &lt; 1e-4 step): where a correct re-implementation may round the other way.</summary>
    public static HashSet<(int Row, int Col)> NearTies(string layer) =>
        Manifest.Value.RootElement.GetProperty("checks").GetProperty(layer).GetProperty("near_ties_gptq.int4g128").EnumerateArray()
            .Select(tie => (tie[0].GetInt32(), tie[1].GetInt32()))
            .ToHashSet();

    /// <summary>Every layer with each case name in <paramref name="cases"/>.</summary>
    public static TheoryData<string, string> LayerCases(params string[] cases)
    {
        var data = new TheoryData<string, string>();
        foreach (var layer in ReferenceData.Layers)
        {
            foreach (var quantCase in cases) data.Add(layer, quantCase);
        }

        return data;
    }

    /// <summary>The grid a metrics.csv case name stands for (int8: symmetric per channel; int4: asymmetric).</summary>
    public static Engine.Quantization.QuantizationGrid Grid(string quantCase) => quantCase.Split('.')[1] switch
    {
        "int8pc" => new(8, Symmetric: true),
        "int4pc" => new(4, Symmetric: false),
        "int4g128" => new(4, Symmetric: false, GroupSize: 128),
        var other => throw new ArgumentException($"unknown grid {other}", nameof(quantCase)),
    };
}
