namespace Meshwork.Platform.Store.Sqlite;

/// <summary>
/// The embedded default: one SQLite file, <c>meshwork.db</c> in the data folder, or the file a connection
/// <c>sqlite:PATH</c> names.
/// </summary>
public sealed class SqliteStoreProvider(string? file = null) : IMetadataStoreProvider
{
    public string Name => "sqlite";

    public bool Exists(string dataFolder) => file is null ? SqliteMetadataStore.Exists(dataFolder) : File.Exists(file);

    public async Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default) => file is null
        ? await SqliteMetadataStore.OpenAsync(dataFolder, time, cancellationToken).ConfigureAwait(false)
        : await SqliteMetadataStore.OpenFileAsync(file, time, cancellationToken).ConfigureAwait(false);
}
