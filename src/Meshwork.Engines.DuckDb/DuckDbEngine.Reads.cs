using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using static Meshwork.Engines.DuckDb.DuckDbSql;

namespace Meshwork.Engines.DuckDb;

/// <summary>Consumer reads: the query checked by DuckDB's parser, run in a session holding only governed views.</summary>
public sealed partial class DuckDbEngine
{
    // Table functions that read nothing but their arguments. Every other one (read_parquet, read_csv, glob,
    // query, duckdb_settings ...) could reach files or the catalog around the governed views.
    private static readonly HashSet<string> AllowedTableFunctions = new(StringComparer.OrdinalIgnoreCase) { "range", "generate_series", "unnest" };

    public async Task<QueryInspection> InspectQueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        string json;
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT json_serialize_sql($1::VARCHAR)";
            command.Parameters.Add(new DuckDBParameter(sql));
            json = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.GetProperty("error").GetBoolean())
        {
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() : "the query could not be parsed";
            throw new QueryRefusedException(message is not null && message.StartsWith("Only SELECT", StringComparison.Ordinal)
                ? "Only a SELECT statement is accepted (no COPY, ATTACH, PRAGMA, SET, INSTALL, LOAD, DDL or DML)."
                : $"The query does not parse: {message}");
        }

        var statements = root.GetProperty("statements");
        if (statements.GetArrayLength() != 1)
        {
            throw new QueryRefusedException($"Exactly one SELECT statement is accepted; the query has {statements.GetArrayLength()}.");
        }

        var datasets = new SortedSet<string>(StringComparer.Ordinal);
        var tables = new List<string>();
        var ctes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Walk(statements[0], datasets, tables, ctes);

        // A name that is neither a dataset address nor a CTE could be a file DuckDB would scan in its place
        // (FROM 'data/x.parquet'), around the governed views.
        if (tables.FirstOrDefault(t => !ctes.Contains(t)) is { } other)
        {
            throw new QueryRefusedException($"'{other}' is not a dataset: read datasets by their address (domain.product.object_vN).");
        }

        // The statement is rebuilt from its syntax tree: what runs is exactly what was checked.
        using var rebuild = _connection.CreateCommand();
        rebuild.CommandText = "SELECT json_deserialize_sql($1::JSON)";
        rebuild.Parameters.Add(new DuckDBParameter(json));
        var normalized = (string)(await rebuild.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new QueryInspection([.. datasets], normalized);
    }

    public async Task ServeAsync(IReadOnlyList<GovernedView> views, string dataFolder, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        foreach (var view in views)
        {
            await AttachGovernedAsync(view, maskKey, cancellationToken).ConfigureAwait(false);
        }

        // Order matters: the allowed folder first, then external access off, then nothing may change any more.
        var folder = Path.GetFullPath(dataFolder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        await ExecuteAsync($"SET allowed_directories = [{Literal(folder)}]", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync("SET enable_external_access = false", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync("SET lock_configuration = true", cancellationToken).ConfigureAwait(false);
    }

    public async Task AttachGovernedAsync(GovernedView view, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        await ProvisionAsync(view.Address, cancellationToken).ConfigureAwait(false);
        // Masks are in the projection and the filter in the WHERE of the view itself: a consumer's query only
        // ever sees masked values of visible rows, wherever it uses the view.
        var columns = string.Join(", ", view.Columns.Select(c => $"{(c.Mask is { } mask ? DuckDbGovernance.Mask(Identifier(c.Name), mask, maskKey.Span) : Identifier(c.Name))} AS {Identifier(c.Name)}"));
        var files = Literal(Path.Combine(view.SnapshotFolder, "*.parquet"));
        var where = view.Filter is { } filter ? $" WHERE coalesce({DuckDbGovernance.Filter(filter)}, FALSE)" : string.Empty;
        await ExecuteAsync($"CREATE OR REPLACE VIEW {Address(view.Address)} AS SELECT {columns} FROM read_parquet({files}){where}", cancellationToken,
            $"Opening '{view.Address}'").ConfigureAwait(false);
    }

    public Task<IArrowArrayStream> ReadArrowAsync(string sql, CancellationToken cancellationToken = default)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        // Streaming: batches leave as DuckDB produces them, never the whole result held first.
        command.UseStreamingMode = true;
        try
        {
            return Task.FromResult<IArrowArrayStream>(new CommandArrowStream(command, command.ExecuteArrowStream()));
        }
        catch (DuckDBException e)
        {
            command.Dispose();
            throw new EngineException(e.Message, e);
        }
    }

    /// <summary>DuckDB's Arrow stream, owning its command, with engine errors as <see cref="EngineException"/>.</summary>
    private sealed class CommandArrowStream(DuckDBCommand command, IArrowArrayStream inner) : IArrowArrayStream
    {
        public Schema Schema => inner.Schema;

        public async ValueTask<RecordBatch> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DuckDBException e)
            {
                throw new EngineException(e.Message, e);
            }
        }

        public void Dispose()
        {
            inner.Dispose();
            command.Dispose();
        }
    }

    private static void Walk(JsonElement element, SortedSet<string> datasets, List<string> tables, HashSet<string> ctes)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    switch (type.GetString())
                    {
                        case "TABLE_FUNCTION":
                            var name = element.GetProperty("function").GetProperty("function_name").GetString() ?? string.Empty;
                            if (!AllowedTableFunctions.Contains(name))
                            {
                                throw new QueryRefusedException($"The table function '{name}' is not allowed: read datasets by their address (domain.product.object_vN).");
                            }

                            break;
                        case "BASE_TABLE":
                            var catalog = element.GetProperty("catalog_name").GetString();
                            var schema = element.GetProperty("schema_name").GetString();
                            var table = element.GetProperty("table_name").GetString();
                            if (!string.IsNullOrEmpty(catalog) && !string.IsNullOrEmpty(schema))
                            {
                                datasets.Add($"{catalog}.{schema}.{table}");
                            }
                            else
                            {
                                tables.Add(string.Join('.', new[] { catalog, schema, table }.Where(p => !string.IsNullOrEmpty(p))));
                            }

                            break;
                    }
                }

                if (element.TryGetProperty("cte_map", out var cteMap) && cteMap.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Array)
                {
                    foreach (var cte in map.EnumerateArray())
                    {
                        if (cte.TryGetProperty("key", out var key) && key.GetString() is { } name)
                        {
                            ctes.Add(name);
                        }
                    }
                }

                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, datasets, tables, ctes);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, datasets, tables, ctes);
                }

                break;
        }
    }
}
