using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Evaluation;

/// <summary>Builds an <see cref="OriginalOutputSummary"/> from the original's batches of one output, as they are run.</summary>
internal sealed class OriginalOutputSummaryBuilder
{
    private readonly string _name;
    private readonly TensorElementType _type;
    private readonly List<long[]> _batchShapes = new();
    private long _nonFinite;
    private ProbabilityRowsAccumulator? _probabilityRows;

    public OriginalOutputSummaryBuilder(string name, TensorElementType type)
    {
        _name = name;
        _type = type;
    }

    public void Add(CapturedOutput batch)
    {
        _batchShapes.Add(batch.Shape);
        foreach (var value in batch.Values)
        {
            if (!double.IsFinite(value)) _nonFinite++;
        }

        // Only [batch, positions, n] floating-point outputs may be probabilities (see TaskDetector.Choose).
        if (ElementTypeNames.IsFloatingPoint(_type) && batch.Shape.Length == 3 && batch.Shape[2] <= int.MaxValue)
        {
            _probabilityRows ??= new ProbabilityRowsAccumulator((int)batch.Shape[2]);
            _probabilityRows.Add(batch.Values);
        }
    }

    public OriginalOutputSummary Build()
    {
        var shape = BatchShapes.Joined(_batchShapes);
        var probabilities = shape.Length == 3 && _probabilityRows is { Result: true };
        return new OriginalOutputSummary(_name, _type, shape, _nonFinite, probabilities);
    }
}
