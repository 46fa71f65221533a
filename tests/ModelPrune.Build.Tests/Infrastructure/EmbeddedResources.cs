using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ModelPrune.Build.Tests.Infrastructure;

/// <summary>Reads an assembly's manifest resources from the file, without loading the assembly.</summary>
public static class EmbeddedResources
{
    public static IReadOnlyDictionary<string, byte[]> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var resources = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (!resource.Implementation.IsNil)
            {
                // Linked from another file: not something ModelPrune produces.
                resources[name] = Array.Empty<byte>();
                continue;
            }

            // Each embedded resource is a 4-byte little-endian length followed by the bytes.
            var section = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            resources[name] = reader.ReadBytes(length);
        }

        return resources;
    }
}
