namespace ModelPrune.Engine.Diagnostics;

/// <summary>Collects the warnings of one model's run so they reach both the console and the report.</summary>
internal sealed class DiagnosticLog
{
    private readonly List<Diagnostic> _items = new();

    public IReadOnlyList<Diagnostic> Items
    {
        get { lock (_items) { return _items.ToArray(); } }
    }

    public void Warn(string code, string file, string message)
    {
        lock (_items) { _items.Add(Diagnostic.Warning(code, file, message)); }
    }
}
