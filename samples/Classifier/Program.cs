using Classifier;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Loads the pruned model ModelPrune.Build embedded in this assembly through the generated accessor
// (PrunedModels.Classifier: no resource name spelled here) and asks it to read a hand-drawn digit.
var report = PrunedModels.Classifier.ReadReport();
Console.WriteLine($"Pruned model: {PrunedModels.Classifier.ModelResourceName} (report: {PrunedModels.Classifier.ReportResourceName})");
Console.WriteLine($"  {report}");
Console.WriteLine($"  method {report.Method}, pattern {report.Pattern}, {report.LayersPruned} layers pruned, "
    + $"{report.PrunableSparsity * 100:F1}% of their weights zero ({report.ModelSparsity * 100:F1}% of the model)");
Console.WriteLine($"  sha256 {report.PrunedSha256}");
if (report.KeyMetric is not null) Console.WriteLine($"  key metric: {report.KeyMetric}");
if (report.Quantize is not null) Console.WriteLine($"  stored {report.Quantize} ({report.BitsPerWeight:0.##} bits per weight): {report.OriginalBytes:N0} -> {report.PrunedBytes:N0} bytes");
if (report.OriginalGzipBytes is long before && report.PrunedGzipBytes is long after) Console.WriteLine($"  gzip: {before:N0} -> {after:N0} bytes");
foreach (var output in report.Outputs)
{
    var top1 = output.Top1Agreement is { } agreement ? $", top-1 agreement {agreement * 100:F1}%" : string.Empty;
    Console.WriteLine($"  output '{output.Name}' vs the original ({report.EvaluationInputKind} inputs): "
        + $"rel. L2 {output.RelativeL2:G3}, cosine {output.Cosine:F6}{top1}");
}

// The network reads 8x8 digits, row-major, pixels mapped from [0, 1] to [-1, 1] as in its training data.
string[] three = { "..####..", ".#....#.", "......#.", "...###..", "......#.", "......#.", ".#....#.", "..####.." };
var pixels = three.SelectMany(row => row.Select(c => c == '#' ? 1f : -1f)).ToArray();

using var model = new MemoryStream();
using (var embedded = PrunedModels.Classifier.OpenModel())
{
    embedded.CopyTo(model);
}

using var session = new InferenceSession(model.ToArray());
var input = new DenseTensor<float>(pixels, new[] { 1, pixels.Length });
using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input) });
var scores = results.Single().AsEnumerable<float>().ToArray();
var digit = Array.IndexOf(scores, scores.Max());

Console.WriteLine();
Console.WriteLine("Input (a hand-drawn 3):");
foreach (var row in three)
{
    Console.WriteLine("  " + row.Replace('.', ' ').Replace('#', '█'));
}

Console.WriteLine($"Prediction of the pruned model: {digit}");
return digit == 3 ? 0 : 1;
