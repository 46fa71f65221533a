namespace ModelPrune.Engine.Diagnostics;

/// <summary>
/// Every code the engine prints. Each one has an entry in docs/diagnostics.md with its cause and fix;
/// MP1xxx are input errors, MP2xxx regressions, MP3xxx environment, MP9xxx internal.
/// MP3008 is logged by the MSBuild targets (the engine never sees an unsupported platform's request for the GPU build).
/// </summary>
internal static class DiagnosticCodes
{
    public const string ModelNotFound = "MP1001";
    public const string NotAnOnnxModel = "MP1002";
    public const string InvalidSparsity = "MP1003";
    public const string UnknownMethod = "MP1004";
    public const string InvalidPattern = "MP1005";
    public const string SparsityConflictsWithPattern = "MP1006";
    public const string ExternalDataOutsideModelFolder = "MP1007";
    public const string ExternalDataUnreadable = "MP1008";
    public const string LayerNotDivisibleByM = "MP1009";
    public const string SelectorMatchedNothing = "MP1010";
    public const string InvalidSelector = "MP1011";
    public const string InvalidMaxLayerSparsity = "MP1012";
    public const string InvalidDimensionOverride = "MP1013";
    public const string OutputWouldOverwriteInput = "MP1014";
    public const string ModelTooLarge = "MP1015";
    public const string PatternNotSupportedByMethod = "MP1016";
    public const string NoPrunableWeights = "MP1017";
    public const string ModelNotRunnable = "MP1018";
    public const string InvalidRequest = "MP1019";
    public const string UnsupportedWeightType = "MP1020";
    public const string InvalidSeed = "MP1021";
    public const string InvalidCalibrationData = "MP1022";
    public const string CalibrationDataNotFound = "MP1023";
    public const string CalibrationInputMismatch = "MP1024";
    public const string CalibrationDTypeMismatch = "MP1025";
    public const string CalibrationShapeMismatch = "MP1026";
    public const string CalibrationRequired = "MP1040";
    public const string InvalidCalibrationSamples = "MP1041";
    public const string SyntheticCalibration = "MP1042";
    public const string LayerNotCalibrated = "MP1043";
    public const string FewCalibrationTokens = "MP1044";
    public const string InvalidAllocation = "MP1045";
    public const string InvalidDevice = "MP1046";
    public const string InvalidMinLayerSparsity = "MP1047";
    public const string InvalidCalibrationMode = "MP1048";
    public const string NonFiniteCalibrationStatistics = "MP1049";
    public const string DampeningRaised = "MP1050";
    public const string InvalidEvaluationSamples = "MP1051";
    public const string UnknownTask = "MP1052";
    public const string EvaluationDataNotFound = "MP1053";
    public const string InvalidEvaluationLabels = "MP1054";
    public const string TaskFitsNoOutput = "MP1055";
    public const string TooFewEvaluationSamples = "MP1056";
    public const string InvalidSweepSparsities = "MP1057";

    public const string BaselineUnreadable = "MP1060";
    public const string InvalidBaselineTolerance = "MP1061";
    public const string InvalidBaselinePath = "MP1062";
    public const string InvalidCompareModelHash = "MP1063";
    public const string ReportUnreadable = "MP1064";
    public const string ToleranceMatchesNoMetric = "MP1065";

    public const string InvalidStructure = "MP1080";
    public const string StructureNeedsStructuredMethod = "MP1081";
    public const string InvalidMinUnitsPerLayer = "MP1082";
    public const string InvalidUnitMultiple = "MP1083";
    public const string NoStructuredUnits = "MP1084";
    public const string ShapeProbeFailed = "MP1085";
    public const string FilterCountOffBlock = "MP1086";
    public const string InvalidMeasureLatency = "MP1087";
    public const string OutputsCollide = "MP1088";
    public const string OutputPathInvalid = "MP1089";
    public const string InvalidQuantize = "MP1090";
    public const string InvalidQuantGroupSize = "MP1091";
    public const string InvalidQuantSymmetric = "MP1092";
    public const string InvalidQuantMethod = "MP1093";
    public const string InvalidQuantizeEmbeddings = "MP1094";
    public const string NonFiniteWeights = "MP1095";
    public const string NonFiniteOutputs = "MP1096";
    public const string InvalidQuantizeActivations = "MP1097";

    // The search's codes start at MP1100, past the quantization settings' range.
    public const string SearchNeedsEvaluationData = "MP1100";
    public const string InvalidSearchBudget = "MP1101";
    public const string InvalidDropType = "MP1102";
    public const string SearchNotSupported = "MP1103";
    public const string SearchFoundNoCompression = "MP1104";
    public const string SearchNeedsKeyMetric = "MP1105";
    public const string InvalidExternalData = "MP1115";

    /// <summary>Logged by the MSBuild targets: only they know that the item is embedded.</summary>
    public const string ExternalDataNotEmbeddable = "MP1116";

    public const string MetricRegressed = "MP2001";
    public const string BaselineStructureChanged = "MP2002";
    public const string BaselineMetricMissing = "MP2003";
    public const string BaselineModelHashChanged = "MP2004";
    public const string BaselineSchemaChanged = "MP2005";
    public const string BaselineCreated = "MP2006";
    public const string BaselineMissingStrict = "MP2007";
    public const string BaselineAccepted = "MP2008";
    public const string BaselineMismatch = "MP2009";

    public const string CacheUnwritable = "MP3001";
    public const string CacheEntryCorrupt = "MP3002";
    public const string EngineNotFound = "MP3003";
    public const string OutputUnwritable = "MP3004";
    public const string CudaFallback = "MP3005";
    public const string CudaUnavailable = "MP3006";
    public const string OnnxRuntimeLibraryNotFound = "MP3007";
    public const string OnnxRuntimeGpuUnsupportedPlatform = "MP3008";
    public const string StepSummaryUnwritable = "MP3009";
    public const string Interrupted = "MP3010";

    public const string EngineCrashed = "MP9001";
    public const string InternalError = "MP9002";
}
