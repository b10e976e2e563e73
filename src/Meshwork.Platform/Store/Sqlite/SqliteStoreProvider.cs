namespace Meshwork.Platform.Store.Sqlite;

/// <summary>The embedded default: one SQLite file in the data folder (<c>meshwork.db</c>).</summary>
public sealed class SqliteStoreProvider : IMetadataStoreProvider
{
    public string Name => "sqlite";

    public bool Exists(string dataFolder) => SqliteMetadataStore.Exists(dataFolder);

    public async Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default) =>
        await SqliteMetadataStore.OpenAsync(dataFolder, time, cancellationToken).ConfigureAwait(false);
}
