namespace ModelPrune.Tasks;

/// <summary>
/// The codes the task logs itself (the engine's own are printed by the engine); all are listed with
/// cause and fix in docs/diagnostics.md.
/// </summary>
internal static class TaskDiagnostics
{
    public const string OutputWouldOverwriteInput = "MP1014";
    public const string ResourceNameDuplicate = "MP1032";
    public const string InvalidBaselinePath = "MP1062";
    public const string AccessorNamingInvalid = "MP1070";
    public const string AccessorNameInvalid = "MP1071";
    public const string AccessorNameCollision = "MP1072";
    public const string AccessorNameDuplicate = "MP1073";
    public const string OutputsCollide = "MP1088";
    public const string OutputTakesProjectItemsPlace = "MP1110";
    public const string EngineNotFound = "MP3003";
    public const string OutputUnwritable = "MP3004";
    public const string EngineCrashed = "MP9001";
    public const string InternalError = "MP9002";
}
