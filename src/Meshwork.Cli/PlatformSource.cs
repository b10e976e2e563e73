using System.CommandLine;
using Meshwork.Platform;

namespace Meshwork.Cli;

/// <summary>
/// The platform a verb runs on, composed for each invocation: the metadata store is the one <c>--store</c> names,
/// else <c>MESHWORK_STORE</c>, else the data folder's SQLite file.
/// </summary>
internal sealed class PlatformSource(TimeProvider time, Option<string?> store)
{
    /// <summary>The environment variable that names the store when <c>--store</c> does not.</summary>
    public const string StoreVariable = "MESHWORK_STORE";

    /// <summary>The store connection of this invocation, or null for the default.</summary>
    public string? Store(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return parseResult.GetValue(store) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable(StoreVariable);
    }

    public MeshworkPlatform For(ParseResult parseResult) => MeshworkPlatform.Create(m => m.UseTime(time).UseStore(Store(parseResult)));
}
