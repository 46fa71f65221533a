namespace ModelPrune.Build.Tests.Infrastructure;

public static class RepoPaths
{
    /// <summary>The checkout this test assembly was built from: the folder holding ModelPrune.Build.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ModelPrune.Build.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"ModelPrune.Build.sln not found above {AppContext.BaseDirectory}.");
    }
}
