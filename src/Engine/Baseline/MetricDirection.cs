namespace ModelPrune.Engine.Baseline;

/// <summary>Which way a metric improves; a metric only fails the gate when it moves the other way.</summary>
internal enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}
