namespace ModelPrune.Engine.Reporting;

/// <summary>What the pruning stage did with a layer or a group of units; reports spell it with <see cref="LayerStatusNames"/>.</summary>
internal enum LayerStatus
{
    Pruned,
    Skipped,
    Excluded,
}
