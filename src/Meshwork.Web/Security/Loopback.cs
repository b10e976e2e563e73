using System.Net;

namespace Meshwork.Web.Security;

/// <summary>Whether an address or a listening URL stays on this machine: demo sign-in is for those only.</summary>
public static class Loopback
{
    /// <summary>Whether every URL of <paramref name="urls"/> (<c>;</c>-separated, as <c>--urls</c> takes them) listens on a loopback address only.</summary>
    public static bool OnlyLoopback(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url =>
            Uri.TryCreate(url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.Host == "localhost" || IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
    }

    /// <summary>Whether a connection comes from this machine.</summary>
    public static bool IsLocal(IPAddress? remote) => remote is not null && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
}
