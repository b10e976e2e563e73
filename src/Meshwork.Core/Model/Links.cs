using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>A URL a specification gives people to follow (<c>support[0].url</c>), with where its value is written.</summary>
public sealed record LinkField(string Field, string Url, SourceLocation Location);

/// <summary>
/// Which URLs from specifications may become links people click: http and https with a host, and mailto. Any other
/// scheme can run script or open something local when clicked (<c>javascript:</c>, <c>data:</c>, <c>vbscript:</c>,
/// <c>file:</c>), and browsers skip whitespace and control characters around and inside a scheme, so a URL holding
/// any of them is refused rather than cleaned. Lint refuses the rest; the UI shows it as text.
/// </summary>
public static class Links
{
    public static bool IsSafe(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        var colon = url.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false; // relative, or no scheme at all
        }

        var scheme = url[..colon];
        if (scheme.Equals("mailto", StringComparison.OrdinalIgnoreCase))
        {
            return url.Length > colon + 1;
        }

        return (scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
            && url.AsSpan(colon + 1).StartsWith("//", StringComparison.Ordinal)
            && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0;
    }
}
