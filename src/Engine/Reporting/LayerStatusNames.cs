namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The names reports give each <see cref="LayerStatus"/> (a layer's and a unit group's <c>status</c>). The one
/// place they are spelled: reports and baselines written by earlier versions carry these exact strings.
/// </summary>
internal static class LayerStatusNames
{
    public const string Pruned = "pruned";
    public const string Skipped = "skipped";
    public const string Excluded = "excluded";

    public static string ToName(LayerStatus status) => status switch
    {
        LayerStatus.Pruned => Pruned,
        LayerStatus.Skipped => Skipped,
        LayerStatus.Excluded => Excluded,
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}
