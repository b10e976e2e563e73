using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Meshwork.Engines;
using Meshwork.Platform.Planning;
using Npgsql;

namespace Meshwork.Platform.Store.Postgres;

/// <summary>
/// The metadata store in PostgreSQL: the SQLite store's tables and promises in the <c>meshwork</c> schema, for several
/// processes on one state. Each call takes a pooled connection (one instance is safe for concurrent callers); writes
/// that read before they write lock what they read (a lease row, an advisory lock on the audit chain or the
/// registry), so concurrent writers in other processes serialize where SQLite's single writer did.
/// </summary>
public sealed partial class PostgresMetadataStore : IMetadataStore, IRegistryStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The advisory lock key of the audit chain's head ("meshaudt").</summary>
    private const long AuditLock = 0x6D65736861756474;

    /// <summary>The advisory lock key of registrations ("meshregs").</summary>
    private const long RegistryLock = 0x6D65736872656773;

    /// <summary>The advisory lock key of recording an applied mesh ("meshappl").</summary>
    private const long AppliedMeshLock = 0x6D6573686170706C;

    /// <summary>How many registry schemas <see cref="GetSchemaAsync"/> keeps in memory at most.</summary>
    private const int KeptSchemasLimit = 10_000;

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider _time;
    private readonly string _display;

    /// <summary>Registry schemas read by id: a committed schema row never changes.</summary>
    private readonly ConcurrentDictionary<int, Task<RegisteredSchema?>> _schemas = new();

    private readonly AuditKeyHolder _auditKey;

    private PostgresMetadataStore(NpgsqlDataSource source, TimeProvider time, string display, Func<byte[]>? auditKey)
    {
        _source = source;
        _time = time;
        _display = display;
        _auditKey = new AuditKeyHolder(auditKey);
    }

    /// <summary>The registry's tables live in the same database: one transaction can span both.</summary>
    public IRegistryStore Registry => this;

    /// <summary>
    /// Connects and applies pending migrations; an unreachable or refusing server is a <see cref="StorageUnavailableException"/> naming
    /// <paramref name="display"/>. <paramref name="auditKey"/> keys the audit chain; without it the store never appends to the chain.
    /// </summary>
    internal static async Task<PostgresMetadataStore> OpenAsync(string connectionString, string display, TimeProvider time, Func<byte[]>? auditKey, CancellationToken cancellationToken)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresMetadataStore(source, time, display, auditKey);
        try
        {
            await using var connection = await store.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await PostgresMigrations.ApplyAsync(connection, display, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            if (e is NpgsqlException npgsql && Unavailable(display, npgsql) is { } fault)
            {
                throw fault;
            }

            throw;
        }

        return store;
    }

    /// <summary>
    /// A failure that is the server's or the network's, not Meshwork's, as an error naming the store and what to do;
    /// null for any other (a bug, reported as one).
    /// </summary>
    internal static StorageUnavailableException? Unavailable(string display, NpgsqlException e)
    {
        var reason = e.Message.TrimEnd('.');
        if (e is not PostgresException server)
        {
            return new($"The metadata store {display} cannot be reached ({reason}). Check that PostgreSQL runs there and accepts connections from this machine.", e);
        }

        return server.SqlState switch
        {
            ['2', '8', ..] => new($"The metadata store {display} refused the login ({reason}). Check the user and password (in the connection, PGPASSWORD or ~/.pgpass).", e),
            "3D000" => new($"The metadata store {display} has no such database ({reason}). Create it (CREATE DATABASE), or give the right one.", e),
            "42501" => new($"The metadata store {display} refused this user ({reason}). Grant it the rights to create and use the '{PostgresStoreProvider.Schema}' schema.", e),
            ['0', '8', ..] or ['5', '3', ..] or ['5', '7', 'P', ..] or ['5', '8', ..] =>
                new($"The metadata store {display} is unavailable ({reason}). Try again; if it lasts, check the PostgreSQL server.", e),
            _ => null,
        };
    }

    // ---- applied state -------------------------------------------------------------------------------------

    public Task<AppliedState> GetAppliedStateAsync(CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
    {
        var products = await QueryAsync(connection, "SELECT key, product_id, owner_team, applied_at FROM products ORDER BY key", r =>
            new AppliedProduct(r.GetString(0), r.GetString(1), NullableString(r, 2), Time(r, 3)), cancellationToken).ConfigureAwait(false);
        var ports = await QueryAsync(connection, "SELECT product_key, name, major, version, contract_id, status, applied_at, sunset_at FROM ports ORDER BY product_key, name, major", r =>
            new AppliedPort(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), ParseStatus(r.GetString(5)), Time(r, 6), NullableTime(r, 7)),
            cancellationToken).ConfigureAwait(false);
        var datasets = await QueryAsync(connection, "SELECT address, product_key, port_name, major, schema, current_snapshot, published_at FROM datasets ORDER BY address", r =>
            new AppliedDataset(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3),
                JsonSerializer.Deserialize<DatasetSchema>(r.GetString(4), Json) ?? new DatasetSchema([]), NullableString(r, 5), NullableTime(r, 6)),
            cancellationToken).ConfigureAwait(false);
        return new AppliedState(products, ports, datasets);
    }, cancellationToken);

    public Task RecordPlanAsync(Plan plan, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = _time.GetUtcNow();
        foreach (var product in plan.Products)
        {
            await ExecuteAsync(connection, """
                INSERT INTO products (key, product_id, owner_team, applied_at) VALUES (@key, @id, @owner, @now)
                ON CONFLICT (key) DO UPDATE SET product_id = excluded.product_id, owner_team = excluded.owner_team, applied_at = excluded.applied_at
                """, cancellationToken, ("key", product.Key), ("id", product.Id), ("owner", product.OwnerTeam), ("now", now)).ConfigureAwait(false);
        }

        foreach (var port in plan.Ports.Where(plan.Allows))
        {
            await ExecuteAsync(connection, """
                INSERT INTO ports (product_key, name, major, version, contract_id, status, applied_at) VALUES (@product, @name, @major, @version, @contract, 'live', @now)
                ON CONFLICT (product_key, name, major) DO UPDATE SET version = excluded.version, contract_id = excluded.contract_id, applied_at = excluded.applied_at,
                    status = CASE WHEN ports.status = 'dropped' THEN 'live' ELSE ports.status END
                """, cancellationToken, ("product", port.Product.Key), ("name", port.Port.Name), ("major", port.Major), ("version", port.Port.Version),
                ("contract", port.Contract.Id), ("now", now)).ConfigureAwait(false);
            await ExecuteAsync(connection, """
                INSERT INTO contract_versions (contract_id, version, document, applied_at) VALUES (@id, @version, @document, @now)
                ON CONFLICT (contract_id, version) DO UPDATE SET document = excluded.document, applied_at = excluded.applied_at
                """, cancellationToken, ("id", port.Contract.Id), ("version", port.Contract.Version), ("document", port.Contract.Document.GetRawText()), ("now", now)).ConfigureAwait(false);
            foreach (var dataset in port.Datasets)
            {
                await ExecuteAsync(connection, """
                    INSERT INTO datasets (address, product_key, port_name, major, schema) VALUES (@address, @product, @port, @major, @schema)
                    ON CONFLICT (address) DO UPDATE SET schema = excluded.schema, port_name = excluded.port_name
                    """, cancellationToken, ("address", dataset.Address), ("product", port.Product.Key), ("port", port.Port.Name), ("major", port.Major),
                    ("schema", JsonSerializer.Serialize(DatasetSchema.From(dataset), Json))).ConfigureAwait(false);
            }
        }

        var sunset = plan.PlannedAt + plan.SunsetGrace;
        foreach (var change in plan.Changes)
        {
            switch (change.Kind)
            {
                case ChangeKind.DeprecatePort:
                    await ExecuteAsync(connection, "UPDATE ports SET status = 'deprecated', sunset_at = coalesce(sunset_at, @sunset) WHERE product_key = @product AND name = @name AND major = @major AND status = 'live'",
                        cancellationToken, ("sunset", change.SunsetAt ?? sunset), ("product", change.ProductKey), ("name", change.Port), ("major", change.Major)).ConfigureAwait(false);
                    break;
                case ChangeKind.DropProduct:
                    await ExecuteAsync(connection, "UPDATE ports SET status = 'dropped', sunset_at = coalesce(sunset_at, @now) WHERE product_key = @product",
                        cancellationToken, ("now", now), ("product", change.ProductKey)).ConfigureAwait(false);
                    break;
            }
        }

        await ExecuteAsync(connection, "DELETE FROM lineage_edges", cancellationToken).ConfigureAwait(false);
        foreach (var edge in plan.Lineage.Distinct())
        {
            await ExecuteAsync(connection, "INSERT INTO lineage_edges (upstream, downstream, port) VALUES (@up, @down, @port) ON CONFLICT DO NOTHING",
                cancellationToken, ("up", edge.Upstream), ("down", edge.Downstream), ("port", edge.Port)).ConfigureAwait(false);
        }

        return true;
    }, cancellationToken);

    // ---- leases and runs -----------------------------------------------------------------------------------

    private const string LeaseColumns = "SELECT product_key, run_id, owner, instance, machine, pid, expires_at FROM leases";

    private static Lease ReadLease(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1),
        new LeaseHolder(NullableString(r, 3) ?? string.Empty, NullableString(r, 4) ?? r.GetString(2), r.IsDBNull(5) ? 0 : r.GetInt32(5)), Time(r, 6));

    public Task<Lease?> GetLeaseAsync(string productKey, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (await QueryAsync(connection, $"{LeaseColumns} WHERE product_key = @product", ReadLease, cancellationToken, ("product", productKey)).ConfigureAwait(false)).FirstOrDefault(),
        cancellationToken);

    public Task<IReadOnlyList<Lease>> GetLeasesAsync(CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<Lease>)await QueryAsync(connection, $"{LeaseColumns} ORDER BY product_key", ReadLease, cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<bool> TryAcquireLeaseAsync(string productKey, LeaseHolder holder, string runId, TimeSpan duration, string? replacing = null, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            ArgumentNullException.ThrowIfNull(holder);
            var now = _time.GetUtcNow();
            // Lock the lease row (when there is one) so that what is read here is what the upsert below replaces.
            var takenOver = (await QueryAsync(connection, """
                SELECT run_id FROM leases WHERE product_key = @product AND run_id <> @run AND (expires_at < @now OR run_id = @replacing::text) FOR UPDATE
                """, r => r.GetString(0), cancellationToken, ("product", productKey), ("run", runId), ("now", now), ("replacing", replacing)).ConfigureAwait(false)).FirstOrDefault();

            // Take the lease when it is free, expired (its holder stopped renewing it), replaced (its holder is dead) or already ours.
            var taken = await ExecuteAsync(connection, """
                INSERT INTO leases (product_key, owner, run_id, expires_at, instance, machine, pid) VALUES (@product, @owner, @run, @expires, @instance, @machine, @pid)
                ON CONFLICT (product_key) DO UPDATE SET owner = excluded.owner, run_id = excluded.run_id, expires_at = excluded.expires_at,
                    instance = excluded.instance, machine = excluded.machine, pid = excluded.pid
                WHERE leases.expires_at < @now OR leases.run_id = excluded.run_id OR leases.run_id = @replacing::text
                """, cancellationToken, ("product", productKey), ("owner", holder.ToString()), ("run", runId), ("expires", now + duration), ("now", now),
                ("replacing", replacing), ("instance", holder.Instance), ("machine", holder.Machine), ("pid", holder.ProcessId)).ConfigureAwait(false);
            if (taken == 1 && takenOver is not null)
            {
                await ExecuteAsync(connection, "UPDATE runs SET status = 'failed', finished_at = @now, failure = @failure WHERE run_id = @run AND status = 'running'",
                    cancellationToken, ("now", now), ("failure", Lease.LapsedFailure), ("run", takenOver)).ConfigureAwait(false);
            }

            return taken == 1;
        }, cancellationToken);

    public Task<bool> RenewLeaseAsync(string productKey, string runId, TimeSpan duration, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => await ExecuteAsync(connection, "UPDATE leases SET expires_at = @expires WHERE product_key = @product AND run_id = @run",
            cancellationToken, ("expires", _time.GetUtcNow() + duration), ("product", productKey), ("run", runId)).ConfigureAwait(false) == 1, cancellationToken);

    public Task ReleaseLeaseAsync(string productKey, string runId, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => await ExecuteAsync(connection, "DELETE FROM leases WHERE product_key = @product AND run_id = @run",
            cancellationToken, ("product", productKey), ("run", runId)).ConfigureAwait(false), cancellationToken);

    public Task<int> EndAbandonedRunsAsync(IReadOnlyCollection<string> deadRuns, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(deadRuns);
        var now = _time.GetUtcNow();
        await ExecuteAsync(connection, "DELETE FROM leases WHERE expires_at < @now OR run_id = ANY (@dead)",
            cancellationToken, ("now", now), ("dead", deadRuns.ToArray())).ConfigureAwait(false);
        // A run is started after its lease is taken and finished before it is released: running without one, its process is gone.
        return await ExecuteAsync(connection, """
            UPDATE runs SET status = 'failed', finished_at = @now, failure = @failure
            WHERE status = 'running' AND run_id NOT IN (SELECT run_id FROM leases)
            """, cancellationToken, ("now", now), ("failure", Lease.LapsedFailure)).ConfigureAwait(false);
    }, cancellationToken);

    public Task StartRunAsync(string runId, string productKey, string node, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => await ExecuteAsync(connection, "INSERT INTO runs (run_id, product_key, status, started_at, node) VALUES (@run, @product, 'running', @now, @node)",
            cancellationToken, ("run", runId), ("product", productKey), ("now", _time.GetUtcNow()), ("node", node)).ConfigureAwait(false), cancellationToken);

    public Task FinishRunAsync(string runId, bool succeeded, string? failure, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => await ExecuteAsync(connection, "UPDATE runs SET status = @status, finished_at = @now, failure = @failure WHERE run_id = @run AND status = 'running'",
            cancellationToken, ("status", succeeded ? "succeeded" : "failed"), ("now", _time.GetUtcNow()), ("failure", failure), ("run", runId)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<RunRecord>> GetRunsAsync(string productKey, int limit, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<RunRecord>)await QueryAsync(connection,
            "SELECT run_id, product_key, status, started_at, finished_at, failure, node FROM runs WHERE product_key = @product ORDER BY started_at DESC, seq DESC LIMIT @limit",
            r => new RunRecord(r.GetString(0), r.GetString(1), r.GetString(2), Time(r, 3), NullableTime(r, 4), NullableString(r, 5), NullableString(r, 6)),
            cancellationToken, ("product", productKey), ("limit", limit)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<(string Product, string Status, long Count)>> GetRunCountsAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<(string, string, long)>>(async connection => await QueryAsync(connection,
            "SELECT product_key, status, count(*) FROM runs GROUP BY product_key, status ORDER BY 1, 2",
            r => (r.GetString(0), r.GetString(1), r.GetInt64(2)), cancellationToken).ConfigureAwait(false), cancellationToken);

    // ---- snapshots -----------------------------------------------------------------------------------------

    public Task PublishAsync(string productKey, string runId, IReadOnlyList<SnapshotRecord> snapshots, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        // The fencing check, in the pointer swap's own transaction; the share lock keeps a takeover waiting until this commits.
        var fenced = await QueryAsync(connection, "SELECT 1 FROM leases WHERE product_key = @product AND run_id = @run FOR SHARE", r => r.GetInt32(0), cancellationToken,
            ("product", productKey), ("run", runId)).ConfigureAwait(false);
        if (fenced.Count == 0)
        {
            throw new LeaseLostException(productKey, runId);
        }

        var now = _time.GetUtcNow();
        foreach (var snapshot in snapshots)
        {
            await ExecuteAsync(connection, "UPDATE snapshots SET superseded_at = @now WHERE address = @address AND superseded_at IS NULL",
                cancellationToken, ("now", now), ("address", snapshot.Address)).ConfigureAwait(false);
            await ExecuteAsync(connection, """
                INSERT INTO snapshots (address, snapshot, run_id, rows, quarantine_snapshot, quarantined, input_hash, created_at)
                VALUES (@address, @snapshot, @run, @rows, @quarantine, @quarantined, @hash, @created)
                """, cancellationToken, ("address", snapshot.Address), ("snapshot", snapshot.Snapshot), ("run", snapshot.RunId), ("rows", snapshot.Rows),
                ("quarantine", snapshot.QuarantineSnapshot), ("quarantined", snapshot.Quarantined), ("hash", snapshot.InputHash), ("created", snapshot.CreatedAt)).ConfigureAwait(false);
            var moved = await ExecuteAsync(connection, "UPDATE datasets SET current_snapshot = @snapshot, published_at = @now WHERE address = @address",
                cancellationToken, ("snapshot", snapshot.Snapshot), ("now", now), ("address", snapshot.Address)).ConfigureAwait(false);
            if (moved != 1)
            {
                // Throwing rolls the whole transaction back: no pointer moves.
                throw new InvalidOperationException($"Dataset '{snapshot.Address}' is not applied; run the plan before publishing.");
            }
        }

        return true;
    }, cancellationToken);

    private const string SnapshotColumns = "s.address, s.snapshot, s.run_id, s.rows, s.quarantine_snapshot, s.quarantined, s.input_hash, s.created_at";

    private static SnapshotRecord ReadSnapshot(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), NullableString(r, 4), r.GetInt64(5), r.GetString(6), Time(r, 7));

    public Task<SnapshotRecord?> GetCurrentSnapshotAsync(string address, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (await QueryAsync(connection, $"""
            SELECT {SnapshotColumns} FROM datasets d JOIN snapshots s ON s.address = d.address AND s.snapshot = d.current_snapshot WHERE d.address = @address
            """, ReadSnapshot, cancellationToken, ("address", address)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<(SnapshotRecord Snapshot, DateTimeOffset? SupersededAt)>> GetSnapshotsAsync(string productKey, CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<(SnapshotRecord, DateTimeOffset?)>>(async connection => await QueryAsync(connection, $"""
            SELECT {SnapshotColumns}, s.superseded_at FROM snapshots s JOIN datasets d ON d.address = s.address WHERE d.product_key = @product ORDER BY s.created_at, s.seq
            """, r => (ReadSnapshot(r), NullableTime(r, 8)), cancellationToken, ("product", productKey)).ConfigureAwait(false), cancellationToken);

    public Task ForgetSnapshotsAsync(IReadOnlyList<SnapshotRecord> snapshots, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (var snapshot in snapshots)
        {
            await ExecuteAsync(connection, "DELETE FROM snapshots WHERE address = @address AND snapshot = @snapshot AND superseded_at IS NOT NULL",
                cancellationToken, ("address", snapshot.Address), ("snapshot", snapshot.Snapshot)).ConfigureAwait(false);
        }

        return true;
    }, cancellationToken);

    // ---- checks, lineage, contracts, meta ------------------------------------------------------------------

    public Task RecordChecksAsync(string runId, string address, IReadOnlyList<CheckOutcome> outcomes, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection =>
        {
            ArgumentNullException.ThrowIfNull(outcomes);
            var now = _time.GetUtcNow();
            foreach (var outcome in outcomes)
            {
                await ExecuteAsync(connection, """
                    INSERT INTO check_results (run_id, address, name, metric, severity, status, value, message, checked_at)
                    VALUES (@run, @address, @name, @metric, @severity, @status, @value, @message, @now)
                    """, cancellationToken, ("run", runId), ("address", address), ("name", outcome.Check.Name), ("metric", outcome.Check.Metric.ToString()),
                    ("severity", outcome.Check.Severity.ToString().ToLowerInvariant()), ("status", outcome.Status.ToString().ToLowerInvariant()),
                    ("value", outcome.Value), ("message", outcome.Message), ("now", now)).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<CheckRecord>> GetCheckHistoryAsync(string address, int limit, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<CheckRecord>)await QueryAsync(connection,
            "SELECT run_id, address, name, status, value, message, checked_at FROM check_results WHERE address = @address ORDER BY checked_at DESC, seq DESC LIMIT @limit",
            r => new CheckRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDecimal(4), r.GetString(5), Time(r, 6)),
            cancellationToken, ("address", address), ("limit", limit)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<LineageEdge>> GetLineageAsync(CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<LineageEdge>)await QueryAsync(connection, "SELECT upstream, downstream, port FROM lineage_edges ORDER BY downstream, port, upstream",
            r => new LineageEdge(r.GetString(0), r.GetString(1), r.GetString(2)), cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<string?> GetContractDocumentAsync(string contractId, string version, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (await QueryAsync(connection, "SELECT document FROM contract_versions WHERE contract_id = @id AND version = @version", r => r.GetString(0), cancellationToken,
            ("id", contractId), ("version", version)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (await QueryAsync(connection, "SELECT value FROM meta WHERE key = @key", r => r.GetString(0), cancellationToken, ("key", key)).ConfigureAwait(false)).FirstOrDefault(),
        cancellationToken);

    public Task SetMetaAsync(string key, string value, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => await UpsertMetaAsync(connection, key, value, cancellationToken).ConfigureAwait(false), cancellationToken);

    private static Task<int> UpsertMetaAsync(NpgsqlConnection connection, string key, string value, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, "INSERT INTO meta (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            cancellationToken, ("key", key), ("value", value));

    public Task RecordAppliedMeshAsync(AppliedMesh mesh, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(mesh);
        // Applies record one at a time: forgetting an old mesh's contents must not race a new mesh that lists one of them.
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AppliedMeshLock})", cancellationToken).ConfigureAwait(false);
        var seq = (await QueryAsync(connection, "INSERT INTO applied_meshes (stamp, origin, applied_at) VALUES (@stamp, @origin, @at) RETURNING seq", r => r.GetInt64(0),
            cancellationToken, ("stamp", mesh.Stamp), ("origin", mesh.Origin), ("at", mesh.AppliedAt)).ConfigureAwait(false))[0];
        foreach (var file in mesh.Files)
        {
            await ExecuteAsync(connection, "INSERT INTO applied_contents (hash, content) VALUES (@hash, @content) ON CONFLICT (hash) DO NOTHING", cancellationToken,
                ("hash", file.Hash), ("content", file.Content)).ConfigureAwait(false);
            await ExecuteAsync(connection, "INSERT INTO applied_files (mesh, path, hash) VALUES (@mesh, @path, @hash)", cancellationToken,
                ("mesh", seq), ("path", file.Path), ("hash", file.Hash)).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, $"DELETE FROM applied_meshes WHERE seq NOT IN (SELECT seq FROM applied_meshes ORDER BY seq DESC LIMIT {AppliedMesh.Kept})", cancellationToken)
            .ConfigureAwait(false);
        await ExecuteAsync(connection, "DELETE FROM applied_contents c WHERE NOT EXISTS (SELECT 1 FROM applied_files f WHERE f.hash = c.hash)", cancellationToken).ConfigureAwait(false);
        await UpsertMetaAsync(connection, MetaKeys.Applied, mesh.Stamp, cancellationToken).ConfigureAwait(false);
        await UpsertMetaAsync(connection, MetaKeys.Repository, mesh.Origin, cancellationToken).ConfigureAwait(false);

        return true;
    }, cancellationToken);

    public Task<AppliedMesh?> GetAppliedMeshAsync(CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
    {
        // One statement: the files of the mesh that is current as it runs, never a mix of two applies.
        var rows = await QueryAsync(connection, """
            SELECT m.stamp, m.origin, m.applied_at, f.path, f.hash, c.content
            FROM meta JOIN applied_meshes m ON m.stamp = meta.value
                JOIN applied_files f ON f.mesh = m.seq JOIN applied_contents c ON c.hash = f.hash
            WHERE meta.key = @key ORDER BY f.path COLLATE "C"
            """, r => (Stamp: r.GetString(0), Origin: r.GetString(1), At: Time(r, 2),
                File: new AppliedFile(r.GetString(3), r.GetString(4), r.GetFieldValue<byte[]>(5))), cancellationToken, ("key", MetaKeys.Applied))
            .ConfigureAwait(false);
        return rows.Count == 0 ? null : new AppliedMesh(rows[0].Stamp, rows[0].Origin, rows[0].At, [.. rows.Select(r => r.File)]);
    }, cancellationToken);

    // ---- agreements ----------------------------------------------------------------------------------------

    public Task AddAgreementAsync(Agreement agreement, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(agreement);
        return await ExecuteAsync(connection, """
            INSERT INTO agreements (id, consumer, dataset, purpose, columns, ends_on, status, requested_at, decided_by, decided_at, reason)
            VALUES (@id, @consumer, @dataset, @purpose, @columns, @ends, @status, @requested, @by, @at, @reason)
            """, cancellationToken, ("id", agreement.Id), ("consumer", agreement.Consumer), ("dataset", agreement.Dataset), ("purpose", agreement.Purpose),
            ("columns", agreement.Columns is null ? null : JsonSerializer.Serialize(agreement.Columns)), ("ends", agreement.EndsOn),
            ("status", agreement.Status.ToString().ToLowerInvariant()), ("requested", agreement.RequestedAt), ("by", agreement.DecidedBy), ("at", agreement.DecidedAt),
            ("reason", agreement.Reason)).ConfigureAwait(false);
    }, cancellationToken);

    private const string AgreementColumns = "SELECT id, consumer, dataset, purpose, columns, ends_on, status, requested_at, decided_by, decided_at, reason FROM agreements";

    private static Agreement ReadAgreement(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : JsonSerializer.Deserialize<List<string>>(r.GetString(4)),
        r.IsDBNull(5) ? null : r.GetFieldValue<DateOnly>(5),
        Enum.Parse<AgreementStatus>(r.GetString(6), ignoreCase: true), Time(r, 7), NullableString(r, 8), NullableTime(r, 9), NullableString(r, 10));

    public Task<Agreement?> GetAgreementAsync(string id, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (await QueryAsync(connection, $"{AgreementColumns} WHERE id = @id", ReadAgreement, cancellationToken, ("id", id)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<Agreement>> ListAgreementsAsync(string? consumer, string? dataset, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<Agreement>)await QueryAsync(connection,
            $"{AgreementColumns} WHERE (@consumer::text IS NULL OR consumer = @consumer::text) AND (@dataset::text IS NULL OR dataset = @dataset::text) ORDER BY requested_at DESC, seq DESC",
            ReadAgreement, cancellationToken, ("consumer", consumer), ("dataset", dataset)).ConfigureAwait(false), cancellationToken);

    // One UPDATE with the expected status in its WHERE: a concurrent decision waits for the row, re-reads it, and changes nothing.
    public Task<bool> DecideAgreementAsync(string id, AgreementStatus current, AgreementStatus decision, string decidedBy, string? reason, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async connection => await ExecuteAsync(connection,
            "UPDATE agreements SET status = @to, decided_by = @by, decided_at = @at, reason = coalesce(@reason::text, reason) WHERE id = @id AND status = @from",
            cancellationToken, ("to", decision.ToString().ToLowerInvariant()), ("by", decidedBy), ("at", _time.GetUtcNow()), ("reason", reason),
            ("id", id), ("from", current.ToString().ToLowerInvariant())).ConfigureAwait(false) == 1, cancellationToken);

    // ---- audit ---------------------------------------------------------------------------------------------

    public Task<AuditRecord> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(entry);
        // One appender at a time across every process: the chain stays one line and seq never skips.
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({AuditLock})", cancellationToken).ConfigureAwait(false);
        var (seq, previous) = (await QueryAsync(connection,
            "SELECT coalesce(max(seq), 0) + 1, (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) FROM audit_log",
            r => (r.GetInt64(0), NullableString(r, 1) ?? AuditChain.Genesis), cancellationToken).ConfigureAwait(false))[0];

        // PostgreSQL keeps microseconds: the time hashed is the time stored.
        var at = Microseconds(_time.GetUtcNow());
        var hash = AuditChain.Hash(AuditSchemes.HmacSha256, _auditKey.Key, previous, Text(at), entry);
        await ExecuteAsync(connection, """
            INSERT INTO audit_log (seq, at, principal, action, resource, purpose, plan_digest, rows, outcome, detail, prev_hash, hash, scheme)
            VALUES (@seq, @at, @principal, @action, @resource, @purpose, @digest, @rows, @outcome, @detail, @prev, @hash, @scheme)
            """, cancellationToken, ("seq", seq), ("at", at), ("principal", entry.Principal), ("action", entry.Action), ("resource", entry.Resource),
            ("purpose", entry.Purpose), ("digest", entry.PlanDigest), ("rows", entry.Rows), ("outcome", entry.Outcome), ("detail", entry.Detail),
            ("prev", previous), ("hash", hash), ("scheme", AuditSchemes.HmacSha256)).ConfigureAwait(false);
        await UpsertMetaAsync(connection, MetaKeys.AuditHead, hash, cancellationToken).ConfigureAwait(false);
        return new AuditRecord(seq, at, entry, previous, hash, AuditSchemes.HmacSha256);
    }, cancellationToken);

    private const string AuditColumns = "SELECT seq, at, principal, action, resource, purpose, plan_digest, rows, outcome, detail, prev_hash, hash, scheme FROM audit_log";

    private static AuditRecord ReadAudit(NpgsqlDataReader r) => new(r.GetInt64(0), Time(r, 1),
        new AuditEntry(r.GetString(2), r.GetString(3), r.GetString(4), NullableString(r, 5), NullableString(r, 6), r.IsDBNull(7) ? null : r.GetInt64(7), r.GetString(8),
            NullableString(r, 9)),
        r.GetString(10), r.GetString(11), r.GetString(12));

    public Task<IReadOnlyList<string>> VerifyAuditAsync(string? anchoredHead = null, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        // One snapshot of the log and its head: an append committing meanwhile is seen in both or in neither.
        await ExecuteAsync(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", cancellationToken).ConfigureAwait(false);
        var records = await QueryAsync(connection, $"{AuditColumns} ORDER BY seq", ReadAudit, cancellationToken).ConfigureAwait(false);
        var head = (await QueryAsync(connection, "SELECT value FROM meta WHERE key = @key", r => r.GetString(0), cancellationToken, ("key", MetaKeys.AuditHead))
            .ConfigureAwait(false)).FirstOrDefault();
        return AuditChain.Verify(records, head, Text, _auditKey.Key, anchoredHead);
    }, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<AuditRecord>)await QueryAsync(connection, $"{AuditColumns} ORDER BY seq DESC LIMIT @limit", ReadAudit, cancellationToken, ("limit", limit))
            .ConfigureAwait(false), cancellationToken);

    // ---- registry ------------------------------------------------------------------------------------------

    /// <summary>A schema by id; a committed schema row never changes, so one read is kept (ids not found are not: another process may register them).</summary>
    public Task<RegisteredSchema?> GetSchemaAsync(int id, CancellationToken cancellationToken = default) =>
        _schemas.TryGetValue(id, out var kept) ? kept : ReadSchemaAsync(id, cancellationToken);

    private async Task<RegisteredSchema?> ReadSchemaAsync(int id, CancellationToken cancellationToken)
    {
        var schema = await WithConnectionAsync(async connection =>
            (await QueryAsync(connection, "SELECT id, schema_type, schema, refs FROM registry_schemas WHERE id = @id", ReadSchema, cancellationToken, ("id", id))
                .ConfigureAwait(false)).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
        if (schema is not null && _schemas.Count < KeptSchemasLimit)
        {
            _schemas.TryAdd(id, Task.FromResult<RegisteredSchema?>(schema));
        }

        return schema;
    }

    private const string FindSchemaSql =
        "SELECT id FROM registry_schemas WHERE schema_type = @type AND md5(canonical) = md5(@canonical) AND canonical = @canonical AND md5(refs) = md5(@refs) AND refs = @refs";

    public Task<int?> FindSchemaAsync(string schemaType, string canonical, IReadOnlyList<SchemaReference> references, CancellationToken cancellationToken = default) =>
        WithConnectionAsync(async connection => (await QueryAsync(connection, FindSchemaSql, r => (int?)r.GetInt32(0), cancellationToken,
            ("type", schemaType), ("canonical", canonical), ("refs", JsonSerializer.Serialize(references, Json))).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<RegistrationOutcome> RegisterAsync(string subject, string schemaType, string schema, string canonical, IReadOnlyList<SchemaReference> references,
        Func<IReadOnlyList<RegisteredSchema>, IReadOnlyList<string>> check, CancellationToken cancellationToken = default) => InTransactionAsync(async connection =>
    {
        ArgumentNullException.ThrowIfNull(check);
        // Registrations run one at a time across every process, as SQLite's single writer runs them: one id per schema, one number per version.
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({RegistryLock})", cancellationToken).ConfigureAwait(false);
        var refs = JsonSerializer.Serialize(references, Json);
        var existing = (await QueryAsync(connection, FindSchemaSql, r => (int?)r.GetInt32(0), cancellationToken,
            ("type", schemaType), ("canonical", canonical), ("refs", refs)).ConfigureAwait(false)).FirstOrDefault();

        var live = await QueryAsync(connection, """
            SELECT v.version, s.id, s.schema_type, s.schema, s.refs FROM registry_versions v JOIN registry_schemas s ON s.id = v.schema_id
            WHERE v.subject = @subject AND NOT v.deleted ORDER BY v.version
            """, r => (Version: r.GetInt32(0), Schema: new RegisteredSchema(r.GetInt32(1), r.GetString(2), r.GetString(3),
                JsonSerializer.Deserialize<List<SchemaReference>>(r.GetString(4), Json) ?? [])), cancellationToken, ("subject", subject)).ConfigureAwait(false);

        if (existing is { } known && live.FirstOrDefault(l => l.Schema.Id == known) is { Schema: not null } same)
        {
            return new RegistrationOutcome(known, same.Version, false, []);
        }

        var refusals = check([.. live.Select(l => l.Schema)]);
        if (refusals.Count > 0)
        {
            return new RegistrationOutcome(0, 0, false, refusals);
        }

        var schemaId = existing ?? (await QueryAsync(connection, "INSERT INTO registry_schemas (schema_type, schema, canonical, refs) VALUES (@type, @schema, @canonical, @refs) RETURNING id",
            r => r.GetInt32(0), cancellationToken, ("type", schemaType), ("schema", schema), ("canonical", canonical), ("refs", refs)).ConfigureAwait(false))[0];
        var version = (await QueryAsync(connection, "SELECT coalesce(max(version), 0) + 1 FROM registry_versions WHERE subject = @subject", r => r.GetInt32(0),
            cancellationToken, ("subject", subject)).ConfigureAwait(false))[0];
        await ExecuteAsync(connection, "INSERT INTO registry_versions (subject, version, schema_id) VALUES (@subject, @version, @id)", cancellationToken,
            ("subject", subject), ("version", version), ("id", schemaId)).ConfigureAwait(false);
        return new RegistrationOutcome(schemaId, version, true, []);
    }, cancellationToken);

    public Task<IReadOnlyList<string>> SubjectsAsync(bool includeDeleted, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<string>)await QueryAsync(connection, "SELECT DISTINCT subject FROM registry_versions WHERE @all OR NOT deleted ORDER BY subject",
            r => r.GetString(0), cancellationToken, ("all", includeDeleted)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<SubjectVersion>> VersionsAsync(string subject, bool includeDeleted, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<SubjectVersion>)await QueryAsync(connection,
            "SELECT subject, version, schema_id, deleted FROM registry_versions WHERE subject = @subject AND (@all OR NOT deleted) ORDER BY version",
            ReadVersion, cancellationToken, ("subject", subject), ("all", includeDeleted)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<SubjectVersion>> UsagesAsync(int schemaId, bool includeDeleted, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (IReadOnlyList<SubjectVersion>)await QueryAsync(connection,
            "SELECT subject, version, schema_id, deleted FROM registry_versions WHERE schema_id = @id AND (@all OR NOT deleted) ORDER BY subject, version",
            ReadVersion, cancellationToken, ("id", schemaId), ("all", includeDeleted)).ConfigureAwait(false), cancellationToken);

    public Task<IReadOnlyList<int>> DeleteVersionsAsync(string subject, IReadOnlyList<int> versions, bool permanent, CancellationToken cancellationToken = default) =>
        InTransactionAsync<IReadOnlyList<int>>(async connection =>
        {
            ArgumentNullException.ThrowIfNull(versions);
            var done = new List<int>();
            foreach (var version in versions)
            {
                var sql = permanent
                    ? "DELETE FROM registry_versions WHERE subject = @subject AND version = @version AND deleted"
                    : "UPDATE registry_versions SET deleted = true WHERE subject = @subject AND version = @version AND NOT deleted";
                if (await ExecuteAsync(connection, sql, cancellationToken, ("subject", subject), ("version", version)).ConfigureAwait(false) == 1)
                {
                    done.Add(version);
                }
            }

            return done;
        }, cancellationToken);

    public Task<bool> IsReferencedAsync(string subject, int version, CancellationToken cancellationToken = default) => WithConnectionAsync(async connection =>
        (await QueryAsync(connection, """
            SELECT EXISTS (
                SELECT 1 FROM registry_schemas s, jsonb_array_elements(s.refs::jsonb) r
                WHERE r ->> 'subject' = @subject AND (r ->> 'version')::integer = @version
                  AND EXISTS (SELECT 1 FROM registry_versions v WHERE v.schema_id = s.id AND NOT v.deleted))
            """, r => r.GetBoolean(0), cancellationToken, ("subject", subject), ("version", version)).ConfigureAwait(false))[0], cancellationToken);

    public Task<string?> GetRegistryConfigAsync(string subject, string field, CancellationToken cancellationToken = default)
    {
        var column = ConfigField(field);
        return WithConnectionAsync(async connection =>
            (await QueryAsync(connection, $"SELECT {column} FROM registry_config WHERE subject = @subject", r => NullableString(r, 0), cancellationToken,
                ("subject", subject)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);
    }

    public Task SetRegistryConfigAsync(string subject, string field, string? value, CancellationToken cancellationToken = default)
    {
        var column = ConfigField(field);
        return InTransactionAsync(async connection => await ExecuteAsync(connection,
            $"INSERT INTO registry_config (subject, {column}) VALUES (@subject, @value::text) ON CONFLICT (subject) DO UPDATE SET {column} = excluded.{column}",
            cancellationToken, ("subject", subject), ("value", value)).ConfigureAwait(false), cancellationToken);
    }

    private static string ConfigField(string field) => field is "compatibility" or "mode" ? field : throw new ArgumentOutOfRangeException(nameof(field), field, "compatibility or mode");

    private static RegisteredSchema ReadSchema(NpgsqlDataReader r) =>
        new(r.GetInt32(0), r.GetString(1), r.GetString(2), JsonSerializer.Deserialize<List<SchemaReference>>(r.GetString(3), Json) ?? []);

    private static SubjectVersion ReadVersion(NpgsqlDataReader r) => new(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetBoolean(3));

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    // ---- plumbing ------------------------------------------------------------------------------------------

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken) =>
        await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            return await action(connection).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (Unavailable(_display, e) is { } fault)
        {
            throw fault;
        }
    }

    /// <summary>A read-committed transaction: committed when the action returns, rolled back when it throws.</summary>
    private Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, Task<T>> action, CancellationToken cancellationToken) => WithConnectionAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await action(connection).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }, cancellationToken);

    private static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }

        return list;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        // Every statement is this class's own text; values travel as parameters only.
#pragma warning disable CA2100
        var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            // timestamptz takes UTC only.
            command.Parameters.AddWithValue(name, value switch
            {
                null => DBNull.Value,
                DateTimeOffset time => time.ToUniversalTime(),
                _ => value,
            });
        }

        return command;
    }

    private static DateTimeOffset Microseconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % 10));
    }

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(NpgsqlDataReader r, int ordinal) => r.GetFieldValue<DateTimeOffset>(ordinal);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);

    private static string? NullableString(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static PortStatus ParseStatus(string status) => status switch
    {
        "deprecated" => PortStatus.Deprecated,
        "dropped" => PortStatus.Dropped,
        _ => PortStatus.Live,
    };
}
