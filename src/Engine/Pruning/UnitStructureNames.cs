namespace ModelPrune.Engine.Pruning;

/// <summary>The names users write in <c>Structure="..."</c> and <c>--structure</c>.</summary>
internal static class UnitStructureNames
{
    public static IReadOnlyList<string> All { get; } = new[] { "none", "auto", "neurons", "heads", "filters" };

    public static string ToName(UnitStructure structure) => structure.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out UnitStructure structure)
    {
        structure = UnitStructure.None;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var name = text.Trim().ToLowerInvariant();
        if (name == "unstructured") return true;
        return All.Contains(name) && Enum.TryParse(name, ignoreCase: true, out structure);
    }
}
