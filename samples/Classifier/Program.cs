using System.Reflection;
using System.Text.Json;

// Shows what ModelPrune.Build put into this assembly: the pruned model and its report.
var assembly = Assembly.GetExecutingAssembly();

Console.WriteLine("Embedded resources:");
foreach (var name in assembly.GetManifestResourceNames().Order(StringComparer.Ordinal))
{
    using var resource = assembly.GetManifestResourceStream(name)!;
    Console.WriteLine($"  {name} ({resource.Length:N0} bytes)");
}

using var reportStream = assembly.GetManifestResourceStream("classifier.prune.json");
if (reportStream is null)
{
    Console.Error.WriteLine("classifier.prune.json is not embedded: was the project built with ModelPrune.Build?");
    return 1;
}

using var report = JsonDocument.Parse(reportStream);
Console.WriteLine();
Console.WriteLine("Report totals (classifier.prune.json):");
foreach (var total in report.RootElement.GetProperty("totals").EnumerateObject())
{
    Console.WriteLine($"  {total.Name}: {total.Value}");
}

return 0;
