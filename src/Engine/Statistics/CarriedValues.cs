using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelPrune.Engine.Statistics;

/// <summary>
/// The values one part of a cut model (<see cref="GraphSlicer"/>) hands to the later parts, per calibration batch: for
/// a transformer the residual stream and the masks, [tokens, hidden] each, small next to a block's weights. They are
/// copied out of the session that computed them into memory of ONNX Runtime's default allocator, so they outlive it.
/// </summary>
internal sealed class CarriedValues : IDisposable
{
    private readonly Dictionary<string, List<OrtValue>> _values = new(StringComparer.Ordinal);

    /// <summary>Each carried value's ONNX element type, for the parts that read it.</summary>
    public Dictionary<string, int> ElementTypes { get; } = new(StringComparer.Ordinal);

    public OrtValue Get(string name, int batch) => _values[name][batch];

    /// <summary>Keeps a copy of <paramref name="value"/> as batch <paramref name="batch"/> of <paramref name="name"/>; batches come in order.</summary>
    public void Add(string name, int batch, OrtValue value)
    {
        if (!_values.TryGetValue(name, out var batches)) _values[name] = batches = new List<OrtValue>();
        if (batches.Count != batch) throw new InvalidOperationException($"carried value '{name}' got batch {batch} after {batches.Count} batches");
        var info = value.GetTensorTypeAndShape();
        OrtValue copy;
        if (info.ElementDataType == TensorElementType.String)
        {
            var strings = value.GetStringTensorAsArray();
            copy = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, info.Shape);
            for (var i = 0; i < strings.Length; i++) copy.StringTensorSetElementAt(strings[i].AsSpan(), i);
        }
        else
        {
            copy = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, info.ElementDataType, info.Shape);
            value.GetTensorMutableRawData().CopyTo(copy.GetTensorMutableRawData());
        }

        batches.Add(copy);
        ElementTypes[name] = (int)info.ElementDataType;
    }

    /// <summary>Frees the values no later part reads.</summary>
    public void Release(Func<string, bool> stillNeeded)
    {
        foreach (var name in _values.Keys.Where(n => !stillNeeded(n)).ToArray())
        {
            foreach (var value in _values[name]) value.Dispose();

            _values.Remove(name);
            ElementTypes.Remove(name);
        }
    }

    public void Dispose() => Release(_ => false);
}
