namespace ModelPrune.Tasks;

/// <summary>Metadata the targets put on each item they pass to <see cref="PruneModels"/> and <see cref="WritePrunedModelAccessors"/>.</summary>
internal static class ModelMetadata
{
    public const string DisplayName = "DisplayName";
    public const string OutputModel = "OutputModel";
    public const string Report = "Report";
    public const string Markdown = "Markdown";
    public const string Html = "Html";
    public const string RunInfo = "RunInfo";
    public const string Stamp = "Stamp";
    public const string Summary = "Summary";
    public const string ModelLogicalName = "ModelLogicalName";
    public const string ReportLogicalName = "ReportLogicalName";
    public const string AccessorName = "AccessorName";
    public const string BaselineFullPath = "BaselineFullPath";

    /// <summary>The pruned model's external data file, written only when the model has external data.</summary>
    public const string ExternalDataFile = "ExternalDataFile";

    /// <summary>Where the data file is copied with Embed="false": beside the model's copy, under the name the model refers to.</summary>
    public const string ExternalDataTargetPath = "ExternalDataTargetPath";

    /// <summary>Appended to the pruned model's path for its external data file, as the engine names it (ExternalDataLayout).</summary>
    public const string ExternalDataExtension = ".data";

    /// <summary>Every file the engine writes for a model: the targets compute each path once, the request carries them all.</summary>
    public static readonly string[] Outputs = { OutputModel, Report, Summary, Markdown, Html, RunInfo };
}
