using System.Globalization;
using ModelPrune.Engine.Onnx;

namespace ModelPrune.Engine.Cli;

/// <summary><c>modelprune inspect</c>: what a user needs to write IncludeLayers/ExcludeLayers patterns.</summary>
public static class ModelInspector
{
    public static int Print(string modelPath, TextWriter output)
    {
        var model = OnnxModelReader.Read(Path.GetFullPath(modelPath));
        var weights = PrunableWeightFinder.Find(model);
        var (parameters, zeros) = ModelParameterCounter.CountFloatParameters(model.Proto);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{modelPath}: {weights.Count} prunable layers, {parameters:N0} float parameters in the model ({zeros:N0} already zero)"));
        output.WriteLine();
        output.WriteLine("name\top\tshape\tinput axis\tparameters\ttype\tnodes\tlocation");
        foreach (var w in weights)
        {
            output.WriteLine(string.Join("\t",
                w.Name,
                w.OpType,
                "[" + string.Join("x", w.Tensor.Dims) + "]",
                w.InputAxis.ToString(CultureInfo.InvariantCulture),
                w.Tensor.ElementCount.ToString("N0", CultureInfo.InvariantCulture),
                w.Tensor.ElementTypeName,
                string.Join(",", w.NodeNames),
                w.Location));
        }

        var prunable = weights.Where(w => w.Tensor.IsFloatingPoint).Sum(w => w.Tensor.ElementCount);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prunable parameters: {prunable:N0} ({(parameters == 0 ? 0 : 100.0 * prunable / parameters):0.0}% of the model)"));
        return 0;
    }
}
