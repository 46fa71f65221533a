using System.Globalization;

namespace ModelPrune.Engine.Calibration;

/// <summary>One axis of a model input: a fixed size, a symbolic name such as "batch", or neither (unknown).</summary>
internal readonly record struct InputDimension(long? Value, string? Symbol)
{
    public bool IsFixed => Value.HasValue;

    public override string ToString() =>
        Value?.ToString(CultureInfo.InvariantCulture) ?? (string.IsNullOrEmpty(Symbol) ? "?" : Symbol);
}
