namespace Meshwork.Platform.Store;

/// <summary>
/// The metadata store plug-in point (DESIGN.md §5): where the platform's state lives for a data folder. One
/// implementation per store (SQLite, the embedded default; PostgreSQL for several processes on one state), chosen in one place, <c>AddMeshwork</c>.
/// </summary>
public interface IMetadataStoreProvider
{
    /// <summary>The store's name, as <c>--store</c> will write it (<c>sqlite</c>, <c>postgres</c>).</summary>
    string Name { get; }

    /// <summary>Whether processes on several machines can use the store at once, as the nodes of a cluster must.</summary>
    bool SharedByMachines { get; }

    /// <summary>Whether anything was ever applied with this store for <paramref name="dataFolder"/>.</summary>
    bool Exists(string dataFolder);

    /// <summary>Opens (and creates or migrates) the store of <paramref name="dataFolder"/>.</summary>
    Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default);
}
