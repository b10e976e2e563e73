namespace Meshwork.Platform.Store.Postgres;

/// <summary>Cluster membership (<see cref="IClusterMembership"/>): the version row is locked first, so the writers of one cluster take turns.</summary>
public sealed partial class PostgresMetadataStore
{
    public Task InitializeClusterAsync(string clusterId, CancellationToken cancellationToken = default) =>
        InTransactionAsync(connection => ExecuteAsync(connection, "INSERT INTO cluster_versions (cluster_id, version, etag) VALUES (@cluster, 0, @etag) ON CONFLICT (cluster_id) DO NOTHING",
            cancellationToken, ("cluster", clusterId), ("etag", NewEtag())), cancellationToken);

    public Task<ClusterView> ReadClusterAsync(string clusterId, string? node = null, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            var version = (await QueryAsync(connection, "SELECT version, etag FROM cluster_versions WHERE cluster_id = @cluster",
                r => (Version: r.GetInt32(0), Etag: r.GetString(1)), cancellationToken, ("cluster", clusterId)).ConfigureAwait(false)).FirstOrDefault();
            var members = await QueryAsync(connection,
                "SELECT node, status, i_am_alive, entry, etag FROM cluster_members WHERE cluster_id = @cluster AND (@node::text IS NULL OR node = @node::text) ORDER BY node",
                r => new MembershipRow(r.GetString(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.GetString(3), r.GetString(4)),
                cancellationToken, ("cluster", clusterId), ("node", node)).ConfigureAwait(false);
            return new ClusterView(members, version.Version, version.Etag ?? string.Empty);
        }, cancellationToken);

    public Task<bool> InsertMemberAsync(string clusterId, MembershipRow member, int version, string versionEtag, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            ArgumentNullException.ThrowIfNull(member);
            if (!await VersionIsAsync(connection, clusterId, versionEtag, cancellationToken).ConfigureAwait(false)
                || (await QueryAsync(connection, "SELECT 1 FROM cluster_members WHERE cluster_id = @cluster AND node = @node", r => r.GetInt32(0), cancellationToken,
                    ("cluster", clusterId), ("node", member.Node)).ConfigureAwait(false)).Count > 0)
            {
                return false;
            }

            await ExecuteAsync(connection, "INSERT INTO cluster_members (cluster_id, node, status, i_am_alive, entry, etag) VALUES (@cluster, @node, @status, @alive, @entry, @etag)",
                cancellationToken, ("cluster", clusterId), ("node", member.Node), ("status", member.Status), ("alive", member.IAmAlive), ("entry", member.Entry), ("etag", NewEtag())).ConfigureAwait(false);
            await BumpVersionAsync(connection, clusterId, version, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> UpdateMemberAsync(string clusterId, MembershipRow member, string etag, int version, string versionEtag, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            ArgumentNullException.ThrowIfNull(member);
            if (!await VersionIsAsync(connection, clusterId, versionEtag, cancellationToken).ConfigureAwait(false)
                || await ExecuteAsync(connection,
                    "UPDATE cluster_members SET status = @status, i_am_alive = @alive, entry = @entry, etag = @new WHERE cluster_id = @cluster AND node = @node AND etag = @etag",
                    cancellationToken, ("status", member.Status), ("alive", member.IAmAlive), ("entry", member.Entry), ("new", NewEtag()), ("cluster", clusterId),
                    ("node", member.Node), ("etag", etag)).ConfigureAwait(false) == 0)
            {
                return false;
            }

            await BumpVersionAsync(connection, clusterId, version, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task UpdateIAmAliveAsync(string clusterId, string node, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        InTransactionAsync(connection => ExecuteAsync(connection, "UPDATE cluster_members SET i_am_alive = @alive WHERE cluster_id = @cluster AND node = @node",
            cancellationToken, ("alive", at), ("cluster", clusterId), ("node", node)), cancellationToken);

    public Task<int> RemoveDefunctMembersAsync(string clusterId, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        InTransactionAsync(connection => ExecuteAsync(connection, "DELETE FROM cluster_members WHERE cluster_id = @cluster AND status = @dead AND i_am_alive < @before",
            cancellationToken, ("cluster", clusterId), ("dead", MembershipRow.Dead), ("before", before)), cancellationToken);

    public Task DeleteClusterAsync(string clusterId, CancellationToken cancellationToken = default) =>
        InTransactionAsync(connection => ExecuteAsync(connection, "DELETE FROM cluster_versions WHERE cluster_id = @cluster", cancellationToken, ("cluster", clusterId)),
            cancellationToken);

    /// <summary>Locks the cluster's version row and says whether its etag is still the one the writer read.</summary>
    private static async Task<bool> VersionIsAsync(Npgsql.NpgsqlConnection connection, string clusterId, string etag, CancellationToken cancellationToken) =>
        (await QueryAsync(connection, "SELECT etag FROM cluster_versions WHERE cluster_id = @cluster FOR UPDATE", r => r.GetString(0), cancellationToken,
            ("cluster", clusterId)).ConfigureAwait(false)).SingleOrDefault() == etag;

    private static Task<int> BumpVersionAsync(Npgsql.NpgsqlConnection connection, string clusterId, int version, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, "UPDATE cluster_versions SET version = @version, etag = @etag WHERE cluster_id = @cluster", cancellationToken,
            ("version", version), ("etag", NewEtag()), ("cluster", clusterId));

    private static string NewEtag() => Guid.NewGuid().ToString("N");
}
