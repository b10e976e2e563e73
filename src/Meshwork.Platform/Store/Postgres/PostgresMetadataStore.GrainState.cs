namespace Meshwork.Platform.Store.Postgres;

/// <summary>Grains' persisted state (<see cref="IGrainStateStore"/>).</summary>
public sealed partial class PostgresMetadataStore
{
    public async Task<StoredGrainState?> ReadGrainStateAsync(string grain, string name, CancellationToken cancellationToken = default) =>
        (await WithConnectionAsync(connection => QueryAsync(connection, "SELECT grain, name, state, etag FROM grain_state WHERE grain = @grain AND name = @name",
            r => new StoredGrainState(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)), cancellationToken, ("grain", grain), ("name", name)),
            cancellationToken).ConfigureAwait(false)) is [var found] ? found : null;

    public Task<string?> WriteGrainStateAsync(string grain, string name, string state, string? etag, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            var next = Guid.NewGuid().ToString("N");
            var written = await ExecuteAsync(connection, etag is null
                ? "INSERT INTO grain_state (grain, name, state, etag) VALUES (@grain, @name, @state, @next) ON CONFLICT (grain, name) DO NOTHING"
                : "UPDATE grain_state SET state = @state, etag = @next WHERE grain = @grain AND name = @name AND etag = @etag",
                cancellationToken, ("grain", grain), ("name", name), ("state", state), ("next", next), ("etag", etag)).ConfigureAwait(false);
            return written == 1 ? next : null;
        }, cancellationToken);

    public Task<bool> ClearGrainStateAsync(string grain, string name, string? etag, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => etag is null
            ? (await QueryAsync(connection, "SELECT 1 FROM grain_state WHERE grain = @grain AND name = @name", r => r.GetInt32(0), cancellationToken,
                ("grain", grain), ("name", name)).ConfigureAwait(false)).Count == 0
            : await ExecuteAsync(connection, "DELETE FROM grain_state WHERE grain = @grain AND name = @name AND etag = @etag",
                cancellationToken, ("grain", grain), ("name", name), ("etag", etag)).ConfigureAwait(false) == 1, cancellationToken);
}
