using Onnx;

namespace ModelPrune.Engine.Structured;

/// <summary>
/// A layer that reads the units as its input channels: its weight loses rows, and FLAP measures its input
/// <paramref name="Activation"/> (the units' values right before this layer) to score them and to fold the removed
/// units' mean contribution into its bias.
/// </summary>
/// <param name="WeightInputAxis">The weight's axis that runs over the input channels.</param>
internal sealed record UnitConsumer(NodeProto Node, string Activation, UnitAxis Units, ParameterSlice Weight, int WeightInputAxis);
