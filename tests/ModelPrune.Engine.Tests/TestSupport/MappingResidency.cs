namespace ModelPrune.Engine.Tests.TestSupport;

/// <summary>How much of a mapped file is resident, from /proc/self/smaps (Linux only).</summary>
public static class MappingResidency
{
    /// <summary>The resident bytes of the mapping <paramref name="memory"/> lies in (its Rss line).</summary>
    public static unsafe long ResidentBytes(ReadOnlyMemory<byte> memory)
    {
        using var pin = memory.Pin();
        var address = (ulong)pin.Pointer;
        var inMapping = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var range = line.Split(' ')[0].Split('-');
            if (range.Length == 2 && ulong.TryParse(range[0], System.Globalization.NumberStyles.HexNumber, null, out var from)
                && ulong.TryParse(range[1], System.Globalization.NumberStyles.HexNumber, null, out var to))
            {
                inMapping = address >= from && address < to;
            }
            else if (inMapping && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("the mapping is not in /proc/self/smaps");
    }
}
