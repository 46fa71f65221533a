namespace ModelPrune.Engine.Tests.TestSupport;

/// <summary>The checkout the tests run from, for tests about committed files (docs, the sample's model).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "ModelPrune.Build.sln"))) return folder.FullName;
        }

        throw new InvalidOperationException("ModelPrune.Build.sln not found above " + AppContext.BaseDirectory);
    }
}
