using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>Counts the floating-point parameters of a model for the report's before/after totals.</summary>
internal static class ModelParameterCounter
{
    /// <summary>Every float element held by initializers and Constant nodes, subgraphs included.</summary>
    public static (long Parameters, long Zeros) CountFloatParameters(ModelProto model)
    {
        long parameters = 0;
        long zeros = 0;
        foreach (var site in OnnxTensorWalker.AllTensors(model))
        {
            if (site.Kind is not (TensorSiteKind.Initializer or TensorSiteKind.ConstantValue))
            {
                continue;
            }

            var tensor = new WeightTensor(site.DisplayName, site.Tensor);
            if (!tensor.IsFloatingPoint)
            {
                continue;
            }

            parameters += tensor.ElementCount;
            zeros += tensor.CountZeros();
        }

        return (parameters, zeros);
    }
}
