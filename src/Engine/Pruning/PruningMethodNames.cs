namespace ModelPrune.Engine.Pruning;

/// <summary>The names users write in <c>Method="..."</c> and <c>--method</c>.</summary>
public static class PruningMethodNames
{
    public const string Magnitude = "magnitude";
    public const string GlobalMagnitude = "global-magnitude";

    public static IReadOnlyList<string> All { get; } = new[] { Magnitude, GlobalMagnitude };

    public static string ToName(PruningMethod method) => method switch
    {
        PruningMethod.Magnitude => Magnitude,
        PruningMethod.GlobalMagnitude => GlobalMagnitude,
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
            default:
                method = default;
                return false;
        }
    }
}
