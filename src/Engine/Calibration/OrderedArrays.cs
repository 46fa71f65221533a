using System.Collections;

namespace ModelPrune.Engine.Calibration;

/// <summary>A read-only name → array map that enumerates in insertion order, which Dictionary does not promise.</summary>
internal sealed class OrderedArrays : IReadOnlyDictionary<string, NpyArray>
{
    private readonly IReadOnlyList<KeyValuePair<string, NpyArray>> _items;
    private readonly Dictionary<string, NpyArray> _byName;

    public OrderedArrays(IReadOnlyList<KeyValuePair<string, NpyArray>> items)
    {
        _items = items;
        _byName = items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
    }

    public int Count => _items.Count;

    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    public IEnumerable<NpyArray> Values => _items.Select(i => i.Value);

    public NpyArray this[string key] => _byName[key];

    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out NpyArray value) =>
        _byName.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, NpyArray>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
