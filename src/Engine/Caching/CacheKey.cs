using System.Security.Cryptography;
using System.Text;

namespace ModelPrune.Engine.Caching;

/// <summary>SHA-256 of everything that decides the result: model content, normalised settings, engine version.</summary>
internal static class CacheKey
{
    public static string Compute(string modelContentSha256, string canonicalSettings, string engineVersion)
    {
        var text = $"modelprune-cache/1\nengine={engineVersion}\nmodel={modelContentSha256}\n{canonicalSettings}\n";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }
}
