namespace ModelPrune.Engine.Caching;

internal enum CacheLookup
{
    Hit,
    Miss,
    Corrupt,
}
