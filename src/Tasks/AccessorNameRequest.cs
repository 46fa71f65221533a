namespace ModelPrune.Tasks;

/// <summary>One model asking for a nested class: named by the user (AccessorName) or after its file.</summary>
internal sealed class AccessorNameRequest
{
    public AccessorNameRequest(string displayName, string fileName, string? explicitName)
    {
        DisplayName = displayName;
        FileName = fileName;
        ExplicitName = string.IsNullOrWhiteSpace(explicitName) ? null : explicitName!.Trim();
    }

    /// <summary>The model's path relative to the project: the tie-breaker when two files give the same name.</summary>
    public string DisplayName { get; }

    /// <summary>The model's file name without its extension.</summary>
    public string FileName { get; }

    public string? ExplicitName { get; }

    public string BaseName => ExplicitName ?? CSharpIdentifier.ToTypeName(FileName);
}
