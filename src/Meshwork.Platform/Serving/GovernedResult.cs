using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Meshwork.Engines;
using Meshwork.Governance;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Serving;

/// <summary>
/// One governed read, ready to stream: the consumer session holds only the governed views its access plans
/// allow. Streaming counts rows against the limit; disposing writes the audit record (rows, outcome).
/// </summary>
public sealed class GovernedResult : IAsyncDisposable
{
    private readonly IEngine _engine;
    private readonly string _sql;
    private readonly IMetadataStore _store;
    private readonly AuditEntry _audit;
    private readonly long _maxRows;
    private readonly TimeSpan _limit;
    private readonly CancellationTokenSource _timeout = new();
    private IArrowArrayStream? _stream;
    private string _outcome = "allowed";
    private string? _detail;
    private bool _disposed;

    internal GovernedResult(IEngine engine, string sql, IReadOnlyList<AccessPlan> plans, IMetadataStore store, AuditEntry audit, long maxRows, TimeSpan timeout)
    {
        _engine = engine;
        _sql = sql;
        Plans = plans;
        _store = store;
        _audit = audit;
        _maxRows = maxRows;
        _limit = timeout;
    }

    public IReadOnlyList<AccessPlan> Plans { get; }

    /// <summary>Most bytes the encoded result may have; the port that encodes it enforces this.</summary>
    public long MaxBytes { get; init; } = long.MaxValue;

    /// <summary>Rows streamed so far.</summary>
    public long Rows { get; private set; }

    /// <summary>
    /// Starts the query and returns the result's schema. A query that fails to bind or run fails here, before
    /// anything is sent, with an error safe to show the caller: engine texts quote values a mask or filter may
    /// hide (DESIGN.md §11), so they are redacted.
    /// </summary>
    public async Task<Schema> StartAsync(CancellationToken cancellationToken = default)
    {
        _timeout.CancelAfter(_limit);
        // One row more than allowed tells "exactly at the limit" from "over it".
        var sql = $"SELECT * FROM (\n{_sql}\n) AS consumer_query LIMIT {_maxRows + 1}";
        try
        {
            _stream = await _engine.ReadArrowAsync(sql, cancellationToken).ConfigureAwait(false);
            return _stream.Schema;
        }
        catch (EngineException e)
        {
            Fail("failed", EngineMessages.Redact(e.Message));
            throw new ServingException(ServingError.BadRequest, $"The query failed: {EngineMessages.Redact(e.Message)}", e);
        }
    }

    /// <summary>The result's record batches. Fails with <see cref="ServingException"/> past the row or time limit.</summary>
    public async IAsyncEnumerable<RecordBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = _stream ?? throw new InvalidOperationException("StartAsync first.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        while (true)
        {
            RecordBatch? batch;
            try
            {
                batch = await stream.ReadNextRecordBatchAsync(linked.Token).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                Fail("failed", EngineMessages.Redact(e.Message));
                throw new ServingException(ServingError.BadRequest, $"The query failed: {EngineMessages.Redact(e.Message)}", e);
            }
            catch (OperationCanceledException) when (_timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Fail("limit", "time");
                throw new ServingException(ServingError.LimitExceeded, $"The read ran longer than the limit of {_limit.TotalSeconds:0} s; narrow it (columns, filters, LIMIT).");
            }

            if (batch is null)
            {
                yield break;
            }

            if (Rows + batch.Length > _maxRows)
            {
                batch.Dispose();
                Fail("limit", "rows");
                throw new ServingException(ServingError.LimitExceeded, $"The result has more than {_maxRows:N0} rows, the limit of one read; add a LIMIT, filter or aggregate.");
            }

            Rows += batch.Length;
            try
            {
                yield return batch;
            }
            finally
            {
                // Each batch holds the engine's native memory: free it once the port has encoded it.
                batch.Dispose();
            }
        }
    }

    /// <summary>Marks the read as failed (for the audit record), e.g. when the client went away.</summary>
    public void Fail(string outcome, string? detail)
    {
        _outcome = outcome;
        _detail = detail;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream?.Dispose();
        _timeout.Dispose();
        await _engine.DisposeAsync().ConfigureAwait(false);
        await _store.AppendAuditAsync(_audit with { Rows = Rows, Outcome = _outcome, Detail = _detail }, CancellationToken.None).ConfigureAwait(false);
    }
}
