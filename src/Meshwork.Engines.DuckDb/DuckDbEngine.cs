using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Meshwork.Engines.Ir;
using static Meshwork.Engines.DuckDb.DuckDbSql;

namespace Meshwork.Engines.DuckDb;

/// <summary>
/// The embedded default engine: one in-memory DuckDB database per session. Sources and snapshots are read in
/// place (CSV, JSON, Parquet); datasets are published as Parquet snapshots; domains become attached in-memory
/// catalogs so a dataset's address is its three-part SQL name.
/// </summary>
public sealed partial class DuckDbEngine : IEngine
{
    // Only the bundled extensions exist offline; a failed autoload would first try the network (DESIGN.md §11).
    private const string ConnectionString = "Data Source=:memory:;autoinstall_known_extensions=false;autoload_known_extensions=false";

    private readonly DuckDBConnection _connection;

    private DuckDbEngine(DuckDBConnection connection) => _connection = connection;

    public string Name => "duckdb";

    public static async Task<DuckDbEngine> OpenAsync(DuckDbEngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var connection = new DuckDBConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var engine = new DuckDbEngine(connection);
        if (options?.MemoryLimit is { } memory)
        {
            await engine.ExecuteAsync($"SET memory_limit = {Literal(memory)}", cancellationToken).ConfigureAwait(false);
        }

        if (options?.Threads is { } threads)
        {
            await engine.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SET threads = {threads}"), cancellationToken).ConfigureAwait(false);
        }

        if (options?.TempDirectory is { } temp)
        {
            await engine.ExecuteAsync($"SET temp_directory = {Literal(temp)}", cancellationToken).ConfigureAwait(false);
        }

        return engine;
    }

    public async Task<IReadOnlyList<RelationColumn>> IntrospectAsync(string relation, CancellationToken cancellationToken = default)
    {
        var columns = new List<RelationColumn>();
        await using var reader = await ReadAsync($"DESCRIBE SELECT * FROM {Relation(relation)}", cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns.Add(new RelationColumn(reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    public async Task ProvisionAsync(string address, CancellationToken cancellationToken = default)
    {
        var parts = address.Split('.');
        if (parts.Length != 3)
        {
            throw new EngineException($"'{address}' is not a dataset address (domain.product.object_vN).");
        }

        if (parts[0] is "memory" or "system" or "temp" or "main")
        {
            throw new EngineException($"The domain name '{parts[0]}' is reserved by DuckDB; rename the domain.");
        }

        await ExecuteAsync($"ATTACH IF NOT EXISTS ':memory:' AS {Identifier(parts[0])}", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Identifier(parts[0])}.{Identifier(parts[1])}", cancellationToken).ConfigureAwait(false);
    }

    public Task LoadAsync(SourceFile source, string relation, CancellationToken cancellationToken = default)
    {
        var path = Literal(source.Path);
        // CSV columns are read as text: the contract decides the types, and a bad value is quarantined with
        // its original text rather than guessed into another type.
        var read = source.Format switch
        {
            SourceFormat.Csv => $"read_csv({path}, header = true, all_varchar = true)",
            SourceFormat.Parquet => $"read_parquet({path})",
            SourceFormat.Json => $"read_json_auto({path})",
            _ => throw new ArgumentOutOfRangeException(nameof(source), source.Format, "Unknown source format."),
        };
        return ExecuteAsync($"CREATE OR REPLACE TEMP VIEW {Identifier(relation)} AS SELECT * FROM {read}", cancellationToken,
            $"Reading {source.Path} as {source.Format.ToString().ToLowerInvariant()} for {relation}");
    }

    public async Task AttachAsync(string address, string snapshotPath, CancellationToken cancellationToken = default)
    {
        await ProvisionAsync(address, cancellationToken).ConfigureAwait(false);
        var files = Literal(Path.Combine(snapshotPath, "*.parquet"));
        await ExecuteAsync($"CREATE OR REPLACE VIEW {Address(address)} AS SELECT * FROM read_parquet({files})", cancellationToken,
            $"Attaching snapshot {snapshotPath} as {address}").ConfigureAwait(false);
    }

    public Task TransformAsync(string sql, string relation, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {Identifier(relation)} AS {sql.Trim().TrimEnd(';')}", cancellationToken, "The transform failed");

    public async Task<ValidationOutcome> ValidateAsync(DatasetSpec spec, string input, string runId, CancellationToken cancellationToken = default)
    {
        var present = (await IntrospectAsync(input, cancellationToken).ConfigureAwait(false)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = spec.Columns.Where(c => !present.Contains(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new EngineException($"'{input}' has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which contract '{spec.ContractId}' requires for '{spec.Address}'.");
        }

        var types = spec.Columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        var suffix = Sanitize(spec.Address);
        var source = Relation(input);
        var checkedRelation = Identifier($"__mw_checked_{suffix}");
        var keys = spec.Rules.OfType<UniqueKey>().ToList();

        // Pass 1 reads the input once: every value cast, every rule but uniqueness checked, raw text kept only
        // for rows that failed.
        await ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {checkedRelation} AS\n{CheckedRows(spec, types, source, keys, duplicates: null)}",
            cancellationToken, $"Validating {input} against contract {spec.ContractId}").ConfigureAwait(false);

        // Pass 2 finds duplicated keys in the typed values by sorting them and comparing each with the one
        // before: measured 2-3x faster than a hash aggregate with one group per row, and no second read.
        var duplicates = new List<string>();
        long duplicated = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"__mw_dup_{suffix}_{i}");
            var table = Identifier(name);
            var key = keys[i].Columns.Select(Identifier).ToList();
            var previous = string.Join(", ", key.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"lag({c}) OVER w AS __mw_p{j}")));
            var repeated = string.Join(" AND ", key.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"{c} = __mw_p{j}")));
            var notNull = string.Join(" AND ", key.Select(c => $"{c} IS NOT NULL"));
            await ExecuteAsync(
                $"CREATE OR REPLACE TEMP TABLE {table} AS SELECT DISTINCT {string.Join(", ", key.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"{c} AS __mw_k{j}")))} FROM (" +
                $"SELECT {string.Join(", ", key)}, {previous} FROM {checkedRelation} WHERE {notNull} WINDOW w AS (ORDER BY {string.Join(", ", key)})) WHERE {repeated}",
                cancellationToken, $"Finding duplicate keys of {input}").ConfigureAwait(false);
            duplicates.Add(table);
            duplicated += await CountAsync(name, cancellationToken).ConfigureAwait(false);
        }

        // Every row of a duplicated key is quarantined, so the outcome does not depend on order. Those rows are
        // rare: they are computed again from the input, so their raw text is the original text.
        if (duplicated > 0)
        {
            var anyDuplicate = string.Join(" OR ", duplicates.Select((table, i) =>
                $"EXISTS (SELECT 1 FROM {table} AS d WHERE {string.Join(" AND ", keys[i].Columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"{checkedRelation}.{Identifier(c)} = d.__mw_k{j}")))})"));
            await ExecuteAsync($"DELETE FROM {checkedRelation} WHERE {anyDuplicate}", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync($"INSERT INTO {checkedRelation}\n{CheckedRows(spec, types, source, keys, duplicates)}",
                cancellationToken, $"Quarantining duplicate keys of {input}").ConfigureAwait(false);
        }

        // Valid rows and quarantine are views over the checked rows: no second copy of the data.
        var validRelation = $"__mw_valid_{suffix}";
        var quarantineRelation = $"__mw_quarantine_{suffix}";
        var typedColumns = string.Join(", ", spec.Columns.Select(c => Identifier(c.Name)));
        var rawColumns = string.Join(", ", spec.Columns.Select(c => $"{Identifier(RawColumn(c.Name))} AS {Identifier(c.Name)}"));
        await ExecuteAsync($"CREATE OR REPLACE TEMP VIEW {Identifier(validRelation)} AS SELECT {typedColumns} FROM {checkedRelation} WHERE __mw_reasons = ''",
            cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            $"CREATE OR REPLACE TEMP VIEW {Identifier(quarantineRelation)} AS SELECT {Literal(runId)} AS _run_id, string_split(__mw_reasons, '; ') AS _reasons, {rawColumns} " +
            $"FROM {checkedRelation} WHERE __mw_reasons <> ''",
            cancellationToken).ConfigureAwait(false);

        await using var counts = await ReadAsync($"SELECT count(*) FILTER (WHERE __mw_reasons = ''), count(*) FILTER (WHERE __mw_reasons <> '') FROM {checkedRelation}", cancellationToken).ConfigureAwait(false);
        await counts.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ValidationOutcome(validRelation, quarantineRelation, Convert.ToInt64(counts.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(counts.GetValue(1), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The checked rows of an input: typed values, the reasons a row fails (empty when it passes) and the raw
    /// text of failing rows. With <paramref name="duplicates"/>, only the rows of a duplicated key, with that reason.
    /// </summary>
    private static string CheckedRows(DatasetSpec spec, Dictionary<string, DataType> types, string source, List<UniqueKey> keys, List<string>? duplicates)
    {
        var typed = string.Join(",\n  ", spec.Columns.Select(c =>
            $"TRY_CAST({Identifier(c.Name)} AS {Type(c.Type)}) AS {Identifier(c.Name)}, CAST({Identifier(c.Name)} AS VARCHAR) AS {Identifier(RawColumn(c.Name))}"));
        var joins = new StringBuilder();
        var reasons = new List<string>();
        var failures = new List<string>();
        foreach (var rule in spec.Rules)
        {
            string? failure;
            if (rule is UniqueKey key)
            {
                if (duplicates is null)
                {
                    continue;
                }

                var i = keys.IndexOf(key);
                var alias = string.Create(CultureInfo.InvariantCulture, $"d{i}");
                var on = string.Join(" AND ", key.Columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"typed.{Identifier(c)} = {alias}.__mw_k{j}")));
                joins.Append(CultureInfo.InvariantCulture, $"\nLEFT JOIN {duplicates[i]} AS {alias} ON {on}");
                failure = $"{alias}.__mw_k0 IS NOT NULL";
            }
            else
            {
                failure = Failure(rule, types[rule.Column]);
                if (failure is not null && rule is not (Castable or Required))
                {
                    failure = $"typed.{Identifier(rule.Column)} IS NOT NULL AND ({failure})";
                }
            }

            if (failure is not null)
            {
                var label = rule is UniqueKey k ? string.Join(",", k.Columns) : rule.Column;
                reasons.Add($"CASE WHEN {failure} THEN {Literal($"{label}: {rule.Reason}")} END");
                failures.Add($"({failure})");
            }
        }

        var typedColumns = string.Join(", ", spec.Columns.Select(c => Identifier(c.Name)));
        var rawForFailures = string.Join(", ", spec.Columns.Select(c =>
            $"CASE WHEN __mw_reasons <> '' THEN {Identifier(RawColumn(c.Name))} END AS {Identifier(RawColumn(c.Name))}"));
        var onlyDuplicates = duplicates is null
            ? string.Empty
            : "\nWHERE " + string.Join(" OR ", duplicates.Select((_, i) =>
                string.Create(CultureInfo.InvariantCulture, $"d{i}.__mw_k0 IS NOT NULL")));
        return new StringBuilder()
            .Append("WITH typed AS (SELECT ").Append(typed).Append("\nFROM ").Append(source).Append("),\n")
            // Most rows pass: one short-circuiting test first; the reasons are spelled out only for a row that fails.
            .Append("reasoned AS (SELECT typed.*, ")
            .Append(reasons.Count == 0 ? "''" : $"CASE WHEN coalesce({string.Join("\n  OR ", failures)}, FALSE) THEN concat_ws('; ', {string.Join(",\n  ", reasons)}) ELSE '' END")
            .Append(" AS __mw_reasons FROM typed")
            .Append(joins).Append(onlyDuplicates).Append(")\n")
            .Append("SELECT ").Append(typedColumns).Append(", __mw_reasons, ").Append(rawForFailures).Append(" FROM reasoned")
            .ToString();
    }

    public async Task<SnapshotInfo> PublishAsync(string relation, string folder, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(folder))
        {
            throw new EngineException($"Snapshot folder '{folder}' already exists; snapshots are immutable.");
        }

        // Written beside the target and renamed when complete: a reader or a crash never sees a partial snapshot.
        var staging = folder + ".writing-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            var file = Path.Combine(staging, "part-0.parquet");
            await ExecuteAsync($"COPY (SELECT * FROM {Relation(relation)}) TO {Literal(file)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken,
                $"Writing snapshot of {relation}").ConfigureAwait(false);
            var rows = await CountAsync(relation, cancellationToken).ConfigureAwait(false);
            Directory.Move(staging, folder);
            return new SnapshotInfo(folder, [Path.Combine(folder, "part-0.parquet")], rows);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    public async Task<IReadOnlyList<CheckOutcome>> RunChecksAsync(DatasetSpec spec, string relation, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<CheckOutcome>();
        foreach (var check in spec.Checks)
        {
            decimal value;
            try
            {
                value = await MeasureAsync(check, relation, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                // Stored and shown to every reader of the dataset's quality: no value the check query met.
                outcomes.Add(new CheckOutcome(check, null, CheckStatus.Error, EngineMessages.Redact(e.Message)));
                continue;
            }

            var passed = check.Threshold.Passes(value);
            var status = passed ? CheckStatus.Passed : check.Severity == Diagnostics.Severity.Error ? CheckStatus.Failed : CheckStatus.Warned;
            var unit = check.Percent ? "%" : string.Empty;
            outcomes.Add(new CheckOutcome(check, value, status,
                string.Create(CultureInfo.InvariantCulture, $"{check.Name}: {value:0.####}{unit} ({(passed ? "meets" : "does not meet")} {check.Threshold})")));
        }

        return outcomes;
    }

    public async Task<DbDataReader> ReadAsync(string sql, CancellationToken cancellationToken = default)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        try
        {
            return await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DuckDBException e)
        {
            throw new EngineException(e.Message, e);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task<decimal> MeasureAsync(QualityCheck check, string relation, CancellationToken cancellationToken)
    {
        var source = Relation(relation);
        var columns = check.Columns.Select(Identifier).ToList();
        var first = columns.FirstOrDefault();
        string counted;
        switch (check.Metric)
        {
            case QualityMetric.RowCount:
                return await ScalarAsync($"SELECT count(*) FROM {source}", cancellationToken).ConfigureAwait(false);
            case QualityMetric.Sql:
                var query = (check.Query ?? string.Empty)
                    .Replace("${object}", source, StringComparison.Ordinal).Replace("{object}", source, StringComparison.Ordinal)
                    .Replace("${table}", source, StringComparison.Ordinal).Replace("{table}", source, StringComparison.Ordinal)
                    .Replace("${property}", first ?? string.Empty, StringComparison.Ordinal).Replace("{property}", first ?? string.Empty, StringComparison.Ordinal)
                    .Replace("${column}", first ?? string.Empty, StringComparison.Ordinal).Replace("{column}", first ?? string.Empty, StringComparison.Ordinal);
                return await ScalarAsync(query, cancellationToken).ConfigureAwait(false);
            case QualityMetric.NullValues:
                counted = $"count(*) FILTER (WHERE {first} IS NULL)";
                break;
            case QualityMetric.MissingValues:
                var missing = check.Values.Where(v => v != ContractCompiler.NullMarker).Select(Literal).ToList();
                counted = missing.Count == 0
                    ? $"count(*) FILTER (WHERE {first} IS NULL)"
                    : $"count(*) FILTER (WHERE {first} IS NULL OR CAST({first} AS VARCHAR) IN ({string.Join(", ", missing)}))";
                break;
            case QualityMetric.InvalidValues:
                var valid = check.Values.Where(v => v != ContractCompiler.NullMarker).Select(Literal).ToList();
                counted = valid.Count == 0
                    ? $"count(*) FILTER (WHERE {first} IS NOT NULL)"
                    : $"count(*) FILTER (WHERE {first} IS NOT NULL AND CAST({first} AS VARCHAR) NOT IN ({string.Join(", ", valid)}))";
                break;
            case QualityMetric.DuplicateValues:
                // Rows beyond the first of each duplicated value (nulls are not values).
                var key = string.Join(", ", columns);
                var notNull = string.Join(" AND ", columns.Select(c => c + " IS NOT NULL"));
                counted = $"(count(*) FILTER (WHERE {notNull})) - (SELECT count(*) FROM (SELECT DISTINCT {key} FROM {source} WHERE {notNull}))";
                break;
            default:
                throw new EngineException($"Unknown metric {check.Metric}.");
        }

        var sql = check.Percent
            ? $"SELECT coalesce(100.0 * ({counted}) / nullif(count(*), 0), 0) FROM {source}"
            : $"SELECT {counted} FROM {source}";
        return await ScalarAsync(sql, cancellationToken).ConfigureAwait(false);
    }

    private async Task<decimal> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        object? result;
        try
        {
            result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DuckDBException e)
        {
            throw new EngineException($"The check query failed: {e.Message}", e);
        }

        return result switch
        {
            null or DBNull => 0,
            System.Numerics.BigInteger big => (decimal)big,
            IConvertible convertible => convertible.ToDecimal(CultureInfo.InvariantCulture),
            _ => throw new EngineException($"The check query returned a {result.GetType().Name}, not a number."),
        };
    }

    private async Task<long> CountAsync(string relation, CancellationToken cancellationToken) =>
        (long)await ScalarAsync($"SELECT count(*) FROM {Relation(relation)}", cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs a statement; a failure says what was being done (<paramref name="context"/>). Names in a context stay
    /// unquoted: <see cref="EngineMessages.Redact"/> takes quoted text for a value.
    /// </summary>
    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, string? context = null)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DuckDBException e)
        {
            throw new EngineException(context is null ? e.Message : $"{context}: {e.Message}", e);
        }
    }

    /// <summary>A relation name: a dataset address (three parts) or a session relation (one identifier).</summary>
    private static string Relation(string name) => name.Count(c => c == '.') == 2 ? Address(name) : Identifier(name);

    private static string Sanitize(string address) => address.Replace('.', '_');
}
