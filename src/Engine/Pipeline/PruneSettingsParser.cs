using System.Globalization;
using System.Text.RegularExpressions;
using ModelPrune.Engine.Baseline;
using ModelPrune.Engine.Calibration;
using ModelPrune.Engine.Common;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Evaluation;
using ModelPrune.Engine.Onnx;
using ModelPrune.Engine.Pruning;
using ModelPrune.Engine.Quantization;
using ModelPrune.Engine.Search;
using ModelPrune.Settings;

namespace ModelPrune.Engine.Pipeline;

internal static class PruneSettingsParser
{
    private static readonly Regex NmSyntax = new(@"^\s*(\d+)\s*:\s*(\d+)\s*$", RegexOptions.CultureInvariant);

    /// <summary>Validates every setting; the first problem becomes a coded error naming <paramref name="file"/>.</summary>
    public static PruneSettings Parse(RawSettings raw, string file)
    {
        var structure = ParseStructure(raw.Structure, file);
        // Structure alone picks the method that needs no data; a structured method alone lets the analysis choose the units.
        var method = structure != UnitStructure.None && string.IsNullOrWhiteSpace(raw.Method) ? PruningMethod.MagnitudeL2 : ParseMethod(raw.Method, file);
        if (structure == UnitStructure.None && PruningMethodNames.IsStructured(method)) structure = UnitStructure.Auto;
        var pattern = ParsePattern(raw.Pattern, file);
        CheckStructuredCombination(structure, method, pattern, raw, file);
        var isSearch = string.Equals(raw.Sparsity?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);
        // A search starts from the dense model; its bounds and layer ceilings are those of any sparsity.
        var sparsity = isSearch ? 0 : ParseSparsity(raw.Sparsity, pattern, file);
        var maxLayerSparsity = ParseMaxLayerSparsity(raw.MaxLayerSparsity, sparsity, file);
        var minLayerSparsity = ParseMinLayerSparsity(raw.MinLayerSparsity, sparsity, file);

        if (method == PruningMethod.GlobalMagnitude && pattern.IsNM)
        {
            throw new ModelPruneException(DiagnosticCodes.PatternNotSupportedByMethod, file,
                $"Method '{PruningMethodNames.GlobalMagnitude}' ranks weights across layers, which an N:M pattern ({pattern}) fixes per group of {pattern.M}. Use Method=\"{PruningMethodNames.Magnitude}\" with Pattern=\"{pattern}\", or drop the pattern.");
        }

        var calibration = string.IsNullOrWhiteSpace(raw.CalibrationData) ? null : raw.CalibrationData.Trim();
        var quantization = ParseQuantization(raw, calibration is not null, file);
        var methodNeedsCalibration = PruningMethodNames.NeedsCalibration(method);
        // Quantization reads calibration data whenever it is given: GPTQ fits with it, and either method's error is measured on it.
        var needsCalibration = methodNeedsCalibration || (quantization is not null && calibration is not null);
        if (methodNeedsCalibration && calibration is null)
        {
            throw new ModelPruneException(DiagnosticCodes.CalibrationRequired, file,
                $"Method '{PruningMethodNames.ToName(method)}' scores weights with statistics of real layer inputs and needs calibration data: give CalibrationData=\"data.npz\" ({SettingTable.CalibrationData.CommandLineName}), arrays named after the model's inputs, or CalibrationData=\"synthetic\" to use seeded random inputs (much weaker).");
        }

        var search = quantization?.Mixed is not null
            ? ParseQuantizeSearch(raw, structure, calibration, isSearch, file)
            : isSearch ? ParseSearch(raw, structure, method, pattern, calibration, file) : null;

        return new PruneSettings(
            method,
            sparsity,
            pattern,
            maxLayerSparsity,
            LayerSelector.SplitList(raw.IncludeLayers),
            LayerSelector.SplitList(raw.ExcludeLayers),
            ParseSeed(raw.Seed, file),
            DimensionOverrideParser.Parse(raw.Dimensions, file),
            needsCalibration ? calibration : null,
            needsCalibration
                ? ParsePositiveCount(raw.CalibrationSamples, SettingTable.CalibrationSamples, PruneSettings.DefaultCalibrationSamples, DiagnosticCodes.InvalidCalibrationSamples,
                    "how many calibration samples to use, e.g. CalibrationSamples=\"128\"", file)
                : PruneSettings.DefaultCalibrationSamples,
            structure == UnitStructure.None ? ParseAllocation(raw.Allocation, method, pattern, file) : ParseStructuredAllocation(raw.Allocation, method, file),
            minLayerSparsity,
            methodNeedsCalibration ? ParseCalibrationMode(raw.CalibrationMode, file) : CalibrationMode.OnePass,
            ParseDevice(raw.Device, file),
            string.IsNullOrWhiteSpace(raw.EvaluationData) ? null : raw.EvaluationData.Trim(),
            ParsePositiveCount(raw.EvaluationSamples, SettingTable.EvaluationSamples, PruneSettings.DefaultEvaluationSamples, DiagnosticCodes.InvalidEvaluationSamples,
                "how many evaluation samples to compare the models on, e.g. EvaluationSamples=\"256\"", file),
            ParseTask(raw.Task, file),
            ParseSweep(raw.SweepSparsities, pattern, file),
            structure,
            ParsePositiveCount(raw.MinUnitsPerLayer, SettingTable.MinUnitsPerLayer, PruneSettings.DefaultMinUnitsPerLayer, DiagnosticCodes.InvalidMinUnitsPerLayer,
                "how many units (neurons, heads, filters) every pruned layer keeps at least, e.g. MinUnitsPerLayer=\"1\"", file),
            ParsePositiveCount(raw.UnitMultiple, SettingTable.UnitMultiple, 1, DiagnosticCodes.InvalidUnitMultiple,
                "the multiple every pruned layer's kept unit count is rounded up to, e.g. UnitMultiple=\"8\" for hardware-friendly shapes", file),
            ParseMeasureLatency(raw.MeasureLatency, file),
            quantization,
            search)
        {
            ExternalData = ParseExternalData(raw.ExternalData, file),
        };
    }

    /// <summary>
    /// Sparsity="auto": the target (MaxMetricDrop, DropType; the gate's own parser, so both read them alike) and the
    /// probe budget. The search moves one sparsity per layer, so what fixes or derives those itself is refused.
    /// </summary>
    private static SearchSettings ParseSearch(RawSettings raw, UnitStructure structure, PruningMethod method, SparsityPattern pattern, string? calibration, string file)
    {
        string? conflict = null;
        if (structure != UnitStructure.None) conflict = $"Structure '{UnitStructureNames.ToName(structure)}' (the search sets a sparsity per weight, not whole units; not yet supported)";
        else if (pattern.IsNM) conflict = $"Pattern '{pattern}' (an N:M pattern fixes the sparsity at N/M)";
        else if (method == PruningMethod.GlobalMagnitude) conflict = $"Method '{PruningMethodNames.GlobalMagnitude}' (its threshold decides each layer's sparsity, which the search sets itself)";
        else if (!string.IsNullOrWhiteSpace(raw.Allocation) && !raw.Allocation.Trim().Equals("uniform", StringComparison.OrdinalIgnoreCase)) conflict = $"Allocation '{raw.Allocation.Trim()}' (the search allocates the sparsity per layer itself)";
        else if (!string.IsNullOrWhiteSpace(raw.CalibrationMode) && raw.CalibrationMode.Trim().Equals("sequential", StringComparison.OrdinalIgnoreCase)) conflict = "CalibrationMode 'sequential' (its statistics change with every probe, so they cannot be collected once)";
        else if (!string.IsNullOrWhiteSpace(raw.SweepSparsities)) conflict = "SweepSparsities (the search's trace is the curve)";
        if (conflict is not null)
        {
            throw new ModelPruneException(DiagnosticCodes.SearchNotSupported, file,
                $"Sparsity=\"auto\" cannot be combined with {conflict}. Remove one of them, or give a fixed Sparsity.");
        }

        if (string.IsNullOrWhiteSpace(raw.EvaluationData) && !(PruningMethodNames.NeedsCalibration(method) && calibration is not null && !calibration.Equals("synthetic", StringComparison.OrdinalIgnoreCase)))
        {
            throw NoEvaluationData(file);
        }

        var (tolerance, budget) = ParseTarget(raw, file);
        return new SearchSettings(tolerance, budget);
    }

    /// <summary>
    /// Quantize="auto": the same target and budget as Sparsity="auto", searching int4, int8 or float per layer at the
    /// given sparsity. One setting is searched at a time; a sweep or a structured prune would need a choice per point.
    /// </summary>
    private static SearchSettings ParseQuantizeSearch(RawSettings raw, UnitStructure structure, string? calibration, bool sparsityIsAuto, string file)
    {
        string? conflict = null;
        if (sparsityIsAuto) conflict = "Sparsity=\"auto\" (one setting is searched at a time: fix the sparsity, or the quantization)";
        else if (structure != UnitStructure.None) conflict = $"Structure '{UnitStructureNames.ToName(structure)}' (not yet supported)";
        else if (!string.IsNullOrWhiteSpace(raw.SweepSparsities)) conflict = "SweepSparsities (each sweep point would need its own search)";
        if (conflict is not null)
        {
            throw new ModelPruneException(DiagnosticCodes.SearchNotSupported, file,
                $"Quantize=\"auto\" cannot be combined with {conflict}. Remove one of them, or give a fixed Quantize (int8 or int4).");
        }

        // Quantization reads calibration data whenever it is given, so its held-out samples can measure the metric.
        if (string.IsNullOrWhiteSpace(raw.EvaluationData) && (calibration is null || calibration.Equals("synthetic", StringComparison.OrdinalIgnoreCase)))
        {
            throw NoEvaluationData(file, "Quantize");
        }

        var (tolerance, budget) = ParseTarget(raw, file);
        return new SearchSettings(tolerance, budget, SearchedSetting.Quantize);
    }

    private static (Tolerance MaxDrop, int Budget) ParseTarget(RawSettings raw, string file)
    {
        var budget = SearchSettings.DefaultBudget;
        if (!string.IsNullOrWhiteSpace(raw.SearchBudget)
            && (!int.TryParse(raw.SearchBudget.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out budget) || budget < SearchSettings.MinBudget))
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidSearchBudget, file,
                $"{SettingTable.SearchBudget.BothSpellings} '{raw.SearchBudget}' is not a whole number of at least {SearchSettings.MinBudget}. Give the most probes (compress + evaluate) the search may spend, e.g. SearchBudget=\"{SearchSettings.DefaultBudget}\".");
        }

        var relative = ToleranceSettingsParser.ParseDropType(raw.DropType, file);
        return (ToleranceSettingsParser.ParseMaxMetricDrop(raw.MaxMetricDrop, relative, file), budget);
    }

    /// <summary>MP1100: quality cannot be measured on synthetic inputs, so a search without real samples would pick noise.</summary>
    public static ModelPruneException NoEvaluationData(string file, string setting = "Sparsity") =>
        new(DiagnosticCodes.SearchNeedsEvaluationData, file,
            $"{setting}=\"auto\" measures the key metric on real samples, and there are none: give EvaluationData=\"eval.npz\" ({SettingTable.EvaluationData.CommandLineName}; with labels for accuracy), or "
            + (setting == "Quantize" ? "real CalibrationData" : "with Method wanda or sparsegpt, real CalibrationData")
            + " with enough samples that some are held out. Synthetic inputs cannot measure quality.");

    /// <summary>Null for Quantize="none" (the default), so the companions are only read, and only checked, when it is set.</summary>
    private static QuantizationSettings? ParseQuantization(RawSettings raw, bool calibrationGiven, string file)
    {
        var dynamic = (raw.QuantizeActivations?.Trim().ToLowerInvariant() ?? "none") switch
        {
            "none" => false,
            "dynamic" => true,
            _ => throw new ModelPruneException(DiagnosticCodes.InvalidQuantizeActivations, file,
                $"{SettingTable.QuantizeActivations.BothSpellings} '{raw.QuantizeActivations}' is not known. Use \"dynamic\" (int8 weights, activations quantized as the model runs, integer kernels) or \"none\" (the default)."),
        };

        // Dynamic activation quantization runs on int8 weights, so asking for it asks for them.
        var quantize = dynamic && string.IsNullOrWhiteSpace(raw.Quantize) ? "int8" : raw.Quantize;
        var auto = string.Equals(quantize?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);
        var bits = (quantize?.Trim().ToLowerInvariant() ?? "none") switch
        {
            "none" => 0,
            "int8" => 8,
            "int4" or "auto" => 4,
            _ => throw new ModelPruneException(DiagnosticCodes.InvalidQuantize, file,
                $"{SettingTable.Quantize.BothSpellings} '{raw.Quantize}' is not known. Use \"int8\" (weights in 8 bits, about a quarter of the float size), \"int4\" (4 bits), \"auto\" (int4, int8 or float per layer, the most compressed that keeps MaxMetricDrop) or \"none\" (the default)."),
        };
        if (bits == 0)
        {
            return dynamic
                ? throw new ModelPruneException(DiagnosticCodes.InvalidQuantizeActivations, file,
                    $"{SettingTable.QuantizeActivations.BothSpellings} 'dynamic' runs on int8 weights, but {SettingTable.Quantize.BothSpellings} is 'none'. Leave Quantize out (dynamic implies int8) or set it to \"int8\".")
                : null;
        }

        if (dynamic && auto)
        {
            throw new ModelPruneException(DiagnosticCodes.SearchNotSupported, file,
                $"Quantize=\"auto\" cannot be combined with {SettingTable.QuantizeActivations.BothSpellings} 'dynamic', which stores every MatMul in int8. Give Quantize=\"int8\", or drop QuantizeActivations.");
        }

        if (dynamic && bits != 8)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidQuantizeActivations, file,
                $"{SettingTable.QuantizeActivations.BothSpellings} 'dynamic' multiplies int8 weights by int8 activations, but {SettingTable.Quantize.BothSpellings} is '{quantize}'. Use Quantize=\"int8\" (or leave it out), or drop QuantizeActivations to keep 4-bit weights in MatMulNBits.");
        }

        var groupSize = bits == 8 ? QuantizationGrid.PerChannel : QuantizationSettings.DefaultInt4GroupSize;
        if (!string.IsNullOrWhiteSpace(raw.QuantGroupSize))
        {
            if (!int.TryParse(raw.QuantGroupSize.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out groupSize) || groupSize is not (16 or 32 or 64 or 128 or 256))
            {
                throw new ModelPruneException(DiagnosticCodes.InvalidQuantGroupSize, file,
                    $"{SettingTable.QuantGroupSize.BothSpellings} '{raw.QuantGroupSize}' is not a block size ONNX Runtime's MatMulNBits runs. Use 16, 32, 64, 128 or 256 weights per scale, or leave it out ({QuantizationSettings.DefaultInt4GroupSize} for int4, one scale per output channel for int8).");
            }
        }

        var symmetric = ParseBoolean(raw.QuantSymmetric, SettingTable.QuantSymmetric, bits == 8, DiagnosticCodes.InvalidQuantSymmetric, file);
        if (dynamic && !symmetric)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidQuantizeActivations, file,
                $"{SettingTable.QuantizeActivations.BothSpellings} 'dynamic' stores weights int8 symmetric around 0 (zero point 0, what the integer kernels take), but {SettingTable.QuantSymmetric.BothSpellings} is false. Leave QuantSymmetric out or set it to true.");
        }

        var gptq = (raw.QuantMethod?.Trim().ToLowerInvariant() ?? (calibrationGiven ? "gptq" : "rtn")) switch
        {
            "gptq" => true,
            "rtn" => false,
            _ => throw new ModelPruneException(DiagnosticCodes.InvalidQuantMethod, file,
                $"{SettingTable.QuantMethod.BothSpellings} '{raw.QuantMethod}' is not known. Use \"gptq\" (error-compensating, needs CalibrationData; the default when it is given) or \"rtn\" (round to nearest)."),
        };
        if (gptq && !calibrationGiven)
        {
            throw new ModelPruneException(DiagnosticCodes.CalibrationRequired, file,
                $"QuantMethod 'gptq' compensates each weight's rounding error through the statistics of the layer's real inputs and needs calibration data: give CalibrationData=\"data.npz\" ({SettingTable.CalibrationData.CommandLineName}), or QuantMethod=\"rtn\".");
        }

        var embeddings = ParseBoolean(raw.QuantizeEmbeddings, SettingTable.QuantizeEmbeddings, true, DiagnosticCodes.InvalidQuantizeEmbeddings, file);
        // Quantize="auto": the fields above are its int4 level; its int8 level is symmetric unless QuantSymmetric says otherwise.
        var mixed = auto ? new MixedPrecision(ParseBoolean(raw.QuantSymmetric, SettingTable.QuantSymmetric, true, DiagnosticCodes.InvalidQuantSymmetric, file)) : null;
        return new QuantizationSettings(bits, groupSize, symmetric, gptq, embeddings, dynamic, mixed);
    }

    private static bool ParseBoolean(string? text, SettingDefinition setting, bool defaultValue, string code, string file)
    {
        if (string.IsNullOrWhiteSpace(text)) return defaultValue;
        if (bool.TryParse(text.Trim(), out var value)) return value;
        throw new ModelPruneException(code, file, $"{setting.BothSpellings} '{text}' is neither true nor false.");
    }

    private static UnitStructure ParseStructure(string? text, string file)
    {
        if (UnitStructureNames.TryParse(text, out var structure)) return structure;
        throw new ModelPruneException(DiagnosticCodes.InvalidStructure, file,
            $"Structure '{text}' is not known. Use one of: {string.Join(", ", UnitStructureNames.All)} (none, the default, zeroes single weights; the others remove whole units and make the model smaller).");
    }

    /// <summary>Structured and unstructured settings do not mix: each combination that cannot mean anything is said once, here.</summary>
    private static void CheckStructuredCombination(UnitStructure structure, PruningMethod method, SparsityPattern pattern, RawSettings raw, string file)
    {
        var structured = string.Join(", ", PruningMethodNames.Flap, PruningMethodNames.MagnitudeL2, PruningMethodNames.Maw);
        if (structure != UnitStructure.None && !PruningMethodNames.IsStructured(method))
        {
            throw new ModelPruneException(DiagnosticCodes.StructureNeedsStructuredMethod, file,
                $"Structure '{UnitStructureNames.ToName(structure)}' removes whole units, but Method '{PruningMethodNames.ToName(method)}' zeroes single weights. Use Method=\"{PruningMethodNames.Flap}\" (with CalibrationData), \"{PruningMethodNames.MagnitudeL2}\" or \"{PruningMethodNames.Maw}\", or drop Structure.");
        }

        if (structure == UnitStructure.None) return;
        if (pattern.IsNM)
        {
            throw new ModelPruneException(DiagnosticCodes.PatternNotSupportedByMethod, file,
                $"Pattern '{pattern}' zeroes weights inside each group of {pattern.M}, while structured pruning ({structured}) removes whole units. Drop Pattern, or use Method=\"{PruningMethodNames.Magnitude}\"/\"{PruningMethodNames.Wanda}\"/\"{PruningMethodNames.SparseGpt}\" with it.");
        }

        if (!string.IsNullOrWhiteSpace(raw.CalibrationMode) && !raw.CalibrationMode.Trim().Equals("one-pass", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidCalibrationMode, file,
                $"CalibrationMode '{raw.CalibrationMode}' cannot be used with structured pruning: FLAP measures every layer once, on the dense model. Remove CalibrationMode or set it to \"one-pass\".");
        }
    }

    /// <summary>FLAP ranks standardised scores across layers (its adaptive structure); the magnitude scores are per layer unless asked.</summary>
    private static LayerAllocation ParseStructuredAllocation(string? text, PruningMethod method, string file)
    {
        var name = string.IsNullOrWhiteSpace(text) ? (method == PruningMethod.Flap ? "global" : "uniform") : text.Trim().ToLowerInvariant();
        return name switch
        {
            "uniform" => LayerAllocation.Uniform,
            "global" => LayerAllocation.Global,
            _ => throw new ModelPruneException(DiagnosticCodes.InvalidAllocation, file,
                $"Allocation '{text}' cannot be used with structured pruning. Use \"global\" (unit scores standardised per layer and ranked across layers, so each layer keeps what it needs; the default for flap) or \"uniform\" (every layer loses the same fraction of its units; the default for magnitude-l2 and maw)."),
        };
    }

    private static int ParsePositiveCount(string? text, SettingDefinition setting, int defaultValue, string code, string what, string file)
    {
        if (string.IsNullOrWhiteSpace(text)) return defaultValue;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0) return count;
        throw new ModelPruneException(code, file, $"{setting} '{text}' is not a positive whole number. Give {what}.");
    }

    private static EvaluationTask ParseTask(string? text, string file)
    {
        if (EvaluationTaskNames.TryParse(text, out var task)) return task;
        throw new ModelPruneException(DiagnosticCodes.UnknownTask, file,
            $"Task '{text}' is not known. Use one of: {string.Join(", ", EvaluationTaskNames.All)} (auto, the default, guesses from each output's shape).");
    }

    /// <summary>Null for <c>auto</c> (the default): <see cref="PruneSettings.TimesLatency"/> decides from the run.</summary>
    private static bool? ParseMeasureLatency(string? text, string file)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)) return null;
        if (bool.TryParse(text.Trim(), out var value)) return value;
        throw new ModelPruneException(DiagnosticCodes.InvalidMeasureLatency, file,
            $"{SettingTable.MeasureLatency.BothSpellings} '{text}' is not known. Use \"auto\" (the default: timed only when structured pruning or Quantize changes what ONNX Runtime computes), \"true\" or \"false\".");
    }

    private static ExternalDataMode ParseExternalData(string? text, string file)
    {
        if (ExternalDataModeNames.TryParse(text, out var mode)) return mode;
        throw new ModelPruneException(DiagnosticCodes.InvalidExternalData, file,
            $"ExternalData '{text}' is not known. Use \"auto\" (a data file beside the model only past the 2 GiB protobuf limit; the default), \"always\" (a data file whatever the size) or \"never\" (one .onnx file; larger models are an error).");
    }

    private static CalibrationMode ParseCalibrationMode(string? text, string file)
    {
        var name = string.IsNullOrWhiteSpace(text) ? "one-pass" : text.Trim().ToLowerInvariant();
        return name switch
        {
            "one-pass" => CalibrationMode.OnePass,
            "sequential" => CalibrationMode.Sequential,
            _ => throw new ModelPruneException(DiagnosticCodes.InvalidCalibrationMode, file,
                $"CalibrationMode '{text}' is not known. Use \"one-pass\" (the default: every layer measured on the dense model in one pass) or \"sequential\" (layers pruned in order, each measured on the inputs the pruned layers before it produce)."),
        };
    }

    private static RequestedDevice ParseDevice(string? text, string file)
    {
        switch (string.IsNullOrWhiteSpace(text) ? "auto" : text.Trim().ToLowerInvariant())
        {
            case "auto": return RequestedDevice.Auto;
            case ExecutionDevice.CpuName: return RequestedDevice.Cpu;
            case ExecutionDevice.CudaName: return RequestedDevice.Cuda;
            default:
                throw new ModelPruneException(DiagnosticCodes.InvalidDevice, file,
                    $"Device '{text}' is not known. Use \"auto\" (CUDA when ONNX Runtime can use it, else the CPU; the default), \"cpu\" or \"cuda\".");
        }
    }

    private static LayerAllocation ParseAllocation(string? text, PruningMethod method, SparsityPattern pattern, string file)
    {
        var name = string.IsNullOrWhiteSpace(text) ? "uniform" : text.Trim().ToLowerInvariant();
        if (name == "uniform") return LayerAllocation.Uniform;
        if (name == "owl" && PruningMethodNames.NeedsCalibration(method) && !pattern.IsNM) return LayerAllocation.Owl;
        if (name == "global" && PruningMethodNames.NeedsCalibration(method) && !pattern.IsNM) return LayerAllocation.Global;

        var why = name switch
        {
            "owl" or "global" when pattern.IsNM => $"an N:M pattern fixes every layer at {pattern}, so there is nothing to allocate",
            "owl" => "OWL weighs layers by the outliers of Wanda's scores |W|·‖X‖, so it needs Method=\"wanda\" or \"sparsegpt\" with calibration data",
            "global" => "it ranks Wanda's scores |W|·‖X‖ across layers, so it needs Method=\"wanda\" or \"sparsegpt\" with calibration data; for magnitude use Method=\"global-magnitude\"",
            _ => "it is not known",
        };
        throw new ModelPruneException(DiagnosticCodes.InvalidAllocation, file,
            $"Allocation '{text}' cannot be used: {why}. Use \"uniform\" (the default), \"owl\" or \"global\".");
    }

    private static PruningMethod ParseMethod(string? text, string file)
    {
        if (string.IsNullOrWhiteSpace(text)) return PruningMethod.Magnitude;
        if (PruningMethodNames.TryParse(text, out var method)) return method;
        throw new ModelPruneException(DiagnosticCodes.UnknownMethod, file,
            $"Method '{text}' is not known. Use one of: {string.Join(", ", PruningMethodNames.All)}.");
    }

    private static SparsityPattern ParsePattern(string? text, string file)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("unstructured", StringComparison.OrdinalIgnoreCase))
        {
            return SparsityPattern.Unstructured;
        }

        var match = NmSyntax.Match(text);
        if (!match.Success
            || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || !int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidPattern, file,
                $"Pattern '{text}' is not known. Use \"unstructured\" or N:M with whole numbers, e.g. \"2:4\" (N of every M weights are zeroed).");
        }

        if (n < 1 || m < 2 || n >= m || m > 64)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidPattern, file,
                $"Pattern '{text}' needs 1 <= N < M <= 64 (N of every M weights are zeroed), e.g. \"2:4\".");
        }

        return new SparsityPattern(n, m);
    }

    private static double ParseSparsity(string? text, SparsityPattern pattern, string file)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return pattern.IsNM ? pattern.ImpliedSparsity : PruneSettings.DefaultSparsity;
        }

        var sparsity = ParseFraction(text, "Sparsity", DiagnosticCodes.InvalidSparsity, file);
        if (sparsity < 0 || sparsity >= 1)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidSparsity, file,
                $"Sparsity '{text}' is outside [0, 1). Give the fraction of weights to remove, e.g. Sparsity=\"0.5\".");
        }

        if (pattern.IsNM && Math.Abs(sparsity - pattern.ImpliedSparsity) > 1e-9)
        {
            throw new ModelPruneException(DiagnosticCodes.SparsityConflictsWithPattern, file,
                $"Sparsity '{text}' contradicts Pattern '{pattern}', which always gives {pattern.ImpliedSparsity.ToString("0.###", CultureInfo.InvariantCulture)}. Leave Sparsity out or set it to that value.");
        }

        return sparsity;
    }

    private static double ParseMaxLayerSparsity(string? text, double sparsity, string file)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Math.Max(PruneSettings.DefaultMaxLayerSparsity, sparsity);
        }

        var max = ParseFraction(text, "MaxLayerSparsity", DiagnosticCodes.InvalidMaxLayerSparsity, file);
        if (max < sparsity || max > 1)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidMaxLayerSparsity, file,
                $"MaxLayerSparsity '{text}' must lie between Sparsity ({sparsity.ToString("R", CultureInfo.InvariantCulture)}) and 1, or no allocation can reach the target.");
        }

        return max;
    }

    /// <summary>At most this many extra points: each one is a whole prune and evaluation.</summary>
    private const int MaxSweepPoints = 8;

    private static IReadOnlyList<double> ParseSweep(string? text, SparsityPattern pattern, string file)
    {
        if (string.IsNullOrWhiteSpace(text)) return Array.Empty<double>();
        if (pattern.IsNM)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidSweepSparsities, file,
                $"SweepSparsities cannot be used with Pattern=\"{pattern}\": an N:M pattern fixes the sparsity at N/M. Remove one of them.");
        }

        var values = LayerSelector.SplitList(text)
            .Select(part => ParseFraction(part, "SweepSparsities", DiagnosticCodes.InvalidSweepSparsities, file))
            .Distinct()
            .OrderBy(v => v)
            .ToArray();
        if (values.Any(v => v <= 0 || v >= 1) || values.Length > MaxSweepPoints)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidSweepSparsities, file,
                $"SweepSparsities '{text}' must be at most {MaxSweepPoints} ';'-separated sparsities strictly between 0 and 1, e.g. \"0.3;0.5;0.7\".");
        }

        return values;
    }

    private static double ParseMinLayerSparsity(string? text, double sparsity, string file)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        var min = ParseFraction(text, "MinLayerSparsity", DiagnosticCodes.InvalidMinLayerSparsity, file);
        if (min < 0 || min > sparsity)
        {
            throw new ModelPruneException(DiagnosticCodes.InvalidMinLayerSparsity, file,
                $"MinLayerSparsity '{text}' must lie between 0 and Sparsity ({sparsity.ToString("R", CultureInfo.InvariantCulture)}), or no allocation can reach the target.");
        }

        return min;
    }

    private static double ParseFraction(string text, string setting, string code, string file)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ModelPruneException(code, file,
                $"{setting} '{text}' is not a number. Write a fraction with a dot, e.g. {setting}=\"0.5\".");
        }

        return value;
    }

    private static int ParseSeed(string? text, string file)
    {
        if (string.IsNullOrWhiteSpace(text)) return PruneSettings.DefaultSeed;
        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)) return seed;
        throw new ModelPruneException(DiagnosticCodes.InvalidSeed, file,
            $"Seed '{text}' is not a whole number. Give an integer, e.g. Seed=\"42\".");
    }
}
