using System.CommandLine;
using Meshwork.Platform;
using Meshwork.Platform.Serving;

namespace Meshwork.Cli;

/// <summary>
/// The platform a verb runs on, composed for each invocation with the store its <c>--store</c> names (else
/// <c>MESHWORK_STORE</c>, else the data folder's SQLite file: <see cref="MeshworkBuilder.UseConfiguredStore"/>).
/// </summary>
internal sealed class PlatformSource(TimeProvider time, Option<string?> store)
{
    /// <summary>The store <c>--store</c> names, or null (a server given it falls back as this does).</summary>
    public string? Store(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return parseResult.GetValue(store);
    }

    public MeshworkPlatform For(ParseResult parseResult) => MeshworkPlatform.Create(m => m.UseTime(time).UseConfiguredStore(Store(parseResult)));

    /// <summary>The applied mesh of the data folder the verb's <c>--data</c> (<see cref="Commands.CommonOptions.AppliedData"/>) names, served in this process.</summary>
    public Task<ServedMesh> ServeAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        For(parseResult).ServeAsync(new ServeOptions { DataFolder = Path.GetFullPath(parseResult.GetRequiredValue<string>("--data")) }, cancellationToken);
}
