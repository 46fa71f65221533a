using ModelPrune.Engine.Onnx;
using Onnx;

namespace ModelPrune.Engine.Quantization.Formats;

/// <summary>
/// Embedding tables as int8 per row: the table becomes codes plus a <c>DequantizeLinear</c> (axis 0, one scale
/// per row) whose output keeps the table's name, so the Gather reads the same values. Tables are often the
/// largest tensors of a text model (half of MiniLM's file) and are never found as prunable weights.
/// </summary>
internal static class EmbeddingTableWriter
{
    public const string Format = "DequantizeLinear+Gather";

    /// <summary>Every float32 constant of rank 2 that some Gather reads along axis 0, in graph order.</summary>
    public static IReadOnlyList<EmbeddingTable> Find(ModelProto model)
    {
        var index = new ModelGraphIndex(model);
        var tables = new Dictionary<TensorProto, (ConstantStorage Storage, List<string> Nodes)>(ReferenceEqualityComparer.Instance);
        var order = new List<TensorProto>();
        foreach (var (name, _, node, scope) in index.Nodes)
        {
            if (!GraphScope.IsDefaultDomainOp(node, "Gather") || node.Input.Count < 2 || scope.Resolve(node.Input[0]) is not { } storage)
            {
                continue;
            }

            var rank = storage.Tensor.Dims.Count;
            var axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
            if (rank != 2 || (axis < 0 ? axis + rank : axis) != 0 || storage.Tensor.DataType != TensorElementTypes.Float)
            {
                continue;
            }

            if (!tables.TryGetValue(storage.Tensor, out var table))
            {
                table = (storage, new List<string>());
                tables.Add(storage.Tensor, table);
                order.Add(storage.Tensor);
            }

            table.Nodes.Add(name);
        }

        return order.Select(t => new EmbeddingTable(tables[t].Storage.Name, tables[t].Nodes, new WeightTensor(tables[t].Storage.Name, t))).ToArray();
    }

    /// <param name="quantized">8-bit, one group per row; null quantizes with <see cref="EmbeddingQuantizer"/>.</param>
    public static FormatWriteResult Write(ModelProto model, EmbeddingTable table, QuantizedMatrix? quantized = null)
    {
        var index = new ModelGraphIndex(model);
        var rows = (int)table.Tensor.Dims[0];
        var cols = (int)table.Tensor.Dims[1];
        var refusal = PerChannelDequantizeLinear.Refusal(index, table.Tensor.Proto);
        if (refusal is null && quantized is not null)
        {
            refusal = quantized.Bits != 8 || quantized.Groups != 1
                ? $"an embedding table is written as 8 bits, one scale per row; got {quantized.Bits} bits in {quantized.Groups} groups per row"
                : quantized.Rows != rows || quantized.Cols != cols
                    ? $"the quantized matrix is [{quantized.Rows}, {quantized.Cols}] but the table '{table.Name}' is [{rows}, {cols}]"
                    : null;
        }

        var site = index.FindStorage(table.Tensor.Proto);
        if (refusal is null && site is null)
        {
            refusal = $"the storage of '{table.Name}' is not in this model";
        }

        if (refusal is not null)
        {
            return FormatWriteResult.Skipped(table.Name, Format, refusal);
        }

        quantized ??= EmbeddingQuantizer.Quantize(table.Tensor.ReadValues(), rows, cols);
        var (node, bytes) = PerChannelDequantizeLinear.Replace(index, site!, quantized.Codes, quantized.Scales, quantized.Zeros, axis: 0);
        return new FormatWriteResult(table.Name, Format, null, new[] { node }, bytes);
    }
}
