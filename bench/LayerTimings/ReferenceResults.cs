using System.Globalization;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Pruning.SparseGpt;

namespace ModelPrune.Bench.LayerTimings;

/// <summary>What the published code produced for one layer (README of the reference folder, sections 2-3).</summary>
internal static class ReferenceResults
{
    /// <summary>A reference mask (numpy.packbits along rows, big bit order); true = pruned.</summary>
    public static bool[] WandaMask(LayerData layer, string pattern)
    {
        var packed = NpyReader.Read(ReferenceFolder.File($"{layer.Name}/wanda.{pattern}.pruned_mask.packbits.npy")).Data;
        var mask = new bool[layer.Out * layer.In];
        var bytesPerRow = layer.In / 8;
        for (var r = 0; r < layer.Out; r++)
        {
            for (var c = 0; c < layer.In; c++)
            {
                mask[(r * layer.In) + c] = ((packed[(r * bytesPerRow) + (c >> 3)] >> (7 - (c & 7))) & 1) != 0;
            }
        }

        return mask;
    }

    public static float[] SparseGptWeights(LayerData layer, string pattern) =>
        NpyReader.Read(ReferenceFolder.File($"{layer.Name}/sparsegpt.{pattern}.What.npy")).ToFloat32();

    /// <summary>rel_err from metrics.csv.</summary>
    public static double Error(string layer, string method, string pattern)
    {
        var lines = File.ReadLines(ReferenceFolder.File("metrics.csv")).ToArray();
        var header = lines[0].Split(',');
        var column = Array.IndexOf(header, "rel_err");
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells[0] == layer && cells[1] == method && cells[2] == pattern) return double.Parse(cells[column], CultureInfo.InvariantCulture);
        }

        throw new InvalidDataException($"metrics.csv has no row for {layer} {method} {pattern}");
    }

    /// <summary>rel_err of a quantization case (e.g. "gptq.int4g128") from quant/metrics.csv.</summary>
    public static double QuantError(string layer, string quantCase) => QuantMetric(layer, quantCase, "rel_err");

    /// <summary>A numeric column of quant/metrics.csv (rel_err, t_quant_ms, ...).</summary>
    public static double QuantMetric(string layer, string quantCase, string column)
    {
        var lines = File.ReadLines(ReferenceFolder.File("quant/metrics.csv")).ToArray();
        var index = Array.IndexOf(lines[0].Split(','), column);
        if (index < 0) throw new InvalidDataException($"quant/metrics.csv has no column {column}");
        foreach (var line in lines.Skip(1))
        {
            var cells = line.Split(',');
            if (cells[0] == layer && cells[1] == quantCase) return double.Parse(cells[index], CultureInfo.InvariantCulture);
        }

        throw new InvalidDataException($"quant/metrics.csv has no row for {layer} {quantCase}");
    }

    /// <summary>The reference's gptq.int4g128 codes (uint8, [out, in]); the only GPTQ case whose codes are shipped for every layer.</summary>
    public static byte[] GptqInt4Group128Codes(LayerData layer) =>
        NpyReader.Read(ReferenceFolder.File($"quant/{layer.Name}/gptq.int4g128.codes.npy")).Data;

    /// <summary>
    /// ||X Wᵀ − X Ŵᵀ||²_F / ||X Wᵀ||²_F. The products are float32 (the engine's GEMM), the sums float64:
    /// ΔW is formed exactly enough in float32 that this agrees with the float64 metric to well under 0.1 %.
    /// </summary>
    public static double RelativeError(LayerData layer, float[] pruned)
    {
        var delta = new float[layer.W.Length];
        for (var i = 0; i < delta.Length; i++) delta[i] = layer.W[i] - pruned[i];
        return SquaredOutput(layer, delta) / SquaredOutput(layer, layer.W);
    }

    private static double SquaredOutput(LayerData layer, float[] weights)
    {
        var transposed = new float[weights.Length];
        for (var o = 0; o < layer.Out; o++)
        {
            for (var i = 0; i < layer.In; i++) transposed[(i * layer.Out) + o] = weights[(o * layer.In) + i];
        }

        var negative = new float[layer.Tokens * layer.Out];
        ManagedLinearAlgebra.Shared.SubtractProduct(negative, 0, layer.Out, layer.X, 0, layer.In, transposed, 0, layer.Out, layer.Tokens, layer.Out, layer.In);
        double sum = 0;
        foreach (var y in negative) sum += (double)y * y;
        return sum;
    }
}
