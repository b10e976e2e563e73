using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Meshwork.Engines;
using Meshwork.Platform.Planning;
using Microsoft.Data.Sqlite;

namespace Meshwork.Platform.Store.Sqlite;

/// <summary>
/// The embedded metadata store: one SQLite file in the data folder, in WAL mode so readers never block the
/// writer, migrated to the newest schema when opened. Safe for several processes at once; one instance is
/// safe for concurrent callers (calls are serialized).
/// </summary>
public sealed partial class SqliteMetadataStore : IMetadataStore, IRegistryStore
{
    public const string FileName = "meshwork.db";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>How many registry schemas <see cref="GetSchemaAsync"/> keeps in memory at most.</summary>
    private const int KeptSchemasLimit = 10_000;

    /// <summary>Registry schemas read by id, as completed tasks so that a kept schema is returned without allocating.</summary>
    private readonly ConcurrentDictionary<int, Task<RegisteredSchema?>> _schemas = new();

    private readonly string _path;
    private readonly AuditKeyHolder _auditKey;

    private SqliteMetadataStore(SqliteConnection connection, TimeProvider time, string path, Func<byte[]>? auditKey)
    {
        _connection = connection;
        _time = time;
        _path = path;
        _auditKey = new AuditKeyHolder(auditKey);
    }

    /// <summary>The registry's tables live in the same database: one transaction can span both.</summary>
    public IRegistryStore Registry => this;

    /// <summary>Whether a store exists in <paramref name="dataFolder"/> (a plan reads it without creating one).</summary>
    public static bool Exists(string dataFolder) => File.Exists(Path.Combine(dataFolder, FileName));

    /// <summary>Opens (creating if needed) the store in <paramref name="dataFolder"/> and applies pending migrations, without the audit key: it reads, but neither appends to nor verifies the audit chain.</summary>
    public static Task<SqliteMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default) =>
        OpenAsync(dataFolder, time, null, cancellationToken);

    /// <summary>Opens (creating if needed) the store in <paramref name="dataFolder"/> and applies pending migrations; <paramref name="auditKey"/> keys the audit chain.</summary>
    public static async Task<SqliteMetadataStore> OpenAsync(string dataFolder, TimeProvider time, Func<byte[]>? auditKey, CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(dataFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"The data folder '{dataFolder}' cannot be created: {e.Message} Give a folder this user can write (--data DIR).", e);
        }

        return await OpenFileAsync(Path.Combine(dataFolder, FileName), time, auditKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens (creating if needed) the store in the SQLite file <paramref name="path"/> and applies pending migrations; <paramref name="auditKey"/> keys the audit chain.</summary>
    public static async Task<SqliteMetadataStore> OpenFileAsync(string path, TimeProvider time, Func<byte[]>? auditKey, CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        var store = new SqliteMetadataStore(connection, time, path, auditKey);
        try
        {
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await store.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON;", cancellationToken).ConfigureAwait(false);
                await SqliteMigrations.ApplyAsync(connection, time, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await store.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (SqliteException e) when (Unavailable(path, e) is { } fault)
        {
            throw fault;
        }

        return store;
    }

    /// <summary>
    /// A SQLite failure that is the machine's, not Meshwork's, as an error naming the store and what to do; null
    /// for any other (a bug, reported as one).
    /// </summary>
    private static StorageUnavailableException? Unavailable(string path, SqliteException e) => (e.SqliteErrorCode & 0xFF) switch
    {
        // SQLITE_CORRUPT, SQLITE_NOTADB
        11 or 26 => new($"The metadata store '{path}' is damaged or is not a SQLite database ({Reason(e)}). Restore it from a backup, or move it away to start afresh (what was applied, runs, agreements and the audit log are then lost).", e),
        // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN
        3 or 8 or 14 => new($"The metadata store '{path}' cannot be opened for reading and writing ({Reason(e)}). Check that it is a file, that it and its folder are writable by this user, and that the disk is mounted read-write.", e),
        // SQLITE_BUSY, SQLITE_LOCKED
        5 or 6 => new($"The metadata store '{path}' stayed locked by another process ({Reason(e)}). Try again; if it lasts, stop the process that holds it.", e),
        // SQLITE_IOERR, SQLITE_FULL, SQLITE_PROTOCOL
        10 or 13 or 15 => new($"The metadata store '{path}' could not be read or written ({Reason(e)}). Check the disk: free space, errors, a network file system that supports locking.", e),
        _ => null,
    };

    private static string Reason(SqliteException e) => e.Message.TrimEnd('.');
    public Task<AppliedState> GetAppliedStateAsync(CancellationToken cancellationToken = default) => LockedAsync(async () =>
    {
        var products = await QueryAsync("SELECT key, product_id, owner_team, applied_at FROM products ORDER BY key", r =>
            new AppliedProduct(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), Time(r.GetString(3))), cancellationToken).ConfigureAwait(false);
        var ports = await QueryAsync("SELECT product_key, name, major, version, contract_id, status, applied_at, sunset_at FROM ports ORDER BY product_key, name, major", r =>
            new AppliedPort(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), ParseStatus(r.GetString(5)), Time(r.GetString(6)),
                r.IsDBNull(7) ? null : Time(r.GetString(7))), cancellationToken).ConfigureAwait(false);
        var datasets = await QueryAsync("SELECT address, product_key, port_name, major, schema, current_snapshot, published_at FROM datasets ORDER BY address", r =>
            new AppliedDataset(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3),
                JsonSerializer.Deserialize<DatasetSchema>(r.GetString(4), Json) ?? new DatasetSchema([]),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : Time(r.GetString(6))), cancellationToken).ConfigureAwait(false);
        return new AppliedState(products, ports, datasets);
    }, cancellationToken);

    public Task RecordPlanAsync(Plan plan, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        var now = Text(_time.GetUtcNow());
        foreach (var product in plan.Products)
        {
            await ExecuteAsync(transaction, """
                INSERT INTO products (key, product_id, owner_team, applied_at) VALUES ($key, $id, $owner, $now)
                ON CONFLICT (key) DO UPDATE SET product_id = excluded.product_id, owner_team = excluded.owner_team, applied_at = excluded.applied_at
                """, cancellationToken, ("$key", product.Key), ("$id", product.Id), ("$owner", product.OwnerTeam), ("$now", now)).ConfigureAwait(false);
        }

        foreach (var port in plan.Ports.Where(plan.Allows))
        {
            await ExecuteAsync(transaction, """
                INSERT INTO ports (product_key, name, major, version, contract_id, status, applied_at) VALUES ($product, $name, $major, $version, $contract, 'live', $now)
                ON CONFLICT (product_key, name, major) DO UPDATE SET version = excluded.version, contract_id = excluded.contract_id, applied_at = excluded.applied_at,
                    status = CASE WHEN ports.status = 'dropped' THEN 'live' ELSE ports.status END
                """, cancellationToken, ("$product", port.Product.Key), ("$name", port.Port.Name), ("$major", port.Major), ("$version", port.Port.Version),
                ("$contract", port.Contract.Id), ("$now", now)).ConfigureAwait(false);
            await ExecuteAsync(transaction, """
                INSERT INTO contract_versions (contract_id, version, document, applied_at) VALUES ($id, $version, $document, $now)
                ON CONFLICT (contract_id, version) DO UPDATE SET document = excluded.document, applied_at = excluded.applied_at
                """, cancellationToken, ("$id", port.Contract.Id), ("$version", port.Contract.Version), ("$document", port.Contract.Document.GetRawText()), ("$now", now)).ConfigureAwait(false);
            foreach (var dataset in port.Datasets)
            {
                await ExecuteAsync(transaction, """
                    INSERT INTO datasets (address, product_key, port_name, major, schema) VALUES ($address, $product, $port, $major, $schema)
                    ON CONFLICT (address) DO UPDATE SET schema = excluded.schema, port_name = excluded.port_name
                    """, cancellationToken, ("$address", dataset.Address), ("$product", port.Product.Key), ("$port", port.Port.Name), ("$major", port.Major),
                    ("$schema", JsonSerializer.Serialize(DatasetSchema.From(dataset), Json))).ConfigureAwait(false);
            }
        }

        var sunset = Text(plan.PlannedAt + plan.SunsetGrace);
        foreach (var change in plan.Changes)
        {
            switch (change.Kind)
            {
                case ChangeKind.DeprecatePort:
                    await ExecuteAsync(transaction, "UPDATE ports SET status = 'deprecated', sunset_at = coalesce(sunset_at, $sunset) WHERE product_key = $product AND name = $name AND major = $major AND status = 'live'",
                        cancellationToken, ("$sunset", change.SunsetAt is { } at ? Text(at) : sunset), ("$product", change.ProductKey), ("$name", change.Port), ("$major", change.Major)).ConfigureAwait(false);
                    break;
                case ChangeKind.DropProduct:
                    await ExecuteAsync(transaction, "UPDATE ports SET status = 'dropped', sunset_at = coalesce(sunset_at, $now) WHERE product_key = $product",
                        cancellationToken, ("$now", now), ("$product", change.ProductKey)).ConfigureAwait(false);
                    break;
            }
        }

        await ExecuteAsync(transaction, "DELETE FROM lineage_edges", cancellationToken).ConfigureAwait(false);
        foreach (var edge in plan.Lineage.Distinct())
        {
            await ExecuteAsync(transaction, "INSERT OR IGNORE INTO lineage_edges (upstream, downstream, port) VALUES ($up, $down, $port)",
                cancellationToken, ("$up", edge.Upstream), ("$down", edge.Downstream), ("$port", edge.Port)).ConfigureAwait(false);
        }
    }, cancellationToken);

    private const string LeaseColumns = "SELECT product_key, run_id, owner, instance, machine, pid, expires_at FROM leases";

    // A lease written before holders had an instance id keeps its owner text and lapses by its expiry alone.
    private static Lease ReadLease(SqliteDataReader r) => new(r.GetString(0), r.GetString(1),
        new LeaseHolder(r.IsDBNull(3) ? string.Empty : r.GetString(3), r.IsDBNull(4) ? r.GetString(2) : r.GetString(4), r.IsDBNull(5) ? 0 : r.GetInt32(5)),
        Time(r.GetString(6)));

    public Task<Lease?> GetLeaseAsync(string productKey, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync($"{LeaseColumns} WHERE product_key = $product", ReadLease, cancellationToken, ("$product", productKey)).ConfigureAwait(false)).FirstOrDefault(),
        cancellationToken);

    public Task<IReadOnlyList<Lease>> GetLeasesAsync(CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<Lease>)await QueryAsync($"{LeaseColumns} ORDER BY product_key", ReadLease, cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<bool> TryAcquireLeaseAsync(string productKey, LeaseHolder holder, string runId, TimeSpan duration, string? replacing = null, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async transaction =>
        {
            ArgumentNullException.ThrowIfNull(holder);
            var now = _time.GetUtcNow();
            string? takenOver;
            using (var find = Command(transaction, "SELECT run_id FROM leases WHERE product_key = $product AND run_id <> $run AND (expires_at < $now OR run_id = $replacing)",
                [("$product", productKey), ("$run", runId), ("$now", Text(now)), ("$replacing", replacing)]))
            {
                takenOver = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }

            // Take the lease when it is free, expired (its holder stopped renewing it), replaced (its holder is dead) or already ours.
            var taken = await ExecuteAsync(transaction, """
                INSERT INTO leases (product_key, owner, run_id, expires_at, instance, machine, pid) VALUES ($product, $owner, $run, $expires, $instance, $machine, $pid)
                ON CONFLICT (product_key) DO UPDATE SET owner = excluded.owner, run_id = excluded.run_id, expires_at = excluded.expires_at,
                    instance = excluded.instance, machine = excluded.machine, pid = excluded.pid
                WHERE leases.expires_at < $now OR leases.run_id = excluded.run_id OR leases.run_id = $replacing
                """, cancellationToken, ("$product", productKey), ("$owner", holder.ToString()), ("$run", runId), ("$expires", Text(now + duration)), ("$now", Text(now)),
                ("$replacing", replacing), ("$instance", holder.Instance), ("$machine", holder.Machine), ("$pid", holder.ProcessId)).ConfigureAwait(false);
            if (taken == 1 && takenOver is not null)
            {
                await ExecuteAsync(transaction, "UPDATE runs SET status = 'failed', finished_at = $now, failure = $failure WHERE run_id = $run AND status = 'running'",
                    cancellationToken, ("$now", Text(now)), ("$failure", Lease.LapsedFailure), ("$run", takenOver)).ConfigureAwait(false);
            }

            return taken == 1;
        }, cancellationToken);

    public Task<bool> RenewLeaseAsync(string productKey, string runId, TimeSpan duration, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async transaction => await ExecuteAsync(transaction, "UPDATE leases SET expires_at = $expires WHERE product_key = $product AND run_id = $run",
            cancellationToken, ("$expires", Text(_time.GetUtcNow() + duration)), ("$product", productKey), ("$run", runId)).ConfigureAwait(false) == 1, cancellationToken);

    public Task ReleaseLeaseAsync(string productKey, string runId, CancellationToken cancellationToken = default) =>
        InTransactionAsync(transaction => ExecuteAsync(transaction, "DELETE FROM leases WHERE product_key = $product AND run_id = $run",
            cancellationToken, ("$product", productKey), ("$run", runId)), cancellationToken);

    public Task<int> EndAbandonedRunsAsync(IReadOnlyCollection<string> deadRuns, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        var now = Text(_time.GetUtcNow());
        await ExecuteAsync(transaction, "DELETE FROM leases WHERE expires_at < $now OR run_id IN (SELECT value FROM json_each($dead))",
            cancellationToken, ("$now", now), ("$dead", JsonSerializer.Serialize(deadRuns))).ConfigureAwait(false);
        // A run is started after its lease is taken and finished before it is released: running without one, its process is gone.
        return await ExecuteAsync(transaction, """
            UPDATE runs SET status = 'failed', finished_at = $now, failure = $failure
            WHERE status = 'running' AND run_id NOT IN (SELECT run_id FROM leases)
            """, cancellationToken, ("$now", now), ("$failure", Lease.LapsedFailure)).ConfigureAwait(false);
    }, cancellationToken);

    public Task StartRunAsync(string runId, string productKey, string node, CancellationToken cancellationToken = default) =>
        InTransactionAsync(transaction => ExecuteAsync(transaction, "INSERT INTO runs (run_id, product_key, status, started_at, node) VALUES ($run, $product, 'running', $now, $node)",
            cancellationToken, ("$run", runId), ("$product", productKey), ("$now", Text(_time.GetUtcNow())), ("$node", node)), cancellationToken);

    public Task FinishRunAsync(string runId, bool succeeded, string? failure, CancellationToken cancellationToken = default) =>
        InTransactionAsync(transaction => ExecuteAsync(transaction, "UPDATE runs SET status = $status, finished_at = $now, failure = $failure WHERE run_id = $run AND status = 'running'",
            cancellationToken, ("$status", succeeded ? "succeeded" : "failed"), ("$now", Text(_time.GetUtcNow())), ("$failure", failure), ("$run", runId)), cancellationToken);

    public Task PublishAsync(string productKey, string runId, IReadOnlyList<SnapshotRecord> snapshots, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        // The fencing check, in the pointer swap's own transaction: a run whose lease lapsed (and may be another's now) publishes nothing.
        using (var fence = Command(transaction, "SELECT count(*) FROM leases WHERE product_key = $product AND run_id = $run", [("$product", productKey), ("$run", runId)]))
        {
            if ((long)(await fence.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                throw new LeaseLostException(productKey, runId);
            }
        }

        var now = Text(_time.GetUtcNow());
        foreach (var snapshot in snapshots)
        {
            await ExecuteAsync(transaction, "UPDATE snapshots SET superseded_at = $now WHERE address = $address AND superseded_at IS NULL",
                cancellationToken, ("$now", now), ("$address", snapshot.Address)).ConfigureAwait(false);
            await ExecuteAsync(transaction, """
                INSERT INTO snapshots (address, snapshot, run_id, rows, quarantine_snapshot, quarantined, input_hash, created_at)
                VALUES ($address, $snapshot, $run, $rows, $quarantine, $quarantined, $hash, $created)
                """, cancellationToken, ("$address", snapshot.Address), ("$snapshot", snapshot.Snapshot), ("$run", snapshot.RunId), ("$rows", snapshot.Rows),
                ("$quarantine", snapshot.QuarantineSnapshot), ("$quarantined", snapshot.Quarantined), ("$hash", snapshot.InputHash), ("$created", Text(snapshot.CreatedAt))).ConfigureAwait(false);
            var moved = await ExecuteAsync(transaction, "UPDATE datasets SET current_snapshot = $snapshot, published_at = $now WHERE address = $address",
                cancellationToken, ("$snapshot", snapshot.Snapshot), ("$now", now), ("$address", snapshot.Address)).ConfigureAwait(false);
            if (moved != 1)
            {
                // Throwing rolls the whole transaction back: no pointer moves.
                throw new InvalidOperationException($"Dataset '{snapshot.Address}' is not applied; run the plan before publishing.");
            }
        }
    }, cancellationToken);

    public Task<SnapshotRecord?> GetCurrentSnapshotAsync(string address, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync("""
            SELECT s.address, s.snapshot, s.run_id, s.rows, s.quarantine_snapshot, s.quarantined, s.input_hash, s.created_at
            FROM datasets d JOIN snapshots s ON s.address = d.address AND s.snapshot = d.current_snapshot WHERE d.address = $address
            """, r => new SnapshotRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5),
                r.GetString(6), Time(r.GetString(7))), cancellationToken, ("$address", address)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<(SnapshotRecord Snapshot, DateTimeOffset? SupersededAt)>> GetSnapshotsAsync(string productKey, CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlyList<(SnapshotRecord, DateTimeOffset?)>>(async () => await QueryAsync("""
            SELECT s.address, s.snapshot, s.run_id, s.rows, s.quarantine_snapshot, s.quarantined, s.input_hash, s.created_at, s.superseded_at
            FROM snapshots s JOIN datasets d ON d.address = s.address WHERE d.product_key = $product ORDER BY s.created_at
            """, r => (new SnapshotRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5),
                r.GetString(6), Time(r.GetString(7))), r.IsDBNull(8) ? (DateTimeOffset?)null : Time(r.GetString(8))), cancellationToken, ("$product", productKey)).ConfigureAwait(false),
            cancellationToken);

    public Task ForgetSnapshotsAsync(IReadOnlyList<SnapshotRecord> snapshots, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        foreach (var snapshot in snapshots)
        {
            await ExecuteAsync(transaction, "DELETE FROM snapshots WHERE address = $address AND snapshot = $snapshot AND superseded_at IS NOT NULL",
                cancellationToken, ("$address", snapshot.Address), ("$snapshot", snapshot.Snapshot)).ConfigureAwait(false);
        }
    }, cancellationToken);

    public Task RecordChecksAsync(string runId, string address, IReadOnlyList<CheckOutcome> outcomes, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async transaction =>
        {
            var now = Text(_time.GetUtcNow());
            foreach (var outcome in outcomes)
            {
                await ExecuteAsync(transaction, """
                    INSERT INTO check_results (run_id, address, name, metric, severity, status, value, message, checked_at)
                    VALUES ($run, $address, $name, $metric, $severity, $status, $value, $message, $now)
                    """, cancellationToken, ("$run", runId), ("$address", address), ("$name", outcome.Check.Name), ("$metric", outcome.Check.Metric.ToString()),
                    ("$severity", outcome.Check.Severity.ToString().ToLowerInvariant()), ("$status", outcome.Status.ToString().ToLowerInvariant()),
                    ("$value", outcome.Value?.ToString(CultureInfo.InvariantCulture)), ("$message", outcome.Message), ("$now", now)).ConfigureAwait(false);
            }
        }, cancellationToken);

    public Task<IReadOnlyList<CheckRecord>> GetCheckHistoryAsync(string address, int limit, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<CheckRecord>)await QueryAsync(
            "SELECT run_id, address, name, status, value, message, checked_at FROM check_results WHERE address = $address ORDER BY checked_at DESC, rowid DESC LIMIT $limit",
            r => new CheckRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : decimal.Parse(r.GetString(4), CultureInfo.InvariantCulture), r.GetString(5), Time(r.GetString(6))),
            cancellationToken, ("$address", address), ("$limit", limit)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<LineageEdge>> GetLineageAsync(CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<LineageEdge>)await QueryAsync("SELECT upstream, downstream, port FROM lineage_edges ORDER BY downstream, port, upstream",
            r => new LineageEdge(r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<string?> GetContractDocumentAsync(string contractId, string version, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync("SELECT document FROM contract_versions WHERE contract_id = $id AND version = $version", r => r.GetString(0), cancellationToken,
            ("$id", contractId), ("$version", version)).ConfigureAwait(false)).FirstOrDefault(),
        cancellationToken);

    public Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync("SELECT value FROM meta WHERE key = $key", r => r.GetString(0), cancellationToken, ("$key", key)).ConfigureAwait(false)).FirstOrDefault(),
        cancellationToken);

    public Task SetMetaAsync(string key, string value, CancellationToken cancellationToken = default) =>
        InTransactionAsync(transaction => UpsertMetaAsync(transaction, key, value, cancellationToken), cancellationToken);

    private Task<int> UpsertMetaAsync(SqliteTransaction transaction, string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(transaction, "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            cancellationToken, ("$key", key), ("$value", value));

    public Task RecordAppliedMeshAsync(AppliedMesh mesh, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var seq = (await QueryAsync(transaction, "INSERT INTO applied_meshes (stamp, origin, applied_at) VALUES ($stamp, $origin, $at) RETURNING seq", r => r.GetInt64(0),
            cancellationToken, ("$stamp", mesh.Stamp), ("$origin", mesh.Origin), ("$at", Text(mesh.AppliedAt))).ConfigureAwait(false))[0];
        foreach (var file in mesh.Files)
        {
            await ExecuteAsync(transaction, "INSERT INTO applied_contents (hash, content) VALUES ($hash, $content) ON CONFLICT (hash) DO NOTHING", cancellationToken,
                ("$hash", file.Hash), ("$content", file.Content)).ConfigureAwait(false);
            await ExecuteAsync(transaction, "INSERT INTO applied_files (mesh, path, hash) VALUES ($mesh, $path, $hash)", cancellationToken,
                ("$mesh", seq), ("$path", file.Path), ("$hash", file.Hash)).ConfigureAwait(false);
        }

        await ExecuteAsync(transaction, $"DELETE FROM applied_meshes WHERE seq NOT IN (SELECT seq FROM applied_meshes ORDER BY seq DESC LIMIT {AppliedMesh.Kept})", cancellationToken)
            .ConfigureAwait(false);
        await ExecuteAsync(transaction, "DELETE FROM applied_contents WHERE hash NOT IN (SELECT hash FROM applied_files)", cancellationToken).ConfigureAwait(false);
        await UpsertMetaAsync(transaction, MetaKeys.Applied, mesh.Stamp, cancellationToken).ConfigureAwait(false);
        await UpsertMetaAsync(transaction, MetaKeys.Repository, mesh.Origin, cancellationToken).ConfigureAwait(false);
    }, cancellationToken);

    public Task<AppliedMesh?> GetAppliedMeshAsync(CancellationToken cancellationToken = default) => LockedAsync(async () =>
    {
        // One statement: the files of the mesh that is current as it runs, never a mix of two applies.
        var rows = await QueryAsync("""
            SELECT m.stamp, m.origin, m.applied_at, f.path, f.hash, c.content
            FROM meta JOIN applied_meshes m ON m.stamp = meta.value
                JOIN applied_files f ON f.mesh = m.seq JOIN applied_contents c ON c.hash = f.hash
            WHERE meta.key = $key ORDER BY f.path
            """, r => (Stamp: r.GetString(0), Origin: r.GetString(1), At: Time(r.GetString(2)),
                File: new AppliedFile(r.GetString(3), r.GetString(4), (byte[])r.GetValue(5))), cancellationToken, ("$key", MetaKeys.Applied))
            .ConfigureAwait(false);
        return rows.Count == 0 ? null : new AppliedMesh(rows[0].Stamp, rows[0].Origin, rows[0].At, [.. rows.Select(r => r.File)]);
    }, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> GetRunsAsync(string productKey, int limit, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<RunRecord>)await QueryAsync(
            "SELECT run_id, product_key, status, started_at, finished_at, failure, node FROM runs WHERE product_key = $product ORDER BY started_at DESC, rowid DESC LIMIT $limit",
            r => new RunRecord(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetString(3)), r.IsDBNull(4) ? null : Time(r.GetString(4)), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6)),
            cancellationToken, ("$product", productKey), ("$limit", limit)).ConfigureAwait(false), cancellationToken);

    public Task AddAgreementAsync(Agreement agreement, CancellationToken cancellationToken = default) => InTransactionAsync(transaction =>
    {
        ArgumentNullException.ThrowIfNull(agreement);
        return ExecuteAsync(transaction, """
            INSERT INTO agreements (id, consumer, dataset, purpose, columns, ends_on, status, requested_at, decided_by, decided_at, reason)
            VALUES ($id, $consumer, $dataset, $purpose, $columns, $ends, $status, $requested, $by, $at, $reason)
            """, cancellationToken, ("$id", agreement.Id), ("$consumer", agreement.Consumer), ("$dataset", agreement.Dataset), ("$purpose", agreement.Purpose),
            ("$columns", agreement.Columns is null ? null : JsonSerializer.Serialize(agreement.Columns)),
            ("$ends", agreement.EndsOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("$status", agreement.Status.ToString().ToLowerInvariant()),
            ("$requested", Text(agreement.RequestedAt)), ("$by", agreement.DecidedBy), ("$at", agreement.DecidedAt is { } d ? Text(d) : null), ("$reason", agreement.Reason));
    }, cancellationToken);

    public Task<Agreement?> GetAgreementAsync(string id, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync($"{AgreementColumns} WHERE id = $id", ReadAgreement, cancellationToken, ("$id", id)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<Agreement>> ListAgreementsAsync(string? consumer, string? dataset, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<Agreement>)await QueryAsync(
            $"{AgreementColumns} WHERE ($consumer IS NULL OR consumer = $consumer) AND ($dataset IS NULL OR dataset = $dataset) ORDER BY requested_at DESC, rowid DESC",
            ReadAgreement, cancellationToken, ("$consumer", consumer), ("$dataset", dataset)).ConfigureAwait(false), cancellationToken);

    public Task<bool> DecideAgreementAsync(string id, AgreementStatus current, AgreementStatus decision, string decidedBy, string? reason, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async transaction => await ExecuteAsync(transaction,
            "UPDATE agreements SET status = $to, decided_by = $by, decided_at = $at, reason = coalesce($reason, reason) WHERE id = $id AND status = $from",
            cancellationToken, ("$to", decision.ToString().ToLowerInvariant()), ("$by", decidedBy), ("$at", Text(_time.GetUtcNow())), ("$reason", reason),
            ("$id", id), ("$from", current.ToString().ToLowerInvariant())).ConfigureAwait(false) == 1, cancellationToken);

    private const string AgreementColumns = "SELECT id, consumer, dataset, purpose, columns, ends_on, status, requested_at, decided_by, decided_at, reason FROM agreements";

    private static Agreement ReadAgreement(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : JsonSerializer.Deserialize<List<string>>(r.GetString(4)),
        r.IsDBNull(5) ? null : DateOnly.ParseExact(r.GetString(5), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Enum.Parse<AgreementStatus>(r.GetString(6), ignoreCase: true), Time(r.GetString(7)),
        r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : Time(r.GetString(9)), r.IsDBNull(10) ? null : r.GetString(10));

    public Task<IReadOnlyList<(string Product, string Status, long Count)>> GetRunCountsAsync(CancellationToken cancellationToken = default) =>
        LockedAsync<IReadOnlyList<(string, string, long)>>(async () => await QueryAsync("SELECT product_key, status, count(*) FROM runs GROUP BY product_key, status ORDER BY 1, 2",
            r => (r.GetString(0), r.GetString(1), r.GetInt64(2)), cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<AuditRecord> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        ArgumentNullException.ThrowIfNull(entry);
        // The transaction holds SQLite's one write lock from its first statement: appenders in every process serialize, the chain stays one line.
        var previous = "";
        using (var last = Command(transaction, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1", []))
        {
            previous = (string?)await last.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? AuditChain.Genesis;
        }

        var at = _time.GetUtcNow();
        var hash = AuditChain.Hash(AuditSchemes.HmacSha256, _auditKey.Key, previous, Text(at), entry);
        using var insert = Command(transaction, """
            INSERT INTO audit_log (at, principal, action, resource, purpose, plan_digest, rows, outcome, detail, prev_hash, hash, scheme)
            VALUES ($at, $principal, $action, $resource, $purpose, $digest, $rows, $outcome, $detail, $prev, $hash, $scheme) RETURNING seq
            """, [("$at", Text(at)), ("$principal", entry.Principal), ("$action", entry.Action), ("$resource", entry.Resource), ("$purpose", entry.Purpose),
                ("$digest", entry.PlanDigest), ("$rows", entry.Rows), ("$outcome", entry.Outcome), ("$detail", entry.Detail), ("$prev", previous), ("$hash", hash),
                ("$scheme", AuditSchemes.HmacSha256)]);
        var seq = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        await UpsertMetaAsync(transaction, MetaKeys.AuditHead, hash, cancellationToken).ConfigureAwait(false);
        return new AuditRecord(seq, at, entry, previous, hash, AuditSchemes.HmacSha256);
    }, cancellationToken);

    private const string AuditColumns = "SELECT seq, at, principal, action, resource, purpose, plan_digest, rows, outcome, detail, prev_hash, hash, scheme FROM audit_log";

    public Task<IReadOnlyList<string>> VerifyAuditAsync(string? anchoredHead = null, CancellationToken cancellationToken = default) => LockedAsync(async () =>
    {
        // One deferred (read) transaction, one WAL snapshot: an append committing meanwhile is seen in both the log and its head or in neither.
        using var transaction = _connection.BeginTransaction(deferred: true);
        var records = await QueryAsync(transaction, $"{AuditColumns} ORDER BY seq", ReadAudit, cancellationToken).ConfigureAwait(false);
        var head = (await QueryAsync(transaction, "SELECT value FROM meta WHERE key = $key", r => r.GetString(0), cancellationToken, ("$key", MetaKeys.AuditHead))
            .ConfigureAwait(false)).FirstOrDefault();
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return AuditChain.Verify(records, head, Text, _auditKey.Key, anchoredHead);
    }, cancellationToken);

    private static AuditRecord ReadAudit(SqliteDataReader r) => new(r.GetInt64(0), Time(r.GetString(1)),
        new AuditEntry(r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6),
            r.IsDBNull(7) ? null : r.GetInt64(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)),
        r.GetString(10), r.GetString(11), r.GetString(12));

    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<AuditRecord>)await QueryAsync($"{AuditColumns} ORDER BY seq DESC LIMIT $limit", ReadAudit, cancellationToken, ("$limit", limit))
            .ConfigureAwait(false), cancellationToken);

    /// <summary>
    /// A schema by id. A committed schema row is never updated or deleted (permanent deletes remove versions, not
    /// schemas), so a schema once read is kept: <c>GET /registry/schemas/ids/{id}</c>, what every Kafka
    /// deserializer asks, then skips the store's lock and SQLite. Ids not found are not kept, since another
    /// process sharing the store may register them.
    /// </summary>
    public Task<RegisteredSchema?> GetSchemaAsync(int id, CancellationToken cancellationToken = default) =>
        _schemas.TryGetValue(id, out var kept) ? kept : ReadSchemaAsync(id, cancellationToken);

    private async Task<RegisteredSchema?> ReadSchemaAsync(int id, CancellationToken cancellationToken)
    {
        var schema = await LockedAsync(async () =>
            (await QueryAsync("SELECT id, schema_type, schema, refs FROM registry_schemas WHERE id = $id", ReadSchema, cancellationToken, ("$id", id)).ConfigureAwait(false))
                .FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        // Bounded: past the limit, further schemas are read from SQLite each time (still correct, only slower).
        if (schema is not null && _schemas.Count < KeptSchemasLimit)
        {
            _schemas.TryAdd(id, Task.FromResult<RegisteredSchema?>(schema));
        }

        return schema;
    }

    public Task<int?> FindSchemaAsync(string schemaType, string canonical, IReadOnlyList<SchemaReference> references, CancellationToken cancellationToken = default) =>
        LockedAsync(async () => (await QueryAsync("SELECT id FROM registry_schemas WHERE schema_type = $type AND canonical = $canonical AND refs = $refs",
            r => (int?)r.GetInt32(0), cancellationToken, ("$type", schemaType), ("$canonical", canonical), ("$refs", JsonSerializer.Serialize(references, Json)))
            .ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<RegistrationOutcome> RegisterAsync(string subject, string schemaType, string schema, string canonical, IReadOnlyList<SchemaReference> references,
        Func<IReadOnlyList<RegisteredSchema>, IReadOnlyList<string>> check, CancellationToken cancellationToken = default) => InTransactionAsync(async transaction =>
    {
        ArgumentNullException.ThrowIfNull(check);
        var refs = JsonSerializer.Serialize(references, Json);
        int? existing = null;
        using (var find = Command(transaction, "SELECT id FROM registry_schemas WHERE schema_type = $type AND canonical = $canonical AND refs = $refs",
            [("$type", schemaType), ("$canonical", canonical), ("$refs", refs)]))
        {
            if (await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id)
            {
                existing = (int)id;
            }
        }

        var live = new List<(int Version, RegisteredSchema Schema)>();
        using (var versions = Command(transaction, """
            SELECT v.version, s.id, s.schema_type, s.schema, s.refs FROM registry_versions v JOIN registry_schemas s ON s.id = v.schema_id
            WHERE v.subject = $subject AND v.deleted = 0 ORDER BY v.version
            """, [("$subject", subject)]))
        using (var reader = await versions.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                live.Add((reader.GetInt32(0), new RegisteredSchema(reader.GetInt32(1), reader.GetString(2), reader.GetString(3),
                    JsonSerializer.Deserialize<List<SchemaReference>>(reader.GetString(4), Json) ?? [])));
            }
        }

        if (existing is { } known && live.FirstOrDefault(l => l.Schema.Id == known) is { Schema: not null } same)
        {
            return new RegistrationOutcome(known, same.Version, false, []);
        }

        var refusals = check([.. live.Select(l => l.Schema)]);
        if (refusals.Count > 0)
        {
            return new RegistrationOutcome(0, 0, false, refusals);
        }

        var schemaId = existing;
        if (schemaId is null)
        {
            using var insert = Command(transaction, "INSERT INTO registry_schemas (schema_type, schema, canonical, refs) VALUES ($type, $schema, $canonical, $refs) RETURNING id",
                [("$type", schemaType), ("$schema", schema), ("$canonical", canonical), ("$refs", refs)]);
            schemaId = (int)(long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        int version;
        using (var next = Command(transaction, "SELECT coalesce(max(version), 0) + 1 FROM registry_versions WHERE subject = $subject", [("$subject", subject)]))
        {
            version = (int)(long)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await ExecuteAsync(transaction, "INSERT INTO registry_versions (subject, version, schema_id) VALUES ($subject, $version, $id)", cancellationToken,
            ("$subject", subject), ("$version", version), ("$id", schemaId)).ConfigureAwait(false);
        return new RegistrationOutcome(schemaId.Value, version, true, []);
    }, cancellationToken);

    public Task<IReadOnlyList<string>> SubjectsAsync(bool includeDeleted, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<string>)await QueryAsync("SELECT DISTINCT subject FROM registry_versions WHERE $all OR deleted = 0 ORDER BY subject",
            r => r.GetString(0), cancellationToken, ("$all", includeDeleted)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<SubjectVersion>> VersionsAsync(string subject, bool includeDeleted, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<SubjectVersion>)await QueryAsync("SELECT subject, version, schema_id, deleted FROM registry_versions WHERE subject = $subject AND ($all OR deleted = 0) ORDER BY version",
            ReadVersion, cancellationToken, ("$subject", subject), ("$all", includeDeleted)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<SubjectVersion>> UsagesAsync(int schemaId, bool includeDeleted, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (IReadOnlyList<SubjectVersion>)await QueryAsync("SELECT subject, version, schema_id, deleted FROM registry_versions WHERE schema_id = $id AND ($all OR deleted = 0) ORDER BY subject, version",
            ReadVersion, cancellationToken, ("$id", schemaId), ("$all", includeDeleted)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<int>> DeleteVersionsAsync(string subject, IReadOnlyList<int> versions, bool permanent, CancellationToken cancellationToken = default) =>
        InTransactionAsync<IReadOnlyList<int>>(async transaction =>
        {
            ArgumentNullException.ThrowIfNull(versions);
            var done = new List<int>();
            foreach (var version in versions)
            {
                var sql = permanent
                    ? "DELETE FROM registry_versions WHERE subject = $subject AND version = $version AND deleted = 1"
                    : "UPDATE registry_versions SET deleted = 1 WHERE subject = $subject AND version = $version AND deleted = 0";
                if (await ExecuteAsync(transaction, sql, cancellationToken, ("$subject", subject), ("$version", version)).ConfigureAwait(false) == 1)
                {
                    done.Add(version);
                }
            }

            return done;
        }, cancellationToken);

    public Task<bool> IsReferencedAsync(string subject, int version, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync("""
            SELECT count(*) FROM registry_schemas s, json_each(s.refs) r
            WHERE json_extract(r.value, '$.subject') = $subject AND json_extract(r.value, '$.version') = $version
              AND EXISTS (SELECT 1 FROM registry_versions v WHERE v.schema_id = s.id AND v.deleted = 0)
            """, r => r.GetInt64(0), cancellationToken, ("$subject", subject), ("$version", version)).ConfigureAwait(false))[0] > 0, cancellationToken);

    public Task<string?> GetRegistryConfigAsync(string subject, string field, CancellationToken cancellationToken = default) => LockedAsync(async () =>
        (await QueryAsync($"SELECT {ConfigField(field)} FROM registry_config WHERE subject = $subject", r => r.IsDBNull(0) ? null : r.GetString(0),
            cancellationToken, ("$subject", subject)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task SetRegistryConfigAsync(string subject, string field, string? value, CancellationToken cancellationToken = default) => InTransactionAsync(transaction =>
        ExecuteAsync(transaction, $"INSERT INTO registry_config (subject, {ConfigField(field)}) VALUES ($subject, $value) ON CONFLICT (subject) DO UPDATE SET {ConfigField(field)} = excluded.{ConfigField(field)}",
            cancellationToken, ("$subject", subject), ("$value", value)), cancellationToken);

    private static string ConfigField(string field) => field is "compatibility" or "mode" ? field : throw new ArgumentOutOfRangeException(nameof(field), field, "compatibility or mode");

    private static RegisteredSchema ReadSchema(SqliteDataReader r) =>
        new(r.GetInt32(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<List<SchemaReference>>(r.GetString(3), Json) ?? []);

    private static SubjectVersion ReadVersion(SqliteDataReader r) => new(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetInt64(3) != 0);

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task<T> LockedAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (SqliteException e) when (Unavailable(_path, e) is { } fault)
        {
            throw fault;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task<bool> InTransactionAsync(Func<SqliteTransaction, Task> action, CancellationToken cancellationToken) =>
        InTransactionAsync<bool>(async transaction =>
        {
            await action(transaction).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>An immediate (write-locking) transaction: committed when the action returns, rolled back when it throws.</summary>
    private Task<T> InTransactionAsync<T>(Func<SqliteTransaction, Task<T>> action, CancellationToken cancellationToken) => LockedAsync(async () =>
    {
        using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await action(transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }, cancellationToken);

    private Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        QueryAsync(null, sql, map, cancellationToken, parameters);

    private async Task<List<T>> QueryAsync<T>(SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }

        return list;
    }

    private async Task<int> ExecuteAsync(SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken) => ExecuteAsync(null, sql, cancellationToken);

    private SqliteCommand Command(SqliteTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static PortStatus ParseStatus(string status) => status switch
    {
        "deprecated" => PortStatus.Deprecated,
        "dropped" => PortStatus.Dropped,
        _ => PortStatus.Live,
    };
}
