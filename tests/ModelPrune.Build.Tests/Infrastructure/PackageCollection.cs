namespace ModelPrune.Build.Tests.Infrastructure;

/// <summary>Every test that needs the package shares one pack, one feed and one package folder.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "ModelPrune.Build package";
}
