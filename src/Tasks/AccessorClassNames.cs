using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ModelPrune.Tasks;

/// <summary>
/// Gives every model a distinct nested class name. Names users chose (AccessorName) are kept as written;
/// names from file names are claimed in order of the models' project-relative paths, so the same set of
/// models always gets the same names whatever order the items were listed in, and a later one that
/// collides gets <c>_2</c>, <c>_3</c>, ...
/// </summary>
internal static class AccessorClassNames
{
    /// <summary>
    /// Names the generated code itself uses inside the outer class and inside each model class: a nested
    /// class may not share its name with a member of the class it is in, nor with that class itself.
    /// </summary>
    public static readonly IReadOnlyList<string> GeneratedMemberNames = new[]
    {
        AccessorSourceWriter.ReportTypeName, AccessorSourceWriter.OutputTypeName, AccessorSourceWriter.OpenResourceMethodName,
        "ModelResourceName", "ReportResourceName", "OpenModel", "OpenReport", "ReadReport", AccessorSourceWriter.SummaryFieldName,
    };

    /// <summary>Whether a user's AccessorName can be used as it is.</summary>
    public static bool IsUsable(string name, string outerClassName) =>
        CSharpIdentifier.IsValid(name) && !IsReserved(name, outerClassName);

    public static string[] Assign(IReadOnlyList<AccessorNameRequest> requests, string outerClassName, List<AccessorNameCollision> collisions)
    {
        var names = new string[requests.Count];
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].ExplicitName is { } chosen)
            {
                names[i] = chosen;
                owners[chosen] = requests[i].DisplayName;
            }
        }

        var byPath = Enumerable.Range(0, requests.Count)
            .Where(i => requests[i].ExplicitName == null)
            .OrderBy(i => requests[i].DisplayName, StringComparer.Ordinal);
        foreach (var i in byPath)
        {
            var wanted = requests[i].BaseName;
            var name = wanted;
            for (var suffix = 2; owners.ContainsKey(name) || IsReserved(name, outerClassName); suffix++)
            {
                name = wanted + "_" + suffix.ToString(CultureInfo.InvariantCulture);
            }

            if (owners.TryGetValue(wanted, out var owner))
            {
                collisions.Add(new AccessorNameCollision(requests[i], owner, name));
            }

            names[i] = name;
            owners[name] = requests[i].DisplayName;
        }

        return names;
    }

    private static bool IsReserved(string name, string outerClassName) =>
        name == outerClassName || GeneratedMemberNames.Contains(name, StringComparer.Ordinal);
}
