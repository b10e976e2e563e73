using Npgsql;

namespace Meshwork.Platform.Store.Postgres;

/// <summary>Erasure requests and the suppression list (<see cref="IErasureStore"/>), and snapshots rewritten by privacy jobs.</summary>
public sealed partial class PostgresMetadataStore
{
    private const string ErasureColumns = "id, subject_hash, reason, requested_by, status, requested_at, completed_at, report";

    private static ErasureRecord ReadErasure(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r, 5), NullableTime(r, 6), r.GetString(7));

    public Task CreateErasureAsync(ErasureRecord erasure, CancellationToken cancellationToken = default) => InTransactionAsync(connection =>
    {
        ArgumentNullException.ThrowIfNull(erasure);
        return ExecuteAsync(connection, $"INSERT INTO erasures ({ErasureColumns}) VALUES (@id, @subject, @reason, @by, @status, @at, @completed, @report)", cancellationToken,
            ("id", erasure.Id), ("subject", erasure.SubjectHash), ("reason", erasure.Reason), ("by", erasure.RequestedBy), ("status", erasure.Status),
            ("at", erasure.RequestedAt), ("completed", erasure.CompletedAt), ("report", erasure.Report));
    }, cancellationToken);

    public async Task<ErasureRecord?> GetErasureAsync(string id, CancellationToken cancellationToken = default) =>
        (await WithConnectionAsync(connection => QueryAsync(connection, $"SELECT {ErasureColumns} FROM erasures WHERE id = @id", ReadErasure, cancellationToken, ("id", id)),
            cancellationToken).ConfigureAwait(false)) is [var found] ? found : null;

    public async Task<IReadOnlyList<ErasureRecord>> ListErasuresAsync(int limit, CancellationToken cancellationToken = default) =>
        await WithConnectionAsync(connection => QueryAsync(connection, $"SELECT {ErasureColumns} FROM erasures ORDER BY requested_at DESC, id LIMIT @limit", ReadErasure,
            cancellationToken, ("limit", limit)), cancellationToken).ConfigureAwait(false);

    public async Task<ErasureRecord?> FindOpenErasureAsync(string subjectHash, CancellationToken cancellationToken = default) =>
        (await WithConnectionAsync(connection => QueryAsync(connection,
            $"SELECT {ErasureColumns} FROM erasures WHERE subject_hash = @subject AND status <> 'completed' ORDER BY requested_at DESC, id LIMIT 1", ReadErasure, cancellationToken,
            ("subject", subjectHash)), cancellationToken).ConfigureAwait(false)) is [var found] ? found : null;

    public Task UpdateErasureAsync(string id, string status, string report, DateTimeOffset? completedAt, CancellationToken cancellationToken = default) =>
        InTransactionAsync(connection => ExecuteAsync(connection, "UPDATE erasures SET status = @status, report = @report, completed_at = @completed WHERE id = @id",
            cancellationToken, ("status", status), ("report", report), ("completed", completedAt), ("id", id)), cancellationToken);

    public async Task<IReadOnlyList<string>> GetSuppressedSubjectsAsync(CancellationToken cancellationToken = default) =>
        await WithConnectionAsync(connection => QueryAsync(connection, "SELECT DISTINCT subject_hash FROM erasures ORDER BY subject_hash", r => r.GetString(0), cancellationToken),
            cancellationToken).ConfigureAwait(false);

    public Task ReplaceSnapshotsAsync(string productKey, string runId, IReadOnlyList<SnapshotReplacement> replacements, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            ArgumentNullException.ThrowIfNull(replacements);
            // Fenced as a publish is; the share lock keeps a takeover waiting until this commits.
            if ((await QueryAsync(connection, "SELECT 1 FROM leases WHERE product_key = @product AND run_id = @run FOR SHARE", r => r.GetInt32(0), cancellationToken,
                ("product", productKey), ("run", runId)).ConfigureAwait(false)).Count == 0)
            {
                throw new LeaseLostException(productKey, runId);
            }

            foreach (var replacement in replacements)
            {
                var replaced = await ExecuteAsync(connection, """
                    UPDATE snapshots SET snapshot = @new, quarantine_snapshot = @quarantine, rows = @rows, quarantined = @quarantined
                    WHERE address = @address AND snapshot = @old
                    """, cancellationToken, ("new", replacement.NewSnapshot), ("quarantine", replacement.NewQuarantineSnapshot), ("rows", replacement.Rows),
                    ("quarantined", replacement.Quarantined), ("address", replacement.Address), ("old", replacement.Snapshot)).ConfigureAwait(false);
                if (replaced != 1)
                {
                    throw new InvalidOperationException($"Snapshot '{replacement.Snapshot}' of '{replacement.Address}' is no longer listed; nothing was replaced.");
                }

                await ExecuteAsync(connection, "UPDATE datasets SET current_snapshot = @new WHERE address = @address AND current_snapshot = @old", cancellationToken,
                    ("new", replacement.NewSnapshot), ("address", replacement.Address), ("old", replacement.Snapshot)).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
}
