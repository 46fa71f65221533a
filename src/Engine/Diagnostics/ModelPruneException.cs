namespace ModelPrune.Engine.Diagnostics;

/// <summary>An expected failure with a code; the entry point prints it without a stack trace.</summary>
internal sealed class ModelPruneException : Exception
{
    public ModelPruneException(string code, string file, string message, Exception? inner = null)
        : base(message, inner)
    {
        Diagnostic = Diagnostic.Error(code, file, message);
    }

    public Diagnostic Diagnostic { get; }
}
