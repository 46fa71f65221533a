using ModelPrune.Engine.Tests.TestSupport;
using System.Security.Cryptography;
using Google.Protobuf;
using ModelPrune.Engine.Diagnostics;
using ModelPrune.Engine.Onnx;
using ModelPrune.Fixtures;
using Onnx;

namespace ModelPrune.Engine.Tests.Onnx;

public sealed class ExternalDataTests
{
    [Fact]
    public void External_tensors_are_inlined_into_raw_data()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);

        var model = OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName));

        var expected = FixtureModels.GemmMlp().Graph.Initializer;
        Assert.Equal(expected.Count, model.Proto.Graph.Initializer.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var tensor = model.Proto.Graph.Initializer[i];
            Assert.Equal(TensorProto.Types.DataLocation.Default, tensor.DataLocation);
            Assert.Empty(tensor.ExternalData);
            Assert.Equal(expected[i].RawData, tensor.RawData);
        }

        Assert.Equal(FixtureModels.GemmMlp(), model.Proto);
    }

    [Fact]
    public void Content_hash_covers_the_model_file_and_then_its_weights_file()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        var modelBytes = File.ReadAllBytes(folder.File(FixtureModels.ExternalModelFileName));
        var weightBytes = File.ReadAllBytes(folder.File(FixtureModels.ExternalWeightsFileName));

        var model = OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName));

        Assert.Equal(Convert.ToHexString(SHA256.HashData(modelBytes.Concat(weightBytes).ToArray())).ToLowerInvariant(), model.ContentSha256);
        Assert.Equal(modelBytes.LongLength, model.FileBytes);

        weightBytes[^1] ^= 0xFF;
        File.WriteAllBytes(folder.File(FixtureModels.ExternalWeightsFileName), weightBytes);
        Assert.NotEqual(model.ContentSha256, OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName)).ContentSha256);
    }

    [Fact]
    public void Inlined_model_computes_what_the_external_data_model_computes_and_needs_no_weights_file()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.File("original"));
        var originalPath = folder.File("original/" + FixtureModels.ExternalModelFileName);
        var inlinedPath = folder.File("inlined/model.onnx");

        OnnxModelWriter.WriteAtomic(OnnxModelReader.Read(originalPath).Proto, inlinedPath);

        var expected = OrtModelRunner.Run(originalPath);
        var actual = OrtModelRunner.Run(inlinedPath);
        Assert.Equal(expected["logits"], actual["logits"]);
        Assert.Single(Directory.GetFiles(folder.File("inlined")));
    }

    [Fact]
    public void External_tensors_in_constant_nodes_and_if_branches_are_inlined()
    {
        using var folder = new TempFolder();
        var model = FixtureModels.ConstantAndIfModel();
        var thenBranch = model.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "then_branch").G;
        var constantWeight = model.Graph.Node.Single(n => n.Name == "const_w1").Attribute[0].T;
        var branchInitializer = thenBranch.Initializer.Single(t => t.Name == "W_then");
        var branchConstant = thenBranch.Node.Single(n => n.OpType == "Constant").Attribute[0].T;
        var expected = new[] { constantWeight.RawData, branchInitializer.RawData, branchConstant.RawData };
        using (var weights = File.Create(folder.File("weights.bin")))
        {
            // The second tensor has no length entry: it runs to the end of the file, as ONNX allows.
            Externalize(constantWeight, weights, includeLength: true);
            Externalize(branchConstant, weights, includeLength: true);
            Externalize(branchInitializer, weights, includeLength: false);
        }

        File.WriteAllBytes(folder.File("model.onnx"), FixtureModels.Serialize(model));

        var read = OnnxModelReader.Read(folder.File("model.onnx"));

        var inlined = FixtureModels.ConstantAndIfModel();
        Assert.Equal(inlined, read.Proto);
        Assert.Equal(expected[0], read.Proto.Graph.Node.Single(n => n.Name == "const_w1").Attribute[0].T.RawData);
    }

    [Fact]
    public void Location_escaping_the_model_folder_is_MP1007_naming_tensor_and_location()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("model"));
        File.WriteAllBytes(folder.File("outside.bin"), new byte[4096]);
        File.WriteAllBytes(folder.File("model/escaping.onnx"), FixtureModels.Serialize(FixtureModels.ExternalDataModelEscaping()));

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("model/escaping.onnx")));

        Assert.Equal(DiagnosticCodes.ExternalDataOutsideModelFolder, error.Diagnostic.Code);
        Assert.Contains("'W1'", error.Message);
        Assert.Contains("../outside.bin", error.Message);
    }

    [Fact]
    public void Absolute_location_is_MP1007_even_when_it_points_into_the_model_folder()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(folder.File(FixtureModels.ExternalModelFileName)));
        model.Graph.Initializer[0].ExternalData.Single(e => e.Key == "location").Value = folder.File(FixtureModels.ExternalWeightsFileName);
        File.WriteAllBytes(folder.File("absolute.onnx"), FixtureModels.Serialize(model));

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("absolute.onnx")));

        Assert.Equal(DiagnosticCodes.ExternalDataOutsideModelFolder, error.Diagnostic.Code);
    }

    [Fact]
    public void Symbolic_link_leading_outside_the_model_folder_is_MP1007_and_one_staying_inside_is_read()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.File("real"));
        Directory.CreateDirectory(folder.File("linked"));
        File.Copy(folder.File("real/" + FixtureModels.ExternalModelFileName), folder.File("linked/" + FixtureModels.ExternalModelFileName));
        Directory.CreateDirectory(folder.File("inside"));
        File.Copy(folder.File("real/" + FixtureModels.ExternalModelFileName), folder.File("inside/" + FixtureModels.ExternalModelFileName));
        File.Copy(folder.File("real/" + FixtureModels.ExternalWeightsFileName), folder.File("inside/data.bin"));
        try
        {
            File.CreateSymbolicLink(folder.File("linked/" + FixtureModels.ExternalWeightsFileName), folder.File("real/" + FixtureModels.ExternalWeightsFileName));
            File.CreateSymbolicLink(folder.File("inside/" + FixtureModels.ExternalWeightsFileName), "data.bin");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Windows without developer mode cannot create links; nothing to test there.
            return;
        }

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File("linked/" + FixtureModels.ExternalModelFileName)));
        var inside = OnnxModelReader.Read(folder.File("inside/" + FixtureModels.ExternalModelFileName));

        Assert.Equal(DiagnosticCodes.ExternalDataOutsideModelFolder, error.Diagnostic.Code);
        Assert.Equal(FixtureModels.GemmMlp(), inside.Proto);
    }

    [Fact]
    public void Location_in_a_subfolder_is_accepted()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        Directory.CreateDirectory(folder.File("data"));
        File.Move(folder.File(FixtureModels.ExternalWeightsFileName), folder.File("data/w.bin"));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(folder.File(FixtureModels.ExternalModelFileName)));
        foreach (var tensor in model.Graph.Initializer)
        {
            tensor.ExternalData.Single(e => e.Key == "location").Value = "data/../data/./w.bin";
        }

        File.WriteAllBytes(folder.File("sub.onnx"), FixtureModels.Serialize(model));

        Assert.Equal(FixtureModels.GemmMlp(), OnnxModelReader.Read(folder.File("sub.onnx")).Proto);
    }

    [Fact]
    public void Missing_weights_file_is_MP1008()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        File.Delete(folder.File(FixtureModels.ExternalWeightsFileName));

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName)));

        Assert.Equal(DiagnosticCodes.ExternalDataUnreadable, error.Diagnostic.Code);
        Assert.Contains(FixtureModels.ExternalWeightsFileName, error.Message);
    }

    [Fact]
    public void Offset_and_length_past_the_end_of_the_weights_file_is_MP1008()
    {
        using var folder = new TempFolder();
        FixtureModels.WriteExternalDataModel(folder.Path);
        var weights = File.ReadAllBytes(folder.File(FixtureModels.ExternalWeightsFileName));
        File.WriteAllBytes(folder.File(FixtureModels.ExternalWeightsFileName), weights[..(weights.Length - 8)]);

        var error = Assert.Throws<ModelPruneException>(() => OnnxModelReader.Read(folder.File(FixtureModels.ExternalModelFileName)));

        Assert.Equal(DiagnosticCodes.ExternalDataUnreadable, error.Diagnostic.Code);
        Assert.Contains("'b3'", error.Message);
    }

    private static void Externalize(TensorProto tensor, Stream weights, bool includeLength)
    {
        var offset = weights.Position;
        weights.Write(tensor.RawData.Span);
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString() });
        if (includeLength)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString() });
        }

        tensor.RawData = ByteString.Empty;
    }
}
