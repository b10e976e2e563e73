namespace Meshwork.Platform.Store.Sqlite;

/// <summary>
/// The embedded default: one SQLite file, <c>meshwork.db</c> in the data folder, or the file a connection
/// <c>sqlite:PATH</c> names. <paramref name="auditKey"/> keys the audit chain (given by the composition root); a
/// store opened without it reads but never appends to the chain.
/// </summary>
public sealed class SqliteStoreProvider(string? file = null, AuditKeySource? auditKey = null) : IMetadataStoreProvider
{
    public string Name => "sqlite";

    public bool SharedByMachines => false;

    public bool Exists(string dataFolder) => file is null ? SqliteMetadataStore.Exists(dataFolder) : File.Exists(file);

    public async Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default)
    {
        Func<byte[]>? key = auditKey is null ? null : () => auditKey(dataFolder);
        return file is null
            ? await SqliteMetadataStore.OpenAsync(dataFolder, time, key, cancellationToken).ConfigureAwait(false)
            : await SqliteMetadataStore.OpenFileAsync(file, time, key, cancellationToken).ConfigureAwait(false);
    }
}
