using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using static Meshwork.Engines.Sql.SqlDialect;

namespace Meshwork.Engines.DuckDb;

/// <summary>Consumer reads: the query checked by DuckDB's parser, run in a session holding only governed views.</summary>
public sealed partial class DuckDbEngine
{
    public async Task<QueryInspection> InspectQueryAsync(string sql, ConsumerLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(limits);
        var json = await SerializeAsync(sql, cancellationToken).ConfigureAwait(false);
        var datasets = Resolve(json, limits);

        // The statement is rebuilt from its syntax tree: what runs is exactly what was checked. The rebuilt text
        // is resolved once more, so a difference in how DuckDB prints and re-reads a tree cannot slip a name in.
        using var rebuild = _connection.CreateCommand();
        rebuild.CommandText = "SELECT json_deserialize_sql($1::JSON)";
        rebuild.Parameters.Add(new DuckDBParameter(json));
        var normalized = (string)(await rebuild.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (!Resolve(await SerializeAsync(normalized, cancellationToken).ConfigureAwait(false), limits).SequenceEqual(datasets, StringComparer.Ordinal))
        {
            throw new QueryRefusedException("The query could not be checked: it reads differently once rebuilt from its syntax tree.");
        }

        return new QueryInspection(datasets, normalized);
    }

    private async Task<string> SerializeAsync(string sql, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT json_serialize_sql($1::VARCHAR)";
        command.Parameters.Add(new DuckDBParameter(sql));
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static IReadOnlyList<string> Resolve(string json, ConsumerLimits limits)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4096 });
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

        return DuckDbQueryResolver.Datasets(statements[0], limits.MaxGeneratedRows);
    }

    public async Task ServeAsync(IReadOnlyList<GovernedView> views, ConsumerLimits limits, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(limits);
        var files = new List<string>();
        foreach (var view in views)
        {
            files.AddRange(await AttachViewAsync(view, maskKey, cancellationToken).ConfigureAwait(false));
        }

        if (limits.MemoryBytes is { } memory)
        {
            await ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SET memory_limit = '{memory}B'"), cancellationToken).ConfigureAwait(false);
        }

        if (limits.Threads is { } threads)
        {
            await ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SET threads = {threads}"), cancellationToken).ConfigureAwait(false);
        }

        // Defence in depth behind the resolver: the session may open exactly the snapshot files its views read,
        // nothing else (no folder, so no glob, no quarantine, no other dataset or version). Order matters: the
        // allowed files first, then external access off, then nothing may change any more.
        await ExecuteAsync($"SET allowed_paths = [{string.Join(", ", files.Select(Literal))}]", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync("SET enable_external_access = false", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync("SET lock_configuration = true", cancellationToken).ConfigureAwait(false);
    }

    public async Task AttachGovernedAsync(GovernedView view, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default) =>
        await AttachViewAsync(view, maskKey, cancellationToken).ConfigureAwait(false);

    /// <summary>Creates the governed view; returns the snapshot files it reads.</summary>
    private async Task<IReadOnlyList<string>> AttachViewAsync(GovernedView view, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        await ProvisionAsync(view.Address, cancellationToken).ConfigureAwait(false);
        // The snapshot's files by name, not a glob: a snapshot never changes, and the session may then open exactly these.
        var files = SnapshotFiles(view);
        var source = $"read_parquet([{string.Join(", ", files.Select(Literal))}])";
        // A mask keeps its column's type, so the snapshot's types are read first.
        var types = view.Columns.Any(c => c.Mask is not null) ? await TypesAsync(source, view.Address, cancellationToken).ConfigureAwait(false) : [];
        // Masks are in the projection and the filter in the WHERE of the view itself: a consumer's query only
        // ever sees masked values of visible rows, wherever it uses the view.
        var masks = new DuckDbMasks(maskKey.Span);
        var columns = string.Join(", ", view.Columns.Select(c =>
            $"{(c.Mask is { } mask ? masks.Mask(Identifier(c.Name), types.GetValueOrDefault(c.Name, "VARCHAR"), mask) : Identifier(c.Name))} AS {Identifier(c.Name)}"));
        var where = view.Filter is { } filter ? $" WHERE coalesce({DuckDbSql.Instance.Filter(filter)}, FALSE)" : string.Empty;
        await ExecuteAsync($"CREATE OR REPLACE VIEW {Address(view.Address)} AS SELECT {columns} FROM {source}{where}",
            cancellationToken, $"Opening '{view.Address}'").ConfigureAwait(false);
        return files;
    }

    /// <summary>The column types of a snapshot, by name.</summary>
    private async Task<Dictionary<string, string>> TypesAsync(string source, string address, CancellationToken cancellationToken)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await ReadAsync($"DESCRIBE SELECT * FROM {source}", cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                types[reader.GetString(0)] = reader.GetString(1);
            }
        }
        catch (EngineException e)
        {
            throw new EngineException($"Opening '{address}': {e.Message}", e);
        }

        return types;
    }

    private static string[] SnapshotFiles(GovernedView view)
    {
        var folder = Path.GetFullPath(view.SnapshotFolder);
        string[] files;
        try
        {
            files = Directory.GetFiles(folder, "*.parquet", SearchOption.TopDirectoryOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EngineException($"The snapshot of '{view.Address}' cannot be read: {e.GetType().Name}.", e);
        }

        if (files.Length == 0)
        {
            throw new EngineException($"The snapshot of '{view.Address}' has no data files.");
        }

        System.Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    public Task<IArrowArrayStream> ReadArrowAsync(string sql, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        // Streaming: batches leave as DuckDB produces them, never the whole result held first.
        command.UseStreamingMode = true;
        // DuckDB computes on the calling thread and does not watch the token: cancelling interrupts the
        // connection (duckdb_interrupt), which stops the query within milliseconds, for as long as the stream lives.
        var interrupt = cancellationToken.Register(static c => ((DuckDBCommand)c!).Cancel(), command);
        try
        {
            return Task.FromResult<IArrowArrayStream>(new CommandArrowStream(command, command.ExecuteArrowStream(), interrupt, cancellationToken));
        }
        catch (Exception e) when (e is DuckDBException or OperationCanceledException)
        {
            interrupt.Dispose();
            command.Dispose();
            throw Translate(e, cancellationToken);
        }
    }

    /// <summary>An interrupted query as <see cref="OperationCanceledException"/> of its token; other engine errors as <see cref="EngineException"/>.</summary>
    private static Exception Translate(Exception e, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? new OperationCanceledException("The query was interrupted.", e, cancellationToken)
            : e is OperationCanceledException ? e
            : new EngineException(e.Message, e);

    /// <summary>DuckDB's Arrow stream, owning its command and its interrupt, with engine errors as <see cref="EngineException"/>.</summary>
    private sealed class CommandArrowStream(DuckDBCommand command, IArrowArrayStream inner, CancellationTokenRegistration interrupt, CancellationToken interrupts) : IArrowArrayStream
    {
        public Schema Schema => inner.Schema;

        public async ValueTask<RecordBatch> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadNextRecordBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DuckDBException or OperationCanceledException)
            {
                throw Translate(e, interrupts.IsCancellationRequested ? interrupts : cancellationToken);
            }
        }

        public void Dispose()
        {
            interrupt.Dispose();
            inner.Dispose();
            command.Dispose();
        }
    }
}
