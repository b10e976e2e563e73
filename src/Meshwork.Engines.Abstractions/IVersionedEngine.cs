namespace Meshwork.Engines;

/// <summary>
/// An engine that also keeps each published dataset version as a table in its own database (PostgreSQL), beside the
/// snapshot every engine writes, so the domain's data stays where the domain works. The platform decides which version
/// is current and when one has expired; the engine follows: a new version is written first, becomes current in one
/// transaction once the platform's pointers moved (readers of the database see the old version or the new one, never
/// half), and is dropped when the platform forgets its snapshot.
/// </summary>
public interface IVersionedEngine
{
    /// <summary>Writes <paramref name="relation"/> as version <paramref name="version"/> of the dataset <paramref name="address"/>; it is not current yet.</summary>
    Task PublishVersionAsync(string relation, string address, string version, CancellationToken cancellationToken = default);

    /// <summary>Makes each given version current for its dataset, all in one transaction.</summary>
    Task MakeCurrentAsync(IReadOnlyList<DatasetVersion> versions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes version <paramref name="version"/> of <paramref name="from"/>'s dataset as a copy of <paramref name="from"/>'s
    /// table without the rows <paramref name="remove"/> is true for (privacy: retention, erasure); it is not current yet.
    /// Returns false, writing nothing, when the engine holds no table of <paramref name="from"/>.
    /// <paramref name="key"/> keys <see cref="Ir.FilterKeyedHash"/>.
    /// </summary>
    Task<bool> CopyVersionAsync(DatasetVersion from, string version, Ir.FilterExpr remove, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops the given versions' tables now, even while reads are on them (those reads fail): their rows must not
    /// outlive the call (privacy: a rewritten version's original). A version that is current is kept; those already gone
    /// are ignored.
    /// </summary>
    Task EraseVersionsAsync(IReadOnlyList<DatasetVersion> versions, CancellationToken cancellationToken = default);

    /// <summary>Drops the given versions' tables (those already gone are ignored).</summary>
    Task DropVersionsAsync(IReadOnlyList<DatasetVersion> versions, CancellationToken cancellationToken = default);
}

/// <summary>One published version of a dataset: its address and the version its snapshot folder is named by.</summary>
public sealed record DatasetVersion(string Address, string Version);
