using System.Globalization;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Structured;

namespace ModelPrune.Engine.Cli;

/// <summary><c>modelprune inspect</c>: what a user needs to write IncludeLayers/ExcludeLayers patterns.</summary>
internal static class ModelInspector
{
    public static int Print(string modelPath, TextWriter output, bool units = false)
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
        if (units) PrintUnitGroups(model, modelPath, output);
        return 0;
    }

    /// <summary>What structured pruning could remove: every unit group with its weights, or the reason it is left alone.</summary>
    private static void PrintUnitGroups(OnnxModel model, string modelPath, TextWriter output)
    {
        var shapes = ShapeProbe.Run(model.Proto, null, Pipeline.PruneSettings.DefaultSeed, new Dictionary<string, long>(), ExecutionDevice.Cpu, modelPath);
        var groups = UnitGroupFinder.Find(model.Proto, shapes);
        var index = new GraphIndex(model.Proto.Graph);
        string Weights(UnitGroup g, SliceRole role) => string.Join(",", g.Slices.Where(s => s.Role == role).Select(s => index.ConstantName(s.ValueName) ?? s.ValueName).Distinct());

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"unit groups (Structure=...): {groups.Count(g => !g.Failed)} prunable of {groups.Count}"));
        output.WriteLine("group	kind	units	producers	consumers	status");
        foreach (var g in groups)
        {
            output.WriteLine(string.Join("	",
                g.Index.ToString(CultureInfo.InvariantCulture),
                UnitStructureNames.ToName(g.Kind),
                g.Units.ToString(CultureInfo.InvariantCulture),
                Weights(g, SliceRole.ProducerWeight),
                Weights(g, SliceRole.ConsumerWeight),
                g.Failed ? "skipped: " + g.Failure : "prunable"));
        }
    }
}
