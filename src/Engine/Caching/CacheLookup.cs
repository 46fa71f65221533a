namespace ModelPrune.Engine.Caching;

public enum CacheLookup
{
    Hit,
    Miss,
    Corrupt,
}
