using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Meshwork.Web;

/// <summary>
/// The UI's assets (its stylesheet and script, and the framework's blazor.web.js) served from resources embedded
/// in this assembly: for hosts without a static web assets manifest, such as a published <c>mesh</c> tool.
/// Revalidated by ETag on every use, since their URLs carry no fingerprint there.
/// </summary>
internal static class EmbeddedAssets
{
    private const string Prefix = "assets/";

    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType, string ETag)> Assets = Load();

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, asset) in Assets)
        {
            endpoints.MapGet("/" + path, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers.ETag = asset.ETag;
                return context.Request.Headers.IfNoneMatch == asset.ETag
                    ? Results.StatusCode(StatusCodes.Status304NotModified)
                    : Results.Bytes(asset.Content, asset.ContentType);
            }).AllowAnonymous().ExcludeFromDescription();
        }
    }

    private static FrozenDictionary<string, (byte[], string, string)> Load()
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var assets = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            assets[name[Prefix.Length..]] = (content, type, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"").ToString());
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
