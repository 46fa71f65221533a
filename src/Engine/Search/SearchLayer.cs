namespace ModelPrune.Engine.Search;

/// <summary>A layer the search may compress: its weight's name and how many parameters it holds.</summary>
internal sealed record SearchLayer(string Name, long Parameters);
