namespace ModelPrune.Engine.Baseline;

/// <summary>What the gate compares exactly per layer: whether it was pruned, and how much.</summary>
internal sealed record LayerStructure(string Name, string? Status, double? Sparsity);
