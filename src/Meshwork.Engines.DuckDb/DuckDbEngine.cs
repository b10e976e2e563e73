using System.Data.Common;
using System.Globalization;
using DuckDB.NET.Data;
using Meshwork.Engines.Ir;
using Meshwork.Engines.Sql;
using static Meshwork.Engines.Sql.SqlDialect;

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
    private readonly int _fileRows;

    private DuckDbEngine(DuckDBConnection connection, int fileRows)
    {
        _connection = connection;
        _fileRows = fileRows;
    }

    public string Name => "duckdb";

    public static async Task<DuckDbEngine> OpenAsync(DuckDbEngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fileRows = (options ?? new DuckDbEngineOptions()).SnapshotFileRows;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fileRows, nameof(options));
        var connection = new DuckDBConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var engine = new DuckDbEngine(connection, fileRows);
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

    public async Task<ValidationOutcome> ValidateAsync(DatasetSpec spec, string input, string runId, CancellationToken cancellationToken = default) =>
        await Sql.ContractValidation.RunAsync(DuckDbSql.Instance, spec, input, Relation(input), runId,
            (await IntrospectAsync(input, cancellationToken).ConfigureAwait(false)).Select(c => c.Name),
            (statement, context) => ExecuteAsync(statement, cancellationToken, context),
            async query => (long)await ScalarAsync(query, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>
    /// Makes a CSV file written by another engine (no header, every value quoted, NULL unquoted and empty) readable as
    /// the session relation <paramref name="relation"/>, each column in its DuckDB type; lists arrive as JSON text.
    /// </summary>
    public Task StageCsvAsync(string relation, string file, IReadOnlyList<(string Name, string Type)> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var text = string.Join(", ", columns.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{Literal("c" + i)}: 'VARCHAR'")));
        var typed = string.Join(", ", columns.Select((c, i) =>
        {
            var column = Identifier(string.Create(CultureInfo.InvariantCulture, $"c{i}"));
            var value = c.Type.EndsWith("[]", StringComparison.Ordinal)
                ? $"from_json({column}, {Literal("[\"" + c.Type[..^2] + "\"]")})"
                : $"CAST({column} AS {c.Type})";
            return $"{value} AS {Identifier(c.Name)}";
        }));
        // The dialect is stated, not sniffed: the sniffer fails on an empty file (a relation of no rows).
        return ExecuteAsync(
            $"CREATE OR REPLACE TEMP VIEW {Identifier(relation)} AS SELECT {typed} FROM read_csv({Literal(file)}, auto_detect = false, delim = ',', header = false, quote = '\"', escape = '\"', " +
            $"allow_quoted_nulls = false, columns = {{{text}}})",
            cancellationToken, $"Reading {file}");
    }

    public async Task<IReadOnlyList<CheckOutcome>> RunChecksAsync(DatasetSpec spec, string relation, CancellationToken cancellationToken = default)
    {
        var outcomes = new List<CheckOutcome>();
        foreach (var check in spec.Checks)
        {
            try
            {
                outcomes.Add(SqlDialect.Outcome(check, await ScalarAsync(DuckDbSql.Instance.Measure(check, Relation(relation)), cancellationToken).ConfigureAwait(false)));
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

    private async Task<decimal> ScalarAsync(string sql, CancellationToken cancellationToken, string context = "The check query failed")
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
            throw new EngineException($"{context}: {e.Message}", e);
        }

        return SqlDialect.ToNumber(result);
    }

    private async Task<long> CountAsync(string relation, CancellationToken cancellationToken) =>
        (long)await ScalarAsync($"SELECT count(*) FROM {Relation(relation)}", cancellationToken, $"Counting {relation}").ConfigureAwait(false);

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
}
