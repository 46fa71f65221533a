namespace ModelPrune.Engine.Pruning;

/// <summary>The names users write in <c>Method="..."</c> and <c>--method</c>.</summary>
internal static class PruningMethodNames
{
    public const string Magnitude = "magnitude";
    public const string GlobalMagnitude = "global-magnitude";
    public const string Wanda = "wanda";
    public const string SparseGpt = "sparsegpt";
    public const string MagnitudeL2 = "magnitude-l2";
    public const string Maw = "maw";
    public const string Flap = "flap";

    public static IReadOnlyList<string> All { get; } = new[] { Magnitude, GlobalMagnitude, Wanda, SparseGpt, MagnitudeL2, Maw, Flap };

    /// <summary>Methods that score weights with statistics of the layer inputs, so need calibration data.</summary>
    public static bool NeedsCalibration(PruningMethod method) => method is PruningMethod.Wanda or PruningMethod.SparseGpt or PruningMethod.Flap;

    /// <summary>Methods that remove whole units (neurons, heads, filters) and rewrite the graph, instead of zeroing weights.</summary>
    public static bool IsStructured(PruningMethod method) => method is PruningMethod.MagnitudeL2 or PruningMethod.Maw or PruningMethod.Flap;

    public static string ToName(PruningMethod method) => method switch
    {
        PruningMethod.Magnitude => Magnitude,
        PruningMethod.GlobalMagnitude => GlobalMagnitude,
        PruningMethod.Wanda => Wanda,
        PruningMethod.SparseGpt => SparseGpt,
        PruningMethod.MagnitudeL2 => MagnitudeL2,
        PruningMethod.Maw => Maw,
        PruningMethod.Flap => Flap,
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    public static bool TryParse(string text, out PruningMethod method)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case Magnitude:
                method = PruningMethod.Magnitude;
                return true;
            case GlobalMagnitude:
            case "global":
                method = PruningMethod.GlobalMagnitude;
                return true;
            case Wanda:
                method = PruningMethod.Wanda;
                return true;
            case SparseGpt:
                method = PruningMethod.SparseGpt;
                return true;
            case MagnitudeL2:
                method = PruningMethod.MagnitudeL2;
                return true;
            case Maw:
                method = PruningMethod.Maw;
                return true;
            case Flap:
                method = PruningMethod.Flap;
                return true;
            default:
                method = default;
                return false;
        }
    }
}
