namespace ModelPrune.Engine.Onnx;

internal static class ExternalDataModeNames
{
    public static string ToName(ExternalDataMode mode) => mode switch
    {
        ExternalDataMode.Always => "always",
        ExternalDataMode.Never => "never",
        _ => "auto",
    };

    /// <summary>Blank means the default, <see cref="ExternalDataMode.Auto"/>; letter case is ignored.</summary>
    public static bool TryParse(string? text, out ExternalDataMode mode)
    {
        switch (string.IsNullOrWhiteSpace(text) ? "auto" : text.Trim().ToLowerInvariant())
        {
            case "auto":
                mode = ExternalDataMode.Auto;
                return true;
            case "always":
                mode = ExternalDataMode.Always;
                return true;
            case "never":
                mode = ExternalDataMode.Never;
                return true;
            default:
                mode = ExternalDataMode.Auto;
                return false;
        }
    }
}
