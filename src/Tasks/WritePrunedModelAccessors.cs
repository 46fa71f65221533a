using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelPrune.Tasks;

/// <summary>
/// Writes the C# file that gives each embedded model a class (<c>PrunedModels.Classifier.OpenModel()</c>,
/// <c>ReadReport()</c>, the resource names). It reads only the small summary files the engine wrote next to
/// the reports, so it never prunes, and it leaves the file alone when the text would not change, so an
/// unchanged project does not recompile.
/// </summary>
public sealed class WritePrunedModelAccessors : Task
{
    /// <summary>The embedded PruneModel items, with Summary, ModelLogicalName, ReportLogicalName, DisplayName metadata.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputFile { get; set; } = string.Empty;

    /// <summary>ModelPruneAccessorNamespace: used exactly as written, so it must be a valid namespace.</summary>
    public string? Namespace { get; set; }

    /// <summary>The project's RootNamespace, made valid: used when <see cref="Namespace"/> is empty.</summary>
    public string? RootNamespace { get; set; }

    [Required]
    public string ClassName { get; set; } = string.Empty;

    /// <summary>Goes into the GeneratedCode attributes.</summary>
    public string? PackageVersion { get; set; }

    public override bool Execute()
    {
        var className = ClassName.Trim();
        var namespaceName = (Namespace ?? string.Empty).Trim();
        if (!CheckNaming(className, namespaceName))
        {
            return false;
        }

        if (namespaceName.Length == 0)
        {
            namespaceName = CSharpIdentifier.ToNamespace(RootNamespace ?? string.Empty);
        }

        var requests = Models.Select(model => new AccessorNameRequest(
            PruneRequest.DisplayName(model),
            model.GetMetadata("Filename"),
            model.GetMetadata(ModelMetadata.AccessorName))).ToArray();
        if (!CheckExplicitNames(requests, className))
        {
            return false;
        }

        var collisions = new List<AccessorNameCollision>();
        var names = AccessorClassNames.Assign(requests, className, collisions);
        foreach (var collision in collisions)
        {
            Log.LogWarning(null, TaskDiagnostics.AccessorNameCollision, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "PruneModel '{0}': its class name '{1}' is already taken by '{2}', so its accessor is {3}.{4}. Give one of them AccessorName metadata to choose the names yourself.",
                collision.Request.DisplayName, collision.Request.BaseName, collision.TakenBy, className, collision.AssignedName);
        }

        var accessors = new List<ModelAccessor>();
        for (var i = 0; i < Models.Length; i++)
        {
            var summaryPath = Models[i].GetMetadata(ModelMetadata.Summary);
            ModelSummary summary;
            try
            {
                summary = ModelSummary.Read(summaryPath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException || e is ArgumentException)
            {
                Log.LogError(null, TaskDiagnostics.InternalError, null, summaryPath, 0, 0, 0, 0,
                    "The report summary of {0} cannot be read ({1}), so its typed accessor cannot be written. Rebuild; if it persists, report it with the build log (-v:detailed).",
                    requests[i].DisplayName, e.Message);
                return false;
            }

            accessors.Add(new ModelAccessor(names[i], requests[i].DisplayName,
                Models[i].GetMetadata(ModelMetadata.ModelLogicalName), Models[i].GetMetadata(ModelMetadata.ReportLogicalName), summary));
        }

        // Sorted so the file does not depend on the order the items were listed in.
        accessors.Sort((a, b) => StringComparer.Ordinal.Compare(a.ClassName, b.ClassName));
        string source;
        try
        {
            source = AccessorSourceWriter.Write(namespaceName, className, PackageVersion ?? string.Empty, accessors);
        }
        catch (FormatException e)
        {
            Log.LogError(null, TaskDiagnostics.InternalError, null, OutputFile, 0, 0, 0, 0,
                "A report summary lacks a value the typed accessors need ({0}). Rebuild; if it persists, report it with the build log (-v:detailed).", e.Message);
            return false;
        }

        return WriteIfChanged(source);
    }

    private bool CheckNaming(string className, string namespaceName)
    {
        var valid = true;
        if (!CSharpIdentifier.IsValid(className))
        {
            Log.LogError(null, TaskDiagnostics.AccessorNamingInvalid, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "ModelPruneAccessorClassName '{0}' is not a valid C# class name (letters, digits and underscores, not starting with a digit, not a keyword). Correct it, or remove it to get PrunedModels.",
                className);
            valid = false;
        }

        if (namespaceName.Length != 0 && !CSharpIdentifier.IsValidNamespace(namespaceName))
        {
            Log.LogError(null, TaskDiagnostics.AccessorNamingInvalid, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "ModelPruneAccessorNamespace '{0}' is not a valid C# namespace (dot-separated identifiers, no keywords). Correct it, or remove it to use the project's RootNamespace.",
                namespaceName);
            valid = false;
        }

        return valid;
    }

    private bool CheckExplicitNames(AccessorNameRequest[] requests, string className)
    {
        var valid = true;
        foreach (var request in requests.Where(r => r.ExplicitName != null && !AccessorClassNames.IsUsable(r.ExplicitName!, className)))
        {
            Log.LogError(null, TaskDiagnostics.AccessorNameInvalid, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "PruneModel '{0}': AccessorName '{1}' is not usable as its class name: it must be a C# identifier (letters, digits and underscores, not starting with a digit, not a keyword) other than {2} and the generated members ({3}).",
                request.DisplayName, request.ExplicitName, className, string.Join(", ", AccessorClassNames.GeneratedMemberNames));
            valid = false;
        }

        foreach (var duplicate in requests.Where(r => r.ExplicitName != null).GroupBy(r => r.ExplicitName, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Log.LogError(null, TaskDiagnostics.AccessorNameDuplicate, null, BuildEngine?.ProjectFileOfTaskNode, 0, 0, 0, 0,
                "PruneModel items {0} have the same AccessorName '{1}'; each model needs a class of its own. Give them distinct AccessorName metadata.",
                string.Join(", ", duplicate.Select(r => "'" + r.DisplayName + "'")), duplicate.Key);
            valid = false;
        }

        return valid;
    }

    /// <summary>
    /// An unchanged text is not written, but the file's time is moved on: the target's inputs (a summary
    /// rewritten with the same values) are then older than it, and the next build skips the target.
    /// </summary>
    private bool WriteIfChanged(string source)
    {
        try
        {
            var path = Path.GetFullPath(OutputFile);
            if (File.Exists(path) && File.ReadAllText(path, Encoding.UTF8) == source)
            {
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                Log.LogMessage(MessageImportance.Low, "ModelPrune: {0} is unchanged", path);
                return true;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // A byte order mark: the compiler then reads non-ASCII names right whatever the code page.
            File.WriteAllText(path, source, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            Log.LogMessage(MessageImportance.Low, "ModelPrune: wrote the typed accessors to {0}", path);
            return true;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            Log.LogError(null, TaskDiagnostics.OutputUnwritable, null, OutputFile, 0, 0, 0, 0,
                "The typed accessors could not be written ({0}). Check that the intermediate folder is writable and the disk is not full.", e.Message);
            return false;
        }
    }
}
