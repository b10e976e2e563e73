namespace Meshwork.Platform.Store;

/// <summary>
/// A cluster's membership kept in the store, as Orleans' membership protocol needs it (its <c>IMembershipTable</c>
/// sits on this): one row per node (silo) and one version per cluster, and every write is conditional. A write names
/// the version's etag it read and the version it makes; it happens only when that etag is still current (and, for an
/// update, the row's etag too), so two nodes that read the same view cannot both change it. Beside that, a node's
/// "I am alive" time is written without any condition, and dead nodes' rows are removed after a while.
/// </summary>
public interface IClusterMembership
{
    /// <summary>Creates the cluster's version (0) when it has none; a cluster that has one is left as it is.</summary>
    Task InitializeClusterAsync(string clusterId, CancellationToken cancellationToken = default);

    /// <summary>The cluster's members (the one named by <paramref name="node"/>, or all) and its version.</summary>
    Task<ClusterView> ReadClusterAsync(string clusterId, string? node = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a member when the cluster has none of that name and its version's etag is still <paramref name="versionEtag"/>;
    /// the version becomes <paramref name="version"/>. False when either is not so (nothing written).
    /// </summary>
    Task<bool> InsertMemberAsync(string clusterId, MembershipRow member, int version, string versionEtag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a member when its etag is still <paramref name="etag"/> and the version's is still
    /// <paramref name="versionEtag"/>; the version becomes <paramref name="version"/>. False when either is not so.
    /// </summary>
    Task<bool> UpdateMemberAsync(string clusterId, MembershipRow member, string etag, int version, string versionEtag, CancellationToken cancellationToken = default);

    /// <summary>Records that a member is alive now (no etag changes: this is not a change of the view).</summary>
    Task UpdateIAmAliveAsync(string clusterId, string node, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Removes the members that are dead and were last alive before <paramref name="before"/>; how many.</summary>
    Task<int> RemoveDefunctMembersAsync(string clusterId, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Removes the cluster's members and version.</summary>
    Task DeleteClusterAsync(string clusterId, CancellationToken cancellationToken = default);
}

/// <summary>
/// One member as the store keeps it: its name (Orleans' silo address), its status (<see cref="Dead"/> marks one that may
/// be removed), when it was last alive, the membership entry as its owner serialized it, and the etag of that row.
/// </summary>
public sealed record MembershipRow(string Node, string Status, DateTimeOffset IAmAlive, string Entry, string ETag = "")
{
    public const string Dead = "Dead";
}

/// <summary>A cluster's members and its version, as read in one transaction.</summary>
public sealed record ClusterView(IReadOnlyList<MembershipRow> Members, int Version, string VersionEtag);
