using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelPrune.Tasks;

/// <summary>
/// Before anything is written or deleted (PruneModels removes an item's old outputs before the engine starts), every
/// file the PruneModel items make is compared with every file the build reads and with each other: the outputs under
/// the intermediate folder, the copies in the output folder (Embed="false") and the resource names (Embed="true").
/// The engine checks its own paths too, but only after the task has deleted the old outputs, and it never sees the
/// copies and resources, which MSBuild makes later from the project's items.
/// </summary>
public sealed class CheckPruneOutputs : Task
{
    private static readonly StringComparer PathComparer =
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
            ? StringComparer.OrdinalIgnoreCase
            : StringComparer.Ordinal;

    /// <summary>The PruneModel items with their computed paths and names (the targets' _ModelPruneItem).</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The files the items read besides the model (calibration, evaluation, baseline): metadata Owner and Role.</summary>
    public ITaskItem[] ReadFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The project's own items (Compile, EmbeddedResource, None, Content): its source files, resources and copies.</summary>
    public ITaskItem[] ProjectItems { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The folder Embed="false" outputs are copied to (OutDir); empty where this build copies nothing (the outer build of several target frameworks).</summary>
    public string? OutputDirectory { get; set; }

    public string? ProjectFile { get; set; }

    public override bool Execute()
    {
        var ownFolders = Models
            .Select(model => model.GetMetadata("OutputDir"))
            .Where(folder => !string.IsNullOrEmpty(folder))
            .Select(folder => EnsureSeparator(Full(folder)))
            .ToArray();
        var writes = Models.SelectMany(IntermediateOutputs).Concat(Models.SelectMany(Copies)).ToList();
        var reads = Models.Select(model => (Path: Full(model.GetMetadata("FullPath")), What: $"the model of PruneModel '{Name(model)}'", Owner: Name(model), Kind: "Model"))
            .Concat(ReadFiles.Select(file => (Path: Full(file.GetMetadata("FullPath")), What: $"the {file.GetMetadata("Role")} of PruneModel '{file.GetMetadata("Owner")}'", Owner: file.GetMetadata("Owner"), Kind: file.GetMetadata("Role"))))
            // Files in the items' own output folders are earlier outputs that a project glob picked up, not sources.
            .Concat(SourceFiles().Where(file => !ownFolders.Any(folder => file.Path.StartsWith(folder, PathComparison))))
            .ToList();

        CheckWritesAgainstEachOther(writes);
        CheckWritesAgainstReads(writes, reads);
        CheckResourceNames();
        CheckCopiesAgainstProjectCopies();
        return !Log.HasLoggedErrors;
    }

    private static StringComparison PathComparison =>
        ReferenceEquals(PathComparer, StringComparer.Ordinal) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>MP1088: two outputs of the build are one file; one would overwrite the other.</summary>
    private void CheckWritesAgainstEachOther(List<(string Path, string What, string Owner, string Kind)> writes)
    {
        foreach (var group in writes.GroupBy(write => write.Path, PathComparer).Where(group => group.Count() > 1))
        {
            var both = group.Take(2).ToArray();
            Error(TaskDiagnostics.OutputsCollide,
                "{0} and {1} are the same file, '{2}': one would overwrite the other. Give the PruneModel items distinct LogicalName/ReportLogicalName metadata.",
                Capitalized(both[0].What), both[1].What, group.Key);
        }
    }

    /// <summary>
    /// MP1014: an output is a file the build reads (a model, calibration or evaluation data, a baseline, a source file).
    /// A baseline that is the item's own new report is the engine's MP1062, said here before the report is deleted.
    /// </summary>
    private void CheckWritesAgainstReads(List<(string Path, string What, string Owner, string Kind)> writes, List<(string Path, string What, string Owner, string Kind)> reads)
    {
        var readByPath = reads.GroupBy(read => read.Path, PathComparer).ToDictionary(group => group.Key, group => group.First(), PathComparer);
        foreach (var write in writes)
        {
            if (!readByPath.TryGetValue(write.Path, out var read)) continue;
            if (read.Kind == "Baseline" && write.Kind == ModelMetadata.Report && read.Owner == write.Owner)
            {
                Error(TaskDiagnostics.InvalidBaselinePath,
                    "The Baseline of PruneModel '{0}' ('{1}') is its new report ('{2}'), which every pruning rewrites; give a file of its own in the project, e.g. Baseline=\"Models/classifier.prune.verified.json\". Nothing was written.",
                    read.Owner, read.Path, write.Path);
            }
            else
            {
                Error(TaskDiagnostics.OutputWouldOverwriteInput,
                    "{0} ('{1}') is {2} ('{3}'); ModelPrune never overwrites a file the build reads, and nothing was written. Point the item's metadata at files of your own, or give it another LogicalName.",
                    Capitalized(write.What), write.Path, read.What, read.Path);
            }
        }
    }

    /// <summary>
    /// MP1032 for a model and a report of the items under one resource name (the targets compare models with models
    /// and reports with reports); MP1110 for a name one of the project's own EmbeddedResource items has. The compiler
    /// would stop at the duplicate only much later, without saying which item made it.
    /// </summary>
    private void CheckResourceNames()
    {
        var names = Models
            .Where(model => Embedded(model))
            .SelectMany(model => new[]
            {
                (Name: model.GetMetadata(ModelMetadata.ModelLogicalName), What: $"the pruned model of PruneModel '{Name(model)}'"),
                (Name: model.GetMetadata(ModelMetadata.ReportLogicalName), What: $"the report of PruneModel '{Name(model)}'"),
            })
            .ToList();
        foreach (var group in names.GroupBy(name => name.Name, StringComparer.Ordinal).Where(group => group.Count() > 1))
        {
            var both = group.Take(2).ToArray();
            Error(TaskDiagnostics.ResourceNameDuplicate,
                "{0} and {1} would both be embedded as '{2}'. Give each a distinct LogicalName or ReportLogicalName metadata.",
                Capitalized(both[0].What), both[1].What, group.Key);
        }

        var projectResources = ProjectItems
            .Where(item => item.GetMetadata("SourceItemType") == "EmbeddedResource" && !string.IsNullOrEmpty(item.GetMetadata("LogicalName")))
            .GroupBy(item => item.GetMetadata("LogicalName"), StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (projectResources.TryGetValue(name.Name, out var resource))
            {
                Error(TaskDiagnostics.OutputTakesProjectItemsPlace,
                    "{0} would be embedded as '{1}', the LogicalName of the project's EmbeddedResource '{2}'; the assembly can hold only one resource of a name. Give the PruneModel item another LogicalName or ReportLogicalName metadata.",
                    Capitalized(name.What), name.Name, Full(resource.GetMetadata("FullPath")));
            }
        }
    }

    /// <summary>MP1110: an Embed="false" output is copied where one of the project's own items is copied; one copy would silently replace the other.</summary>
    private void CheckCopiesAgainstProjectCopies()
    {
        var projectCopies = ProjectItems
            .Where(item => item.GetMetadata("SourceItemType") != "EmbeddedResource" && Copied(item.GetMetadata("CopyToOutputDirectory")))
            .Select(item => (Path: CopyDestination(ProjectTargetPath(item)), Source: Full(item.GetMetadata("FullPath")), Type: item.GetMetadata("SourceItemType")))
            .Where(copy => copy.Path != null)
            .GroupBy(copy => copy.Path!, PathComparer)
            .ToDictionary(group => group.Key, group => group.First(), PathComparer);
        foreach (var copy in Models.SelectMany(Copies))
        {
            if (projectCopies.TryGetValue(copy.Path, out var other))
            {
                Error(TaskDiagnostics.OutputTakesProjectItemsPlace,
                    "{0} would be copied to '{1}', where the project's {2} item '{3}' is copied too; one would silently replace the other. Give the PruneModel item another LogicalName or ReportLogicalName metadata, or stop copying '{3}'.",
                    Capitalized(copy.What), copy.Path, other.Type, other.Source);
            }
        }
    }

    /// <summary>Everything the engine and the targets write for an item under its output folder.</summary>
    private IEnumerable<(string Path, string What, string Owner, string Kind)> IntermediateOutputs(ITaskItem model)
    {
        var names = ModelMetadata.Outputs.Concat(new[] { ModelMetadata.ExternalDataFile, ModelMetadata.Stamp, "BaselineStamp", "BaselineChecked" });
        foreach (var name in names)
        {
            var path = model.GetMetadata(name);
            if (!string.IsNullOrEmpty(path))
            {
                yield return (Full(path), $"the {Describe(name)} of PruneModel '{Name(model)}'", Name(model), name);
            }
        }
    }

    /// <summary>Embed="false": the pruned model and its report are copied to the output folder under their logical names.</summary>
    private IEnumerable<(string Path, string What, string Owner, string Kind)> Copies(ITaskItem model)
    {
        if (Embedded(model) || !Copied(model.GetMetadata("CopyToOutputDirectory")))
        {
            yield break;
        }

        var modelCopy = CopyDestination(model.GetMetadata(ModelMetadata.ModelLogicalName));
        if (modelCopy != null)
        {
            yield return (modelCopy, $"the copy of the pruned model of PruneModel '{Name(model)}'", Name(model), "ModelCopy");
        }

        // Checked whether or not this build writes one: ExternalData="auto" writes it once the model passes 2 GiB.
        var dataCopy = CopyDestination(model.GetMetadata(ModelMetadata.ExternalDataTargetPath));
        if (dataCopy != null)
        {
            yield return (dataCopy, $"the copy of the external data file of PruneModel '{Name(model)}'", Name(model), "ExternalDataCopy");
        }

        var reportCopy = CopyDestination(model.GetMetadata(ModelMetadata.ReportLogicalName));
        if (reportCopy != null)
        {
            yield return (reportCopy, $"the copy of the report of PruneModel '{Name(model)}'", Name(model), "ReportCopy");
        }
    }

    private IEnumerable<(string Path, string What, string Owner, string Kind)> SourceFiles()
    {
        foreach (var item in ProjectItems)
        {
            var path = FullOrNull(item.GetMetadata("FullPath"));
            if (path != null && File.Exists(path))
            {
                yield return (path, $"the project's {item.GetMetadata("SourceItemType")} item", string.Empty, "Source");
            }
        }
    }

    /// <summary>Where MSBuild's AssignTargetPath puts an item in the output folder: TargetPath, else Link, else its path in the project.</summary>
    private string ProjectTargetPath(ITaskItem item)
    {
        var targetPath = item.GetMetadata("TargetPath");
        if (!string.IsNullOrEmpty(targetPath)) return targetPath;
        var link = item.GetMetadata("Link");
        if (!string.IsNullOrEmpty(link)) return link;
        var full = FullOrNull(item.GetMetadata("FullPath")) ?? string.Empty;
        var project = EnsureSeparator(Full(ProjectDirectory));
        return full.StartsWith(project, PathComparison) ? full.Substring(project.Length) : Path.GetFileName(full);
    }

    private string? CopyDestination(string relativePath)
    {
        if (string.IsNullOrEmpty(OutputDirectory) || string.IsNullOrEmpty(relativePath)) return null;
        return FullOrNull(Path.Combine(Path.Combine(ProjectDirectory, OutputDirectory!), relativePath));
    }

    private static bool Embedded(ITaskItem model) => string.Equals(model.GetMetadata("Embed"), "true", StringComparison.OrdinalIgnoreCase);

    private static bool Copied(string copyToOutputDirectory) =>
        !string.IsNullOrEmpty(copyToOutputDirectory) && !string.Equals(copyToOutputDirectory, "Never", StringComparison.OrdinalIgnoreCase);

    private static string Name(ITaskItem model) => PruneRequest.DisplayName(model);

    private static string Describe(string metadata) => metadata switch
    {
        ModelMetadata.OutputModel => "pruned model",
        ModelMetadata.ExternalDataFile => "external data file",
        ModelMetadata.Report => "report",
        ModelMetadata.Summary => "summary",
        ModelMetadata.Markdown => "Markdown report",
        ModelMetadata.Html => "HTML report",
        ModelMetadata.RunInfo => "run record",
        ModelMetadata.Stamp => "settings stamp",
        "BaselineStamp" => "baseline settings stamp",
        _ => "baseline check record",
    };

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

    private string Full(string path) => FullOrNull(path) ?? path;

    /// <summary>Relative paths are the project's; a path the platform cannot hold compares as nothing.</summary>
    private string? FullOrNull(string path)
    {
        if (string.IsNullOrEmpty(path)) return null;
        try
        {
            return Path.GetFullPath(Path.Combine(ProjectDirectory, path));
        }
        catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
        {
            return null;
        }
    }

    private static string EnsureSeparator(string folder) =>
        folder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? folder : folder + Path.DirectorySeparatorChar;

    private void Error(string code, string message, params object[] arguments) =>
        Log.LogError(null, code, null, ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0, message, arguments);
}
