namespace ModelPrune.Engine.Reporting;

internal static class ReportTotalsBuilder
{
    public static ReportTotals Build(IReadOnlyList<LayerReport> layers, long modelParameters, long modelZeros)
    {
        var pruned = layers.Where(l => l.Status == LayerStatusNames.Pruned).ToArray();
        var prunableParameters = pruned.Sum(l => l.Parameters);
        // A structured run removes parameters instead of zeroing them; both count towards the sparsity achieved.
        var prunableZeros = pruned.Sum(l => l.Zeros + (l.Removed ?? 0));
        return new ReportTotals(
            pruned.Length,
            layers.Count(l => l.Status == LayerStatusNames.Excluded),
            layers.Count(l => l.Status == LayerStatusNames.Skipped),
            prunableParameters,
            prunableZeros,
            prunableParameters == 0 ? 0 : (double)prunableZeros / prunableParameters,
            modelParameters,
            modelZeros,
            modelParameters == 0 ? 0 : (double)modelZeros / modelParameters);
    }
}
