namespace ModelPrune.Engine.Search;

/// <summary>What one probe measured: the key metric on the evaluation samples and how compressed the model was.</summary>
/// <param name="AchievedSparsity">Zeros over the searchable layers' parameters, as the report's totals count them.</param>
/// <param name="NonzeroParameters">Float parameters of the whole model that are not zero: the size the search shrinks.</param>
/// <param name="Bytes">The probe's model file, raw (smaller only when quantized) …</param>
/// <param name="GzipBytes">… and compressed, where zeros count (as the sweep measures its points).</param>
/// <param name="BitsPerWeight">Over the weights stored as integers, when quantized.</param>
/// <param name="QuantizationErrors">Per quantized layer, its relative output error on calibration inputs (held out where there are some): Quantize="auto"'s cheap sensitivity.</param>
internal sealed record ProbeOutcome(SearchMetric Metric, double AchievedSparsity, long NonzeroParameters, long Bytes = 0, long GzipBytes = 0,
    double? BitsPerWeight = null, IReadOnlyDictionary<string, double>? QuantizationErrors = null);
