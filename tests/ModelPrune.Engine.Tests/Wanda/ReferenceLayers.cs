using System.Collections.Concurrent;
using ModelPrune.Engine.Pruning.Wanda;
using ModelPrune.Engine.Tests.Reference;

namespace ModelPrune.Engine.Tests.Wanda;

/// <summary>The reference layers and their column norms, loaded once for all Wanda tests.</summary>
internal static class ReferenceLayers
{
    private static readonly ConcurrentDictionary<string, Lazy<(ReferenceLayer Layer, double[] NormsSquared)>> Cache = new();

    public static (ReferenceLayer Layer, double[] NormsSquared) Get(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<(ReferenceLayer, double[])>(() =>
        {
            var layer = ReferenceLayer.Load(n);
            var normsSquared = new double[layer.In];
            WandaPruner.AccumulateColumnNormsSquared(layer.X, layer.Tokens, layer.In, normsSquared);
            return (layer, normsSquared);
        })).Value;
}
