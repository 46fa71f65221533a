namespace ModelPrune.Engine.Progress;

/// <summary>The <c>--progress</c> choices of <c>modelprune prune</c> and <c>batch</c>.</summary>
internal enum ProgressMode
{
    /// <summary>A bar on a terminal, plain lines when stderr is redirected.</summary>
    Auto,

    /// <summary>A single line redrawn in place.</summary>
    Bar,

    /// <summary>One line per update, in words.</summary>
    Lines,

    /// <summary><c>modelprune-progress:</c> lines for the MSBuild task (<see cref="ModelPrune.Progress.ProgressLine.Format"/>).</summary>
    Machine,

    None,
}
