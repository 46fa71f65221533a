using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// Lists every tensor a model stores, wherever it hides: initializers, Constant nodes, other tensor
/// attributes, and all of these inside If/Loop/Scan bodies, functions and training graphs.
/// </summary>
internal static class OnnxTensorWalker
{
    public static List<TensorSite> AllTensors(ModelProto model)
    {
        var sites = new List<TensorSite>();
        if (model.Graph is not null)
        {
            AddGraph(model.Graph, sites);
        }

        foreach (var function in model.Functions)
        {
            AddNodes(function.Node, sites);
        }

        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null)
            {
                AddGraph(training.Initialization, sites);
            }

            if (training.Algorithm is not null)
            {
                AddGraph(training.Algorithm, sites);
            }
        }

        return sites;
    }

    private static void AddGraph(GraphProto graph, List<TensorSite> sites)
    {
        foreach (var initializer in graph.Initializer)
        {
            sites.Add(new TensorSite(initializer, TensorSiteKind.Initializer, NameOr(initializer, "initializer")));
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            AddSparse(sparse, "sparse initializer", sites);
        }

        AddNodes(graph.Node, sites);
    }

    private static void AddNodes(IEnumerable<NodeProto> nodes, List<TensorSite> sites)
    {
        foreach (var node in nodes)
        {
            var nodeLabel = string.IsNullOrEmpty(node.Name) ? node.OpType : node.Name;
            var isConstant = node.OpType == "Constant" && IsDefaultDomain(node.Domain);
            foreach (var attribute in node.Attribute)
            {
                var label = $"attribute '{attribute.Name}' of node '{nodeLabel}'";
                if (attribute.T is not null)
                {
                    var kind = isConstant && attribute.Name == "value" ? TensorSiteKind.ConstantValue : TensorSiteKind.OtherAttribute;
                    var name = kind == TensorSiteKind.ConstantValue && node.Output.Count > 0 ? node.Output[0] : label;
                    sites.Add(new TensorSite(attribute.T, kind, NameOr(attribute.T, name)));
                }

                foreach (var tensor in attribute.Tensors)
                {
                    sites.Add(new TensorSite(tensor, TensorSiteKind.OtherAttribute, NameOr(tensor, label)));
                }

                if (attribute.SparseTensor is not null)
                {
                    AddSparse(attribute.SparseTensor, label, sites);
                }

                foreach (var sparse in attribute.SparseTensors)
                {
                    AddSparse(sparse, label, sites);
                }

                if (attribute.G is not null)
                {
                    AddGraph(attribute.G, sites);
                }

                foreach (var graph in attribute.Graphs)
                {
                    AddGraph(graph, sites);
                }
            }
        }
    }

    private static void AddSparse(SparseTensorProto sparse, string label, List<TensorSite> sites)
    {
        if (sparse.Values is not null)
        {
            sites.Add(new TensorSite(sparse.Values, TensorSiteKind.SparseInitializer, NameOr(sparse.Values, label)));
        }

        if (sparse.Indices is not null)
        {
            sites.Add(new TensorSite(sparse.Indices, TensorSiteKind.SparseInitializer, NameOr(sparse.Indices, label)));
        }
    }

    internal static bool IsDefaultDomain(string domain) => domain.Length == 0 || domain == "ai.onnx";

    private static string NameOr(TensorProto tensor, string fallback) =>
        string.IsNullOrEmpty(tensor.Name) ? fallback : tensor.Name;
}
