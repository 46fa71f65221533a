using ModelPrune.Tasks;

namespace ModelPrune.Build.Tests;

/// <summary>Class and namespace names from any file or project name: always valid C#, always the same.</summary>
public sealed class AccessorNamingTests
{
    [Theory]
    [InlineData("classifier", "Classifier")]
    [InlineData("my-model.v2", "MyModelV2")]
    [InlineData("my model", "MyModel")]
    [InlineData("my_model", "My_model")]
    [InlineData("2stage", "_2stage")]
    [InlineData("2nd-model.v1", "_2ndModelV1")]
    [InlineData("class", "Class")]
    [InlineData("int", "Int")]
    [InlineData("modèle", "Modèle")]
    [InlineData("mode\u0300le", "Modèle")] // decomposed, as macOS file names are
    [InlineData("モデル", "モデル")]
    [InlineData("classifier.en", "ClassifierEn")]
    [InlineData("😀", "Model")]
    [InlineData("😀face", "Face")]
    [InlineData("---", "Model")]
    [InlineData("_", "Model")]
    [InlineData("", "Model")]
    [InlineData("a\u200Bb", "AB")] // a zero-width space would make two names the compiler sees as one
    public void File_names_become_valid_type_names(string fileName, string expected)
    {
        var name = CSharpIdentifier.ToTypeName(fileName);

        Assert.Equal(expected, name);
        Assert.True(CSharpIdentifier.IsValid(name), name);
    }

    [Theory]
    [InlineData("Consumer", "Consumer")]
    [InlineData("My.App", "My.App")]
    [InlineData("my-app", "my_app")]
    [InlineData("1App.Core", "_1App.Core")]
    [InlineData("Company.event", "Company.@event")]
    [InlineData("My App", "My_App")]
    [InlineData("", "")]
    public void Root_namespaces_keep_their_case_and_become_valid(string rootNamespace, string expected)
    {
        Assert.Equal(expected, CSharpIdentifier.ToNamespace(rootNamespace));
    }

    [Theory]
    [InlineData("PrunedModels", true)]
    [InlineData("_Models", true)]
    [InlineData("Modèle", true)]
    [InlineData("class", false)]
    [InlineData("2Models", false)]
    [InlineData("My-Models", false)]
    [InlineData("@class", false)]
    [InlineData("_", false)]
    [InlineData("", false)]
    public void User_written_names_are_checked(string name, bool valid)
    {
        Assert.Equal(valid, CSharpIdentifier.IsValid(name));
    }

    [Fact]
    public void Colliding_names_are_numbered_by_path_whatever_the_item_order()
    {
        var a = new AccessorNameRequest("Models/a-b.onnx", "a-b", null);
        var b = new AccessorNameRequest("Models/a.b.onnx", "a.b", null);
        var c = new AccessorNameRequest("Other/a_b.onnx", "a b", null);

        var collisions = new List<AccessorNameCollision>();
        var forward = AccessorClassNames.Assign(new[] { a, b, c }, "PrunedModels", collisions);
        var backward = AccessorClassNames.Assign(new[] { c, b, a }, "PrunedModels", new List<AccessorNameCollision>());

        Assert.Equal(new[] { "AB", "AB_2", "AB_3" }, forward);
        Assert.Equal(new[] { "AB_3", "AB_2", "AB" }, backward);
        Assert.Equal(new[] { "AB_2", "AB_3" }, collisions.Select(collision => collision.AssignedName));
        Assert.All(collisions, collision => Assert.Equal("Models/a-b.onnx", collision.TakenBy));
    }

    [Fact]
    public void Chosen_names_win_and_generated_members_are_avoided()
    {
        var chosen = new AccessorNameRequest("Models/x.onnx", "x", "Classifier");
        var fromFile = new AccessorNameRequest("Models/classifier.onnx", "classifier", null);
        var member = new AccessorNameRequest("Models/open-model.onnx", "open-model", null);
        var outer = new AccessorNameRequest("Models/pruned-models.onnx", "pruned-models", null);

        var names = AccessorClassNames.Assign(new[] { fromFile, chosen, member, outer }, "PrunedModels", new List<AccessorNameCollision>());

        Assert.Equal(new[] { "Classifier_2", "Classifier", "OpenModel_2", "PrunedModels_2" }, names);
        Assert.False(AccessorClassNames.IsUsable("ReadReport", "PrunedModels"));
        Assert.False(AccessorClassNames.IsUsable("PrunedModels", "PrunedModels"));
        Assert.True(AccessorClassNames.IsUsable("Digits", "PrunedModels"));
    }

    [Fact]
    public void Literals_and_comments_cannot_break_out_of_the_generated_code()
    {
        Assert.Equal("\"a\\\"b\\\\c\\u000ad\"", AccessorSourceWriter.Literal("a\"b\\c\nd"));
        Assert.Equal("a?b &lt;c&gt; &amp;", AccessorSourceWriter.Comment("a\nb <c> &"));
    }

    [Fact]
    public void Summary_values_are_unescaped_and_unknown_keys_ignored()
    {
        var summary = ModelSummary.Parse("schema=modelprune.summary/1\nmethod=magnitude\noriginalFileName=a\\nb\\\\c.onnx\nfutureKey=1\nsparsity=1E-05\n");

        Assert.Equal("magnitude", summary.Text("method"));
        Assert.Equal("a\nb\\c.onnx", summary.Text("originalFileName"));
        Assert.Equal("1E-05", summary.Number("sparsity"));
        Assert.Throws<FormatException>(() => summary.Text("missing"));
        Assert.Throws<FormatException>(() => ModelSummary.Parse("schema=modelprune.summary/9\n"));
    }
}
