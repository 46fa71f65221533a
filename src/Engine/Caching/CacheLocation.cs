namespace ModelPrune.Engine.Caching;

/// <summary>
/// Where cache entries live: an explicit folder (ModelPruneCacheDir / --cache-dir), else MODELPRUNE_CACHE_DIR,
/// else the platform's per-user cache folder. It lies outside obj/ so it survives `dotnet clean`.
/// </summary>
internal static class CacheLocation
{
    public const string EnvironmentVariable = "MODELPRUNE_CACHE_DIR";

    public static string Resolve(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);

        if (OperatingSystem.IsWindows())
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local, "ModelPrune", "cache");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "modelprune");

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "modelprune");
    }
}
