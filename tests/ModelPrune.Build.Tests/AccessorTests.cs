using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelPrune.Build.Tests.Infrastructure;

namespace ModelPrune.Build.Tests;

/// <summary>
/// The generated PrunedModels class through a real build: it compiles, runs, names odd files sensibly, leaves
/// Embed="false" models out, is not rewritten by a no-op build, and follows the naming properties.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class AccessorTests
{
    private const string GeneratedFileName = "ModelPrune.PrunedModels.g.cs";

    private readonly PackageFixture _package;
    private readonly ITestOutputHelper _log;

    public AccessorTests(PackageFixture package, ITestOutputHelper log)
    {
        _package = package;
        _log = log;
    }

    [Fact]
    public void A_console_app_opens_its_pruned_model_and_report_through_the_accessor()
    {
        var project = ConsumerProject.Create(_package, _log, "AccessorApp");
        project.WithProperties("<OutputType>Exe</OutputType>");
        foreach (var name in new[] { "classifier", "2nd-model.v1", "my model", "class", "modèle", "a-b", "a.b", "copied" })
        {
            project.AddFile($"Models/{name}.onnx", TestModels.Classifier);
        }

        project.WithItems("""
            <PruneModel Include="Models/*.onnx" Exclude="Models/copied.onnx" Sparsity="0.5" />
            <PruneModel Include="Models/copied.onnx" Sparsity="0.5" Embed="false" />
            """);
        project.AddFile("Program.cs", Encoding.UTF8.GetBytes("""
            using System;
            using System.Security.Cryptography;
            using AccessorApp;

            var report = PrunedModels.Classifier.ReadReport();
            Console.WriteLine("method=" + report.Method);
            Console.WriteLine("sparsity=" + report.PrunableSparsity.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Console.WriteLine("resource=" + PrunedModels.Classifier.ModelResourceName);
            Console.WriteLine("report-resource=" + PrunedModels.Classifier.ReportResourceName);
            using (var model = PrunedModels.Classifier.OpenModel())
            using (var sha = SHA256.Create())
            {
                Console.WriteLine("model-sha256=" + Convert.ToHexString(sha.ComputeHash(model)).ToLowerInvariant());
            }
            Console.WriteLine("report-sha256=" + report.PrunedSha256);
            using (var json = PrunedModels.Classifier.OpenReport())
            {
                Console.WriteLine("report-bytes=" + (json.Length > 0));
            }
            Console.WriteLine("top1=" + (report.Outputs[0].Top1Agreement.HasValue ? "yes" : "no"));
            Console.WriteLine("odd=" + string.Join(",", PrunedModels._2ndModelV1.ModelResourceName, PrunedModels.MyModel.ModelResourceName,
                PrunedModels.Class.ModelResourceName, PrunedModels.Modèle.ModelResourceName, PrunedModels.AB.ModelResourceName, PrunedModels.AB_2.ModelResourceName));
            Console.WriteLine("summary=" + report);
            """));

        var build = project.Build();

        Assert.True(build.Succeeded, build.ToString());
        // a-b and a.b both make "AB": the later path gets AB_2, and the build says so.
        Assert.Contains(build.Lines, line => line.Contains("warning MP1072", StringComparison.Ordinal) && line.Contains("Models/a.b.onnx", StringComparison.Ordinal)
            && line.Contains("PrunedModels.AB_2", StringComparison.Ordinal));
        var generated = Path.Combine(project.Directory, "obj", "Debug", ConsumerProject.DefaultTargetFramework, GeneratedFileName);
        var source = File.ReadAllText(generated);
        Assert.Contains("namespace AccessorApp", source, StringComparison.Ordinal);
        // Embed="false" puts the model next to the assembly: there is no resource to open.
        Assert.DoesNotContain("copied", source, StringComparison.OrdinalIgnoreCase);

        var run = project.Run(project.OutputAssembly());
        Assert.True(run.Succeeded, run.ToString());
        var printed = run.Lines.Where(line => line.Contains('=')).ToDictionary(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..]);
        Assert.Equal("magnitude", printed["method"]);
        Assert.Equal("0.5", printed["sparsity"]);
        Assert.Equal("classifier.onnx", printed["resource"]);
        Assert.Equal("classifier.prune.json", printed["report-resource"]);
        Assert.Equal(printed["report-sha256"], printed["model-sha256"]);
        Assert.Equal(PrunedModelSha256(project, "classifier"), printed["model-sha256"]);
        Assert.Equal("True", printed["report-bytes"]);
        Assert.Equal("yes", printed["top1"]);
        Assert.Equal("2nd-model.v1.onnx,my model.onnx,class.onnx,modèle.onnx,a-b.onnx,a.b.onnx", printed["odd"]);
        Assert.StartsWith("magnitude, unstructured: 50.0% sparse, 3 layers, ", printed["summary"], StringComparison.Ordinal);

        // Nothing changed: the accessor target is skipped and the file keeps its time (no recompile for it).
        var generatedTime = File.GetLastWriteTimeUtc(generated);
        var second = project.Build("-v:detailed");
        Assert.True(second.Succeeded, second.ToString());
        Assert.DoesNotContain("Task \"WritePrunedModelAccessors\"", second.Output, StringComparison.Ordinal);
        Assert.Equal(generatedTime, File.GetLastWriteTimeUtc(generated));
    }

    /// <summary>
    /// The generated code in the oldest setting the package supports (netstandard2.0, C# 7.3), under another
    /// namespace and class name; changing them regenerates the file without pruning again.
    /// </summary>
    [Fact]
    public void Naming_properties_choose_namespace_and_class_and_the_code_compiles_as_csharp_7_3()
    {
        var project = ConsumerProject.Create(_package, _log, "AccessorNaming");
        project.AddFile("Models/classifier.onnx", TestModels.Classifier);
        project.AddFile("Library.cs", Encoding.UTF8.GetBytes("namespace Consumer\n{\n    public static class Library\n    {\n    }\n}\n"));
        project.WithTargetFrameworks("netstandard2.0");
        project.WithItems("""<PruneModel Include="Models/classifier.onnx" AccessorName="Digits" />""");
        project.WithProperties("""
            <LangVersion>7.3</LangVersion>
            <Nullable>disable</Nullable>
            <ModelPruneAccessorClassName>class</ModelPruneAccessorClassName>
            """);

        var invalid = project.Build();
        Assert.False(invalid.Succeeded, invalid.ToString());
        Assert.Contains(invalid.Lines, line => line.Contains("error MP1070", StringComparison.Ordinal) && line.Contains("'class'", StringComparison.Ordinal));

        project.WithProperties("""
            <LangVersion>7.3</LangVersion>
            <Nullable>disable</Nullable>
            <ModelPruneAccessorNamespace>Custom.Models</ModelPruneAccessorNamespace>
            <ModelPruneAccessorClassName>Embedded</ModelPruneAccessorClassName>
            """);
        project.AddFile("Use.cs", Encoding.UTF8.GetBytes("""
            namespace Consumer
            {
                public static class Use
                {
                    public static string Name { get { return Custom.Models.Embedded.Digits.ModelResourceName; } }

                    public static System.IO.Stream Open() { return Custom.Models.Embedded.Digits.OpenModel(); }

                    public static double Sparsity { get { return Custom.Models.Embedded.Digits.ReadReport().PrunableSparsity; } }
                }
            }
            """));

        var build = project.Build("-v:detailed");

        Assert.True(build.Succeeded, build.ToString());
        Assert.Contains("ModelPrune: Models/classifier.onnx is up to date", build.Output, StringComparison.Ordinal);
        var generated = Path.Combine(project.Directory, "obj", "Debug", "netstandard2.0", GeneratedFileName);
        var source = File.ReadAllText(generated);
        Assert.Contains("namespace Custom.Models", source, StringComparison.Ordinal);
        Assert.Contains("internal static partial class Embedded", source, StringComparison.Ordinal);
        Assert.Contains("internal static class Digits", source, StringComparison.Ordinal);

        // IntelliSense: a design-time build compiles the class from the earlier build's summary; the switch removes it.
        Assert.Contains(generated, DesignTimeCompileItems(project));
        Assert.DoesNotContain(generated, DesignTimeCompileItems(project, "-p:ModelPruneGenerateAccessors=false"));
    }

    /// <summary>The Compile items after the package's accessor target, as a design-time build sees them.</summary>
    private static IReadOnlyList<string> DesignTimeCompileItems(ConsumerProject project, params string[] properties)
    {
        var result = project.Run(new[] { "msbuild", project.ProjectPath, "-nodeReuse:false", "-p:DesignTimeBuild=true",
            "-t:_ModelPruneAddAccessors", "-getItem:Compile" }.Concat(properties).ToArray());
        Assert.True(result.Succeeded, result.ToString());
        using var items = JsonDocument.Parse(result.Output);
        return items.RootElement.GetProperty("Items").GetProperty("Compile").EnumerateArray()
            .Select(item => item.GetProperty("FullPath").GetString() ?? string.Empty)
            .ToArray();
    }

    private static string PrunedModelSha256(ConsumerProject project, string name)
    {
        var pruned = Directory.GetFiles(project.ModelPruneDirectory, name + ".onnx", SearchOption.AllDirectories).Single();
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(pruned))).ToLowerInvariant();
    }
}
