using System.Data.Common;
using System.Globalization;
using System.Text;
using Meshwork.Engines.DuckDb;
using Meshwork.Engines.Ir;
using Npgsql;
using static Meshwork.Engines.Sql.SqlDialect;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// A domain's PostgreSQL as its pipeline engine, one session per run: the transform SQL, the contract's validation
/// with its quarantine and the quality checks run in PostgreSQL, on session tables that go with the session. Files
/// are read and snapshots written by an embedded DuckDB session beside it, so published datasets are Parquet
/// snapshots like every other engine's and any engine reads them. Each published version is also kept as a table in
/// the database's <see cref="Schema"/> schema (<c>"address@version"</c>), and the view named by the address shows the
/// current one (<see cref="IVersionedEngine"/>).
/// </summary>
public sealed class PostgresEngine : IComputeEngine, IVersionedEngine
{
    // The HMAC pads of a filter's keyed hash (PostgresMasks reads them from a relation), there only while its statements run.
    private const string HmacKeys = "pg_temp.\"__mw_hmac_key\"";

    private readonly NpgsqlConnection _connection;
    private readonly DuckDbEngine _files;
    private readonly string _scratch;
    private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);

    private PostgresEngine(NpgsqlConnection connection, DuckDbEngine files, string scratch)
    {
        _connection = connection;
        _files = files;
        _scratch = scratch;
    }

    /// <summary>The schema of the published versions and of the views of the current ones.</summary>
    public const string Schema = "meshwork_data";

    public string Name => "postgres";

    /// <summary>
    /// Opens a session on the database <paramref name="connection"/> names (a PostgreSQL URI or an Npgsql connection
    /// string). Throws <see cref="EngineException"/> saying why it cannot, without the connection's secrets.
    /// </summary>
    public static async Task<PostgresEngine> OpenAsync(string connection, DuckDbEngineOptions? files = null, CancellationToken cancellationToken = default)
    {
        var (session, _) = await OpenSessionAsync(connection, cancellationToken).ConfigureAwait(false);
        var scratch = Path.Combine(Path.GetTempPath(), "meshwork-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        return new PostgresEngine(session, await DuckDbEngine.OpenAsync(files, cancellationToken).ConfigureAwait(false), scratch);
    }

    /// <summary>
    /// Opens a connection on the database <paramref name="connection"/> names, set up as every Meshwork session is (UTC,
    /// ISO text forms, no statement timeout). Throws <see cref="EngineException"/> saying why it cannot, without the secrets.
    /// </summary>
    internal static async Task<(NpgsqlConnection Connection, NpgsqlConnectionStringBuilder Builder)> OpenSessionAsync(string connection, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = PostgresConnection.Parse(connection, "engine connection");
        }
        catch (ArgumentException e)
        {
            throw new EngineException(e.Message, e);
        }

        builder.ApplicationName ??= "meshwork";
        // A run's statements take as long as its data needs (Npgsql's default would stop one at 30 s); a run is
        // bounded by its caller's cancellation and its lease, not by a statement timeout.
        builder.CommandTimeout = 0;
        var session = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await session.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Text forms are read and written in ISO, in UTC: the same on every server, whatever its settings.
            await using var setup = new NpgsqlCommand("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';\n" + PostgresSql.SessionFunctions, session);
            await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever stops the session (refused, unknown host, a setting the server rejects) fails this run only.
            await session.DisposeAsync().ConfigureAwait(false);
            throw new EngineException($"{PostgresConnection.Describe(builder)} cannot be reached: {(e as PostgresException)?.MessageText ?? e.Message}", e);
        }

        return (session, builder);
    }

    public async Task<IReadOnlyList<RelationColumn>> IntrospectAsync(string relation, CancellationToken cancellationToken = default)
    {
        var columns = await PostgresConnection.ColumnsAsync(_connection, Identifier(relation), cancellationToken).ConfigureAwait(false);
        return columns.Count > 0 ? columns : throw new EngineException($"There is no relation '{relation}' in this session.");
    }

    public Task ProvisionAsync(string address, CancellationToken cancellationToken = default)
    {
        if (address.Split('.').Length != 3)
        {
            throw new EngineException($"'{address}' is not a dataset address (domain.product.object_vN).");
        }

        _addresses.Add(address);
        return Task.CompletedTask;
    }

    public async Task LoadAsync(SourceFile source, string relation, CancellationToken cancellationToken = default)
    {
        await _files.LoadAsync(source, relation, cancellationToken).ConfigureAwait(false);
        await CopyInAsync(relation, cancellationToken).ConfigureAwait(false);
    }

    public async Task AttachAsync(string address, string snapshotPath, CancellationToken cancellationToken = default)
    {
        await ProvisionAsync(address, cancellationToken).ConfigureAwait(false);
        await _files.AttachAsync(address, snapshotPath, cancellationToken).ConfigureAwait(false);
        await CopyInAsync(address, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The governed view is made by the embedded engine (same IR, same masks); only what it lets through is copied here.</summary>
    public async Task AttachGovernedAsync(GovernedView view, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        await ProvisionAsync(view.Address, cancellationToken).ConfigureAwait(false);
        await _files.AttachGovernedAsync(view, maskKey, cancellationToken).ConfigureAwait(false);
        await CopyInAsync(view.Address, cancellationToken).ConfigureAwait(false);
    }

    public Task TransformAsync(string sql, string relation, CancellationToken cancellationToken = default) =>
        ExecuteAsync(PostgresSql.Instance.CreateTempTable(Identifier(relation), SqlAddresses.Rewrite(sql.Trim().TrimEnd(';'), _addresses)), cancellationToken, "The transform failed");

    public async Task<ValidationOutcome> ValidateAsync(DatasetSpec spec, string input, string runId, CancellationToken cancellationToken = default) =>
        await Sql.ContractValidation.RunAsync(PostgresSql.Instance, spec, input, Identifier(input), runId,
            (await IntrospectAsync(input, cancellationToken).ConfigureAwait(false)).Select(c => c.Name),
            (statement, context) => ExecuteAsync(statement, cancellationToken, context),
            async query => (long)await ScalarAsync(query, "Counting", cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>
    /// Exports the relation from PostgreSQL as CSV (every value quoted, so an empty text and a NULL stay apart) and
    /// writes it as a Parquet snapshot in the relation's own types through the embedded engine, atomically.
    /// </summary>
    public async Task<SnapshotInfo> PublishAsync(string relation, string folder, IReadOnlyList<string>? clusterBy = null, CancellationToken cancellationToken = default)
    {
        var columns = await IntrospectAsync(relation, cancellationToken).ConfigureAwait(false);
        var file = Path.Combine(_scratch, Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            var select = string.Join(", ", columns.Select(c => Exported(c)));
            await PostgresConnection.CopyOutAsync(_connection, $"COPY (SELECT {select} FROM {Identifier(relation)}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)", file, hash: false, cancellationToken).ConfigureAwait(false);

            var staged = "__mw_publish_" + Guid.NewGuid().ToString("N");
            await _files.StageCsvAsync(staged, file, [.. columns.Select(c => (c.Name, DuckDbType(c.EngineType)))], cancellationToken).ConfigureAwait(false);
            return await _files.PublishAsync(staged, folder, clusterBy, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new EngineException($"Writing snapshot of {relation}: {(e as PostgresException)?.MessageText ?? e.Message}", e);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async Task<long> RemoveRowsAsync(string relation, FilterExpr remove, ReadOnlyMemory<byte> key, string into, CancellationToken cancellationToken = default)
    {
        // Counted first, and written under another name before it takes into's: into may be relation itself.
        var before = await CountAsync(Identifier(relation), cancellationToken).ConfigureAwait(false);
        const string Kept = "pg_temp.\"__mw_kept\"";
        await ExecuteAsync(Keyed(key.Span,
            $"DROP TABLE IF EXISTS {Kept};\nCREATE TEMP TABLE {Kept} AS SELECT * FROM {Identifier(relation)} WHERE NOT coalesce({Condition(remove)}, FALSE);\n" +
            $"DROP TABLE IF EXISTS pg_temp.{Identifier(into)} CASCADE;\nALTER TABLE {Kept} RENAME TO {Identifier(into)};\n"),
            cancellationToken, $"Removing rows from {relation}").ConfigureAwait(false);
        return before - await CountAsync(Identifier(into), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Snapshots are Parquet files whatever the engine: the embedded engine counts them.</summary>
    public Task<long> CountSnapshotRowsAsync(string snapshotFolder, FilterExpr match, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        _files.CountSnapshotRowsAsync(snapshotFolder, match, key, cancellationToken);

    /// <summary>Snapshots are Parquet files whatever the engine: the embedded engine rewrites them.</summary>
    public Task<SnapshotRewrite> RewriteSnapshotAsync(string snapshotFolder, FilterExpr remove, ReadOnlyMemory<byte> key, string targetFolder, CancellationToken cancellationToken = default) =>
        _files.RewriteSnapshotAsync(snapshotFolder, remove, key, targetFolder, cancellationToken);

    public async Task<IReadOnlyList<CheckOutcome>> RunChecksAsync(DatasetSpec spec, string relation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var outcomes = new List<CheckOutcome>();
        foreach (var check in spec.Checks)
        {
            try
            {
                var sql = SqlAddresses.Rewrite(PostgresSql.Instance.Measure(check, Identifier(relation)), _addresses);
                outcomes.Add(Outcome(check, await ScalarAsync(sql, "The check query failed", cancellationToken).ConfigureAwait(false)));
            }
            catch (EngineException e)
            {
                // Stored and shown to every reader of the dataset's quality: no value the check query met.
                outcomes.Add(new CheckOutcome(check, null, CheckStatus.Error, EngineMessages.Redact(e.Message)));
            }
        }

        return outcomes;
    }

    public async Task<DbDataReader> ReadAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(SqlAddresses.Rewrite(sql, _addresses), _connection);
        try
        {
            return await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new EngineException(e.MessageText, e);
        }
    }

    public Task PublishVersionAsync(string relation, string address, string version, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            $"CREATE SCHEMA IF NOT EXISTS {Identifier(Schema)};\nDROP TABLE IF EXISTS {VersionTable(address, version)};\n" +
            $"CREATE TABLE {VersionTable(address, version)} AS SELECT * FROM {Identifier(relation)}",
            cancellationToken, $"Writing version {version} of {address}");

    public async Task MakeCurrentAsync(IReadOnlyList<DatasetVersion> versions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versions);
        // The newest version wins, whatever order runs finish in: a run that lost its lease and switches late never
        // takes a newer run's version back (versions sort by time). Views are dropped and created again (a new minor
        // version may change the columns); DDL is transactional, so a reader sees the previous view or the new one.
        var schema = Identifier(Schema);
        var sql = new StringBuilder(
            $"CREATE SCHEMA IF NOT EXISTS {schema};\nCREATE TABLE IF NOT EXISTS {schema}.\"_current\" (address text PRIMARY KEY, version text NOT NULL);\n" +
            $"LOCK TABLE {schema}.\"_current\" IN EXCLUSIVE MODE;\n");
        foreach (var v in versions)
        {
            var view = $"{schema}.{Identifier(Shortened(v.Address, null))}";
            sql.Append(CultureInfo.InvariantCulture,
                $"DO $mw$ BEGIN IF NOT EXISTS (SELECT 1 FROM {schema}.\"_current\" WHERE address = {Literal(v.Address)} AND version >= {Literal(v.Version)}) THEN " +
                $"INSERT INTO {schema}.\"_current\" VALUES ({Literal(v.Address)}, {Literal(v.Version)}) ON CONFLICT (address) DO UPDATE SET version = excluded.version; " +
                $"DROP VIEW IF EXISTS {view}; CREATE VIEW {view} AS SELECT * FROM {VersionTable(v.Address, v.Version)}; END IF; END $mw$;\n");
        }

        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(sql.ToString(), cancellationToken, "Making the published versions current").ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> CopyVersionAsync(DatasetVersion from, string version, FilterExpr remove, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        var source = VersionTable(from.Address, from.Version);
        if ((await PostgresConnection.ColumnsAsync(_connection, source, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return false;
        }

        // As PublishVersionAsync: a rerun replaces the copy it left (never the current version: its view depends on it).
        var target = VersionTable(from.Address, version);
        await ExecuteAsync(Keyed(key.Span,
            $"DROP TABLE IF EXISTS {target};\nCREATE TABLE {target} AS SELECT * FROM {source} WHERE NOT coalesce({Condition(remove)}, FALSE);\n"),
            cancellationToken, $"Writing version {version} of {from.Address} from version {from.Version}").ConfigureAwait(false);
        return true;
    }

    public Task DropVersionsAsync(IReadOnlyList<DatasetVersion> versions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versions);
        // The current version is never dropped: its view depends on it, so PostgreSQL refuses, and that one is kept.
        return versions.Count == 0
            ? Task.CompletedTask
            : ExecuteAsync(string.Concat(versions.Select(v =>
                $"DO $mw$ BEGIN DROP TABLE IF EXISTS {VersionTable(v.Address, v.Version)}; EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $mw$;\n")),
                cancellationToken, "Dropping expired versions");
    }

    public Task EraseVersionsAsync(IReadOnlyList<DatasetVersion> versions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(versions);
        // CASCADE drops the views of reads in flight on them; the current version (its dataset's view) is never among them.
        var schema = Identifier(Schema);
        return versions.Count == 0
            ? Task.CompletedTask
            : ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema};\nCREATE TABLE IF NOT EXISTS {schema}.\"_current\" (address text PRIMARY KEY, version text NOT NULL);\n" + string.Concat(versions.Select(v =>
                $"DO $mw$ BEGIN IF NOT EXISTS (SELECT 1 FROM {schema}.\"_current\" WHERE address = {Literal(v.Address)} AND version = {Literal(v.Version)}) THEN " +
                $"DROP TABLE IF EXISTS {VersionTable(v.Address, v.Version)} CASCADE; END IF; END $mw$;\n")),
                cancellationToken, "Erasing versions");
    }

    internal static string VersionTable(string address, string version) => $"{Identifier(Schema)}.{Identifier(Shortened(address, version))}";

    /// <summary>
    /// The name of a dataset's view (<paramref name="version"/> null) or of one of its version tables: the address, and
    /// <c>@version</c>. PostgreSQL cuts names at 63 bytes, which could make two versions one: a longer address is cut
    /// and marked with a hash of it (<c>customers.customer_va~1a2b3c4d@20261207T…</c>).
    /// </summary>
    internal static string Shortened(string address, string? version)
    {
        const int Limit = 63;
        var suffix = version is null ? string.Empty : "@" + version;
        if (Encoding.UTF8.GetByteCount(address + suffix) <= Limit)
        {
            return address + suffix;
        }

        var hash = "~" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(address)))[..8];
        return address[..Math.Max(0, Limit - hash.Length - suffix.Length)] + hash + suffix;
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _files.DisposeAsync().ConfigureAwait(false);
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    /// <summary>
    /// Copies a relation of the embedded engine (an input port or a dataset address) into the session table of the same
    /// name, in PostgreSQL's text COPY form: each value as DuckDB writes it in text, parsed by PostgreSQL into its type.
    /// </summary>
    private async Task CopyInAsync(string relation, CancellationToken cancellationToken)
    {
        var table = Identifier(relation);
        var columns = await _files.IntrospectAsync(relation, cancellationToken).ConfigureAwait(false);
        var types = columns.Select(c => PostgresType(c.EngineType)).ToList();
        var definition = string.Join(", ", columns.Select((c, i) => $"{Identifier(c.Name)} {types[i]}"));
        await ExecuteAsync($"DROP TABLE IF EXISTS {table} CASCADE; CREATE TEMP TABLE {table} ({definition})", cancellationToken, $"Creating {relation}").ConfigureAwait(false);
        var texts = string.Join(", ", columns.Select((c, i) => types[i] == "json" && c.EngineType != "JSON"
            ? $"CAST(to_json({Identifier(c.Name)}) AS VARCHAR)"
            : $"CAST({Identifier(c.Name)} AS VARCHAR)"));
        try
        {
            await using var reader = await _files.ReadAsync($"SELECT {texts} FROM {Relation(relation)}", cancellationToken).ConfigureAwait(false);
            await using var import = await _connection.BeginTextImportAsync($"COPY {table} FROM STDIN", cancellationToken).ConfigureAwait(false);
            var line = new StringBuilder();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                line.Clear();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (i > 0)
                    {
                        line.Append('\t');
                    }

                    if (reader.IsDBNull(i))
                    {
                        line.Append("\\N");
                        continue;
                    }

                    foreach (var ch in reader.GetString(i))
                    {
                        _ = ch switch
                        {
                            '\\' => line.Append("\\\\"),
                            '\t' => line.Append("\\t"),
                            '\n' => line.Append("\\n"),
                            '\r' => line.Append("\\r"),
                            _ => line.Append(ch),
                        };
                    }
                }

                line.Append('\n');
                await import.WriteAsync(line.ToString().AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException e)
        {
            throw new EngineException($"Copying {relation} into PostgreSQL: {e.MessageText}", e);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, string? context = null)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new EngineException(context is null ? e.MessageText : $"{context}: {e.MessageText}", e);
        }
    }

    private async Task<decimal> ScalarAsync(string sql, string context, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection);
        try
        {
            return ToNumber(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (PostgresException e)
        {
            // PostgreSQL names no column in a failure met while running; the statement says where (the check's SQL, not data).
            throw new EngineException($"{context}: {e.MessageText} (in {string.Join(' ', sql.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries))})", e);
        }
    }

    private async Task<long> CountAsync(string relation, CancellationToken cancellationToken) =>
        (long)await ScalarAsync($"SELECT count(*) FROM {relation}", "Counting", cancellationToken).ConfigureAwait(false);

    /// <summary>A row filter as a condition; a keyed hash in it reads its key from <see cref="HmacKeys"/> (see <see cref="Keyed"/>).</summary>
    private static string Condition(FilterExpr filter) => PostgresSql.Instance.Filter(filter, new PostgresMasks(HmacKeys, "\"C\""));

    /// <summary>
    /// <paramref name="statements"/> with <paramref name="key"/>'s HMAC pads in a session table around them. One batch is
    /// one transaction: the key is gone when they end, and nothing of them stays when one fails.
    /// </summary>
    private static string Keyed(ReadOnlySpan<byte> key, string statements) =>
        $"DROP TABLE IF EXISTS {HmacKeys};\n" + PostgresMasks.CreateKeys(HmacKeys, key, temporary: true) + statements + $"DROP TABLE {HmacKeys};";

    /// <summary>A column as text DuckDB reads back into its type: booleans spelled out, lists as JSON.</summary>
    private static string Exported(RelationColumn column)
    {
        var c = Identifier(column.Name);
        return column.EngineType switch
        {
            "boolean" => $"CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END",
            var t when t.EndsWith("[]", StringComparison.Ordinal) => $"CAST(to_json({c}) AS text)",
            _ => $"CAST({c} AS text)",
        };
    }

    /// <summary>The DuckDB type a PostgreSQL column is written as.</summary>
    internal static string DuckDbType(string postgres) => postgres switch
    {
        "integer" => "INTEGER",
        "bigint" => "BIGINT",
        "smallint" => "SMALLINT",
        "double precision" => "DOUBLE",
        "real" => "FLOAT",
        "boolean" => "BOOLEAN",
        "date" => "DATE",
        "timestamp without time zone" => "TIMESTAMP",
        "timestamp with time zone" => "TIMESTAMPTZ",
        "time without time zone" => "TIME",
        "json" or "jsonb" => "JSON",
        "uuid" => "UUID",
        "numeric" => "DOUBLE",
        var t when t.StartsWith("numeric(", StringComparison.Ordinal) && int.Parse(t[8..t.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture) <= 38 => "DECIMAL" + t[7..],
        var t when t.StartsWith("numeric(", StringComparison.Ordinal) => "DOUBLE",
        var t when t.EndsWith("[]", StringComparison.Ordinal) => DuckDbType(t[..^2]) + "[]",
        _ => "VARCHAR",
    };

    /// <summary>The PostgreSQL type a DuckDB column is copied into; nested values as JSON.</summary>
    internal static string PostgresType(string duckDb) => duckDb switch
    {
        "VARCHAR" => "text",
        "INTEGER" => "integer",
        "BIGINT" => "bigint",
        "SMALLINT" or "TINYINT" or "UTINYINT" => "smallint",
        "USMALLINT" or "UINTEGER" => "bigint",
        "HUGEINT" or "UBIGINT" or "UHUGEINT" => "numeric",
        "DOUBLE" => "double precision",
        "FLOAT" => "real",
        "BOOLEAN" => "boolean",
        "DATE" => "date",
        "TIMESTAMP" or "TIMESTAMP_NS" or "TIMESTAMP_MS" or "TIMESTAMP_S" => "timestamp",
        "TIMESTAMP WITH TIME ZONE" => "timestamptz",
        "TIME" => "time",
        "JSON" => "json",
        "UUID" => "uuid",
        var t when t.StartsWith("DECIMAL(", StringComparison.Ordinal) => "numeric" + t[7..],
        var t when t.EndsWith(']') || t.StartsWith("STRUCT", StringComparison.Ordinal) || t.StartsWith("MAP", StringComparison.Ordinal) => "json",
        _ => "text",
    };
}
