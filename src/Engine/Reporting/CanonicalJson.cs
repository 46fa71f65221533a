using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ModelPrune.Engine.Reporting;

/// <summary>
/// The one JSON form ModelPrune writes: UTF-8 without BOM, 2-space indent, <c>\n</c> line endings on every
/// OS, a trailing newline, nulls left out. Identical objects give identical bytes, which is what lets the
/// report be committed and diffed.
/// </summary>
internal static class CanonicalJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        TypeInfoResolver = ReportJsonContext.Default,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Model and layer names are often non-ASCII or contain '+' and '<'; escaping them would make the
        // report unreadable, and it is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        Converters = { new FiniteDoubleConverter() },
    };

    public static byte[] Serialize<T>(T value)
    {
        var typeInfo = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

        // .NET 8's writer indents with Environment.NewLine. String contents never hold a raw CR (it is
        // escaped as \r), so every CR byte is an indentation line break.
        var result = new List<byte>(bytes.Length + 1);
        foreach (var b in bytes)
        {
            if (b != (byte)'\r')
            {
                result.Add(b);
            }
        }

        result.Add((byte)'\n');
        return result.ToArray();
    }

    /// <summary>Throws <see cref="JsonException"/> for malformed JSON, unknown properties or a missing required value.</summary>
    public static T Deserialize<T>(byte[] json)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(json);
        var typeInfo = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
        var value = JsonSerializer.Deserialize(json, typeInfo) ?? throw new JsonException($"The JSON holds null instead of a {typeof(T).Name}.");
        RequireNonNull(value, typeof(T).Name);
        return value;
    }

    /// <summary>
    /// .NET 8 fills a missing constructor parameter with null even where the record says non-nullable; a
    /// truncated or hand-edited cache entry must fail here, not as a NullReferenceException later.
    /// </summary>
    private static void RequireNonNull(object value, string path)
    {
        var context = new NullabilityInfoContext();
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract")
            {
                continue;
            }

            var nullability = context.Create(property);
            var propertyValue = property.GetValue(value);
            var propertyPath = $"{path}.{property.Name}";
            if (propertyValue is null)
            {
                if (nullability.ReadState == NullabilityState.NotNull)
                {
                    throw new JsonException($"'{propertyPath}' is missing.");
                }

                continue;
            }

            CheckValue(propertyValue, nullability, propertyPath);
        }
    }

    private static void CheckValue(object value, NullabilityInfo nullability, string path)
    {
        if (value is string || value.GetType().IsValueType)
        {
            return;
        }

        if (value is System.Collections.IEnumerable items)
        {
            var elementNullability = nullability.GenericTypeArguments.Length == 1 ? nullability.GenericTypeArguments[0] : null;
            var index = 0;
            foreach (var item in items)
            {
                var itemPath = $"{path}[{index++}]";
                if (item is null)
                {
                    if (elementNullability?.ReadState == NullabilityState.NotNull)
                    {
                        throw new JsonException($"'{itemPath}' is null.");
                    }

                    continue;
                }

                if (elementNullability is not null)
                {
                    CheckValue(item, elementNullability, itemPath);
                }
            }

            return;
        }

        RequireNonNull(value, path);
    }
}
