using System.Collections.Generic;

namespace ModelPrune.Settings;

/// <summary>
/// Every setting of a <c>PruneModel</c> item, once. From this table come the engine's request keys and command
/// line, the settings stamps in build/ModelPrune.Build.Settings.targets, the project-wide default properties and
/// the settings tables of docs/msbuild.md and docs/engine.md; tests fail when any of them falls out of step.
/// Adding a setting is adding a row here (and reading it where it is used).
/// </summary>
internal static class SettingTable
{
    public static readonly SettingDefinition Sparsity = new(
        "Sparsity", SettingType.Number, "`0.5` (N/M with an N:M pattern)", SettingStage.Prune, joinsCacheKey: true,
        "Fraction of the selected weights set to zero, in [0, 1); write it with a dot, `0.4`. With a structured method: the fraction of the prunable parameters removed, as whole units. `auto`: the most compressed model whose key metric stays within {MaxMetricDrop} of the original's on the evaluation data ({EvaluationData} or held-out calibration samples; MP1100), found in at most {SearchBudget} probes. See [engine.md](engine.md#accuracy-targeted-search).",
        propertyName: "ModelPruneSparsity");

    public static readonly SettingDefinition Method = new(
        "Method", SettingType.Choice, "`magnitude`", SettingStage.Prune, joinsCacheKey: true,
        "`magnitude`: each layer loses its smallest-\\|w\\| weights. `global-magnitude`: one threshold over all selected layers, no layer past {MaxLayerSparsity}. `wanda`: per output row, the smallest \\|W\\|·‖X‖; `sparsegpt`: second-order selection with weight updates (both need {CalibrationData}). Structured (whole units, see {Structure}): `magnitude-l2` (units ranked by the L2 norm of their weights; the default when only {Structure} is set), `maw` (by their largest \\|w\\|) and `flap` (by the fluctuation of their inputs, with bias compensation; needs {CalibrationData}).",
        propertyName: "ModelPruneMethod");

    public static readonly SettingDefinition Pattern = new(
        "Pattern", SettingType.Choice, "`unstructured`", SettingStage.Prune, joinsCacheKey: true,
        "`unstructured`, or `N:M` (e.g. `2:4`): N of every M consecutive weights along each weight's input dimension are zero.",
        propertyName: "ModelPrunePattern");

    public static readonly SettingDefinition Structure = new(
        "Structure", SettingType.Choice, "`none`", SettingStage.Prune, joinsCacheKey: true,
        "`none`: single weights are zeroed, shapes stay. `neurons` (MLP hidden units), `heads` (attention heads), `filters` (Conv output channels) or `auto` (every kind the graph analysis can prove safe; the default with a structured {Method}): whole units are removed and the graph rewritten, so the model gets smaller. Needs a structured {Method} (MP1081); not with an N:M {Pattern} (MP1016) or {CalibrationMode} `sequential` (MP1048). See [engine.md](engine.md#structured-pruning).",
        propertyName: "ModelPruneStructure");

    public static readonly SettingDefinition MinUnitsPerLayer = new(
        "MinUnitsPerLayer", SettingType.WholeNumber, "`1`", SettingStage.Prune, joinsCacheKey: true,
        "With {Structure}: the units (neurons, heads, filters) every pruned layer keeps at least, so no layer disappears. A positive whole number (MP1082).",
        propertyName: "ModelPruneMinUnitsPerLayer", "--min-units");

    public static readonly SettingDefinition UnitMultiple = new(
        "UnitMultiple", SettingType.WholeNumber, "`1`", SettingStage.Prune, joinsCacheKey: true,
        "With {Structure}: every pruned layer keeps a multiple of this many units, e.g. `8` for shapes GPUs like. On the CPU, ONNX Runtime's fast convolution and pooling kernels work in blocks of 8 (AVX2) or 16 (AVX-512) channels and fall back to slower ones for other counts: a CNN with 30% of its filters removed ran 0.64–0.74× as fast as the dense one with odd filter counts and 1.24× faster with `16` (`bench/structured.sh`). Check `.prune.run.json`'s latency. A positive whole number (MP1083).",
        propertyName: "ModelPruneUnitMultiple");

    public static readonly SettingDefinition MaxLayerSparsity = new(
        "MaxLayerSparsity", SettingType.Number, "max(`0.95`, sparsity)", SettingStage.Prune, joinsCacheKey: true,
        "With `global-magnitude` or {Allocation} `global`: no layer is pruned beyond this, so none collapses.",
        propertyName: "ModelPruneMaxLayerSparsity");

    public static readonly SettingDefinition MinLayerSparsity = new(
        "MinLayerSparsity", SettingType.Number, "`0`", SettingStage.Prune, joinsCacheKey: true,
        "With {Allocation} `global`: every layer is pruned at least this much.",
        propertyName: "ModelPruneMinLayerSparsity");

    public static readonly SettingDefinition CalibrationMode = new(
        "CalibrationMode", SettingType.Choice, "`one-pass`", SettingStage.Prune, joinsCacheKey: true,
        "With wanda/sparsegpt: `one-pass` measures every layer on the dense model in one pass; `sequential` prunes layer after layer, each measured on the activations of the already-pruned layers before it (the reference code's way; each round of layers is measured by its own part of the model, so the model still runs about once).",
        propertyName: "ModelPruneCalibrationMode");

    public static readonly SettingDefinition IncludeLayers = new(
        "IncludeLayers", SettingType.List, "every prunable layer", SettingStage.Prune, joinsCacheKey: true,
        "`;`-separated layer patterns to prune: globs (`fc*`, `encoder.?.weight`) matched against the weight name and the names of the nodes using it, or `regex:...`. See [engine.md](engine.md#includelayers--excludelayers).",
        propertyName: null, "--include");

    public static readonly SettingDefinition ExcludeLayers = new(
        "ExcludeLayers", SettingType.List, "none", SettingStage.Prune, joinsCacheKey: true,
        "Patterns of layers to keep dense, as {IncludeLayers}; wins over it.",
        propertyName: null, "--exclude");

    public static readonly SettingDefinition CalibrationData = new(
        "CalibrationData", SettingType.Files, "none", SettingStage.Prune, joinsCacheKey: true,
        "For {Method} `wanda`, `sparsegpt` and `flap` (required there, MP1040): `;`-separated `.npz` files (arrays named after the model's inputs) or `.npy` files (single-input models) or globs, samples on the first axis, relative to the project folder; or `synthetic` (seeded random inputs, much weaker, warning MP1042). The files are inputs of the incremental build.",
        propertyName: null, "--calibration");

    public static readonly SettingDefinition CalibrationSamples = new(
        "CalibrationSamples", SettingType.WholeNumber, "`128`", SettingStage.Prune, joinsCacheKey: true,
        "How many calibration samples are used (the first N).",
        propertyName: "ModelPruneCalibrationSamples");

    public static readonly SettingDefinition Allocation = new(
        "Allocation", SettingType.Choice, "`uniform`", SettingStage.Prune, joinsCacheKey: true,
        "With wanda/sparsegpt, unstructured: `owl`, each layer's sparsity shifted within ±0.08 of the target by its share of outlier scores (\\|W\\|·‖X‖ above 5× the layer mean), the parameter-weighted total kept at the target; `global`, one threshold on the Wanda scores \\|W\\|·‖X‖ of all layers decides how many weights each layer loses (between {MinLayerSparsity} and {MaxLayerSparsity}; ties at the threshold go to the earlier layers), the total exactly on target. With {Structure}: `uniform` (every layer loses the same share of its units; the default for magnitude-l2 and maw) or `global` (unit scores standardised per layer and ranked across layers; the default for flap).",
        propertyName: "ModelPruneAllocation");

    public static readonly SettingDefinition EvaluationData = new(
        "EvaluationData", SettingType.File, "none", SettingStage.Prune, joinsCacheKey: true,
        "An `.npz` to compare the pruned model with the original on (relative to the project folder): one array per model input, samples on the first axis, plus optional integer `labels` (or `labels_<output>` for one output) for accuracy and perplexity. Without it: the held-out calibration samples, else seeded synthetic inputs. The file is an input of the incremental build. See [report.md](report.md#evaluation-inputs).",
        propertyName: null, "--evaluation");

    public static readonly SettingDefinition EvaluationSamples = new(
        "EvaluationSamples", SettingType.WholeNumber, "`256`", SettingStage.Prune, joinsCacheKey: true,
        "How many samples of {EvaluationData} are compared (the first N), in batches of 32 or the model's fixed batch size.",
        propertyName: "ModelPruneEvaluationSamples");

    public static readonly SettingDefinition SweepSparsities = new(
        "SweepSparsities", SettingType.List, "none", SettingStage.Prune, joinsCacheKey: true,
        "e.g. `0.3;0.5;0.7`: the model is also pruned (same settings) and evaluated at each of these sparsities, and the report, its Markdown and the HTML page get the key metric versus sparsity curve. Each point costs about one more prune + evaluation; only the model at {Sparsity} is kept. Not with N:M patterns (MP1057).",
        propertyName: null, "--sweep");

    public static readonly SettingDefinition SearchBudget = new(
        "SearchBudget", SettingType.WholeNumber, "`24`", SettingStage.Prune, joinsCacheKey: true,
        "With {Sparsity} `auto` or {Quantize} `auto`: the most probes (one prune or quantization + evaluation each, statistics shared) the search may spend, global search and per-layer refinement together. At least 4 (MP1101).",
        propertyName: "ModelPruneSearchBudget");

    public static readonly SettingDefinition Task = new(
        "Task", SettingType.Choice, "`auto`", SettingStage.Prune, joinsCacheKey: true,
        "Which metrics the report gives per output: `classification` (accuracy, top-1/top-5 agreement, KL divergence), `token-classification` (the same per position of a [batch, positions, classes] output), `embedding` (per-item cosine, nearest-neighbour agreement), `language-model` (perplexity, needs labels), `regression` (relative L2, max abs). `auto` guesses from each output's shape and says why. See [report.md](report.md#tasks-and-metrics).",
        propertyName: "ModelPruneTask");

    public static readonly SettingDefinition Seed = new(
        "Seed", SettingType.WholeNumber, "`42`", SettingStage.Prune, joinsCacheKey: true,
        "Seed of the synthetic inputs the engine uses to compare the pruned model with the original.",
        propertyName: "ModelPruneSeed");

    public static readonly SettingDefinition Dimensions = new(
        "Dimensions", SettingType.List, "batch 4, other symbolic axes 16", SettingStage.Prune, joinsCacheKey: true,
        "Sizes for symbolic input dimensions during that comparison: `batch=1;sequence=128`, or `input_ids:1=128` for an unnamed axis.",
        propertyName: null, "--dims");

    public static readonly SettingDefinition Device = new(
        "Device", SettingType.Choice, "`auto`", SettingStage.Prune, joinsCacheKey: false,
        "Where ONNX Runtime runs the calibration statistics and the comparison: `auto` (CUDA when ONNX Runtime can really create a CUDA session, else the CPU, with information MP3005 saying why), `cpu` (never tries CUDA) or `cuda` (CUDA or error MP3006). The pruning math itself always runs on the CPU. Not part of the cache key: the key holds the device that really ran.",
        propertyName: "ModelPruneDevice");

    public static readonly SettingDefinition MeasureLatency = new(
        "MeasureLatency", SettingType.Choice, "`auto`", SettingStage.Prune, joinsCacheKey: false,
        "`true`: both models are timed on the first evaluation batch after the comparison, and `.prune.run.json` and the Markdown report give the latency (not the JSON report, which stays deterministic). `auto` times them only when the run changes what ONNX Runtime computes (structured pruning, {Quantize}); zeros left by unstructured or N:M pruning do not, since ONNX Runtime has no sparse kernels, and timing two more optimised sessions was a third of a default run (MiniLM: 1.1 s of 3.4 s). `false` never times: a faster build where latency is not wanted, e.g. in CI on shared runners.",
        propertyName: "ModelPruneMeasureLatency");

    public static readonly SettingDefinition Quantize = new(
        "Quantize", SettingType.Choice, "`none`", SettingStage.Prune, joinsCacheKey: true,
        "`int8` or `int4`: after pruning (or alone, with {Sparsity} `0`), the weights are stored as integers in formats ONNX Runtime runs, so the file gets smaller: a MatMul's constant weight becomes `com.microsoft.MatMulNBits` (4 or 8 bits, blocks of {QuantGroupSize}); Gemm, Conv and other weights become int8 per output channel behind `DequantizeLinear` (also with `int4`); embedding tables feeding `Gather` become int8 per row ({QuantizeEmbeddings}). Pruned weights stay exactly zero. Biases and normalisation parameters stay float. `auto`: int4, int8 or float per layer, the most compressed choice whose key metric stays within {MaxMetricDrop} of the original's (like {Sparsity} `auto`, with its {SearchBudget}; not both at once, MP1103). `none`: no quantization.",
        propertyName: "ModelPruneQuantize");

    public static readonly SettingDefinition QuantGroupSize = new(
        "QuantGroupSize", SettingType.WholeNumber, "`32` for int4, per output channel for int8", SettingStage.Prune, joinsCacheKey: true,
        "Weights per scale (and zero point) along the input dimension of MatMul weights: `16`, `32`, `64`, `128` or `256` (MP1091). Smaller groups are more accurate and a little larger.",
        propertyName: "ModelPruneQuantGroupSize");

    public static readonly SettingDefinition QuantSymmetric = new(
        "QuantSymmetric", SettingType.Boolean, "`true` for int8, `false` for int4", SettingStage.Prune, joinsCacheKey: true,
        "`true`: a range symmetric around 0 and no stored zero points; `false`: each group's own range with a zero point (better for 4 bits). Zero is exactly representable either way.",
        propertyName: "ModelPruneQuantSymmetric");

    public static readonly SettingDefinition QuantMethod = new(
        "QuantMethod", SettingType.Choice, "`gptq` with {CalibrationData}, else `rtn`", SettingStage.Prune, joinsCacheKey: true,
        "`rtn`: each weight rounded to the nearest grid point. `gptq` (Frantar et al. 2022): columns quantized in order, each one's error compensated in the columns not yet quantized through H = 2XᵀX of the layer's calibration inputs; needs {CalibrationData} (MP1040). Pruned weights are held at zero.",
        propertyName: "ModelPruneQuantMethod");

    public static readonly SettingDefinition QuantizeEmbeddings = new(
        "QuantizeEmbeddings", SettingType.Boolean, "`true` with {Quantize}", SettingStage.Prune, joinsCacheKey: true,
        "With {Quantize}: float embedding tables read by `Gather` (e.g. a transformer's word embeddings, half of MiniLM's file) are stored as int8 per row. `false` keeps them float.",
        propertyName: "ModelPruneQuantizeEmbeddings");

    public static readonly SettingDefinition QuantizeActivations = new(
        "QuantizeActivations", SettingType.Choice, "`none`", SettingStage.Prune, joinsCacheKey: true,
        "`dynamic`: a MatMul's constant weight is stored int8 (symmetric, one scale per output column) in `com.microsoft.DynamicQuantizeMatMul`, which quantizes the activations as it runs and multiplies with ONNX Runtime's integer kernels: faster on CPUs with 8-bit dot products, a little less accurate than MatMulNBits. Implies {Quantize} `int8` when that is not set; `int4` or {QuantSymmetric} `false` with it is MP1097. `none`: activations stay float.",
        propertyName: "ModelPruneQuantizeActivations");

    public static readonly SettingDefinition ExternalData = new(
        "ExternalData", SettingType.Choice, "`auto`", SettingStage.Prune, joinsCacheKey: true,
        "How the pruned model's weights are stored. `auto`: in the `.onnx` file, unless the model would pass the 2 GiB limit of one protobuf file; then every tensor of 1 KiB or more goes to one data file beside it, `<model file name>.data`, each at an offset aligned to 4096 bytes so ONNX Runtime can memory-map it. `always`: that data file even for a small model. `never`: one file, or error MP1015 past 2 GiB. In MSBuild, a model with a data file cannot be embedded: use `Embed=\"false\"` (MP1116). See [engine.md](engine.md#external-data).",
        propertyName: "ModelPruneExternalData");

    public static readonly SettingDefinition Baseline = new(
        "Baseline", SettingType.File, "none (no gate)", SettingStage.Baseline, joinsCacheKey: false,
        "The checked-in baseline report, relative to the project folder; created from the new report when missing (warning MP2006). Commit it.");

    public static readonly SettingDefinition MaxMetricDrop = new(
        "MaxMetricDrop", SettingType.Number, "`0.01`", SettingStage.Baseline, joinsCacheKey: true,
        "How much any metric may get worse: an absolute amount (`0.01`, one percentage point of a cosine or an agreement) or a share of the baseline value (`2%`, for metrics without a natural scale such as maxAbs or perplexity). Also the target of {Sparsity} `auto` and {Quantize} `auto`: how far the key metric may fall below the original model's.",
        propertyName: "ModelPruneMaxMetricDrop")
    {
        AlsoReadWhenPruning = true,
    };

    public static readonly SettingDefinition DropType = new(
        "DropType", SettingType.Choice, "`absolute`", SettingStage.Baseline, joinsCacheKey: true,
        "How a plain number in {MaxMetricDrop} and {MetricTolerances} reads: `absolute` (`0.01` is one point of accuracy) or `relative` (`0.01` is 1% of the reference value). A value written with `%` is relative either way. Read by the baseline gate and by {Sparsity} `auto` and {Quantize} `auto` alike (MP1102).",
        propertyName: "ModelPruneDropType")
    {
        AlsoReadWhenPruning = true,
    };

    public static readonly SettingDefinition MetricTolerances = new(
        "MetricTolerances", SettingType.List, "none", SettingStage.Baseline, joinsCacheKey: false,
        "Per-metric tolerances overriding {MaxMetricDrop}: `;`-separated `metric=tolerance`, e.g. `cosine=0.005;top1Agreement=0.02;perplexity=2%`. A key is a metric's name (`cosine`, all outputs) or a longer tail of its path (`outputs[scores].cosine`, `layers[fc1.weight].reconstructionError`); the longest matching key wins; letter case is ignored. A key matching nothing is warning MP1065.",
        propertyName: "ModelPruneMetricTolerances", "--tolerances");

    public static readonly SettingDefinition CompareModelHash = new(
        "CompareModelHash", SettingType.Boolean, "`false`", SettingStage.Baseline, joinsCacheKey: false,
        "`true`: the pruned model must also be bit-identical to the baseline's (`output.sha256`). Only where bit-exactness is expected: same ModelPrune version, same device.",
        propertyName: "ModelPruneCompareModelHash");

    /// <summary>In the order the docs list them and the stamps hold them.</summary>
    public static IReadOnlyList<SettingDefinition> All { get; } = new[]
    {
        Sparsity, Method, Pattern, Structure, MinUnitsPerLayer, UnitMultiple, MaxLayerSparsity, MinLayerSparsity, CalibrationMode,
        IncludeLayers, ExcludeLayers, CalibrationData, CalibrationSamples, Allocation, EvaluationData, EvaluationSamples,
        SweepSparsities, SearchBudget, Task, Seed, Dimensions, Device, MeasureLatency,
        Quantize, QuantGroupSize, QuantSymmetric, QuantMethod, QuantizeEmbeddings, QuantizeActivations,
        ExternalData,
        Baseline, MaxMetricDrop, DropType, MetricTolerances, CompareModelHash,
    };
}
