using ModelPrune.Progress;

namespace ModelPrune.Engine.Progress;

/// <summary>Where progress goes: structured lines for the MSBuild task, plain lines, or a bar on a terminal. Shared by every model of a run.</summary>
internal interface IProgressOutput
{
    /// <summary>Called from any model's thread.</summary>
    void Write(ProgressLine line);

    /// <summary>Before the results are printed: a bar clears its line.</summary>
    void Close();

    /// <summary>What <paramref name="mode"/> means for a run whose progress goes to <paramref name="error"/>; null: none.</summary>
    /// <param name="errorIsTerminal">Whether <paramref name="error"/> is a terminal a person watches (not redirected).</param>
    static IProgressOutput? For(ProgressMode mode, TextWriter error, bool errorIsTerminal) => mode switch
    {
        ProgressMode.Machine => LineProgressOutput.Structured(error),
        ProgressMode.Lines => LineProgressOutput.Plain(error),
        ProgressMode.Bar => new ProgressBar(error),
        ProgressMode.Auto => errorIsTerminal ? new ProgressBar(error) : LineProgressOutput.Plain(error),
        _ => null,
    };
}
