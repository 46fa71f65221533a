namespace ModelPrune.Engine.Quantization;

/// <summary>
/// Quantize="auto": each layer stored at the precision the search chose for it. Layers not in
/// <paramref name="LayerBits"/> take the settings' own bits (int4, the most compressed level); 8 is int8 per output
/// channel, 0 keeps the layer float. Null <paramref name="LayerBits"/> before the search has chosen.
/// </summary>
/// <param name="Int8Symmetric">The int8 level's symmetry: QuantSymmetric when given, else true (int8's default).</param>
internal sealed record MixedPrecision(bool Int8Symmetric, IReadOnlyDictionary<string, int>? LayerBits = null)
{
    /// <summary>The levels a layer can take, most compressed first: what the search raises a sensitive layer through.</summary>
    public static readonly IReadOnlyList<int> Levels = new[] { 4, 8, 0 };

    public static string LevelName(int bits) => bits switch { 0 => "float", 8 => "int8", _ => "int4" };
}
