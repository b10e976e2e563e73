using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Meshwork.Engines;
using Meshwork.Governance;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Serving;

/// <summary>
/// One governed read, ready to stream: the consumer session holds only the governed views its access plans
/// allow. Starting it writes the read's audit record (outcome <c>started</c>) before a byte can leave, so a read
/// is on record even when the process dies while it streams; disposing appends its completion (rows, outcome).
/// The time limit and the caller's cancellation interrupt the engine, wherever the read is.
/// </summary>
public sealed class GovernedResult : IAsyncDisposable
{
    private readonly IQueryEngine _engine;
    private readonly string _sql;
    private readonly IAuditLog _audits;
    private readonly AuditEntry _audit;
    private readonly long _maxRows;
    private readonly long? _firstRows;
    private readonly TimeSpan _limit;
    private readonly IDisposable _permit;
    private CancellationTokenSource? _interrupt;
    private CancellationTokenSource? _timeout;
    private IArrowArrayStream? _stream;
    private AuditRecord? _started;
    private string _outcome = "allowed";
    private string? _detail;
    private bool _disposed;

    internal GovernedResult(IQueryEngine engine, string sql, IReadOnlyList<AccessPlan> plans, IAuditLog audits, AuditEntry audit, ReadLimits limits, IDisposable permit)
    {
        _permit = permit;
        _engine = engine;
        _sql = sql;
        Plans = plans;
        _audits = audits;
        _audit = audit;
        _maxRows = limits.MaxRows ?? long.MaxValue;
        _firstRows = limits.FirstRows;
        _limit = limits.Timeout ?? Timeout.InfiniteTimeSpan;
        MaxBytes = limits.MaxBytes ?? long.MaxValue;
    }

    public IReadOnlyList<AccessPlan> Plans { get; }

    /// <summary>Most bytes the encoded result may have: the port counts what it sends (<see cref="Sent"/>, <see cref="Bounded"/>).</summary>
    public long MaxBytes { get; }

    /// <summary>Rows streamed so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Bytes the port has sent so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>Whether the read was cut at the first rows the port asked for (<see cref="ReadLimits.FirstRows"/>) while more were there.</summary>
    public bool Truncated { get; private set; }

    /// <summary>
    /// Counts bytes the port sent of the encoded result; past <see cref="MaxBytes"/> the read fails with a limit error,
    /// which the port reports (or, when its response has begun, cuts it so the client cannot take it for complete).
    /// </summary>
    public void Sent(long bytes)
    {
        Bytes += bytes;
        if (Bytes > MaxBytes)
        {
            Fail("limit", "bytes");
            throw new ServingException(ServingError.LimitExceeded, $"The response is larger than {MaxBytes:N0} bytes, the limit of one read; select fewer columns or rows.");
        }
    }

    /// <summary>A write-only stream over <paramref name="output"/> that counts what passes (<see cref="Sent"/>).</summary>
    public Stream Bounded(Stream output) => new SentBytesStream(output, this);

    /// <summary>
    /// Starts the query and returns the result's schema. A query that fails to bind or run fails here, before
    /// anything is sent, with an error safe to show the caller: engine texts quote values a mask or filter may
    /// hide (DESIGN.md §11), so they are redacted. From here on the time limit runs and
    /// <paramref name="cancellationToken"/> (the caller hanging up) interrupts the engine.
    /// </summary>
    public async Task<Schema> StartAsync(CancellationToken cancellationToken = default)
    {
        _timeout = new CancellationTokenSource(_limit);
        _interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        // One row more than allowed tells "exactly at the limit" from "over it" (and a cut result from a complete one).
        var sql = $"SELECT * FROM (\n{_sql}\n) AS consumer_query LIMIT {Math.Min(_maxRows, _firstRows ?? long.MaxValue) + 1}";
        try
        {
            _stream = await _engine.ReadArrowAsync(sql, _interrupt.Token).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            Fail("failed", EngineMessages.Redact(e.Message));
            throw new ServingException(ServingError.BadRequest, $"The query failed: {EngineMessages.Redact(e.Message)}", e);
        }
        catch (OperationCanceledException e) when (_interrupt.IsCancellationRequested)
        {
            throw Interrupted(e, cancellationToken);
        }

        _started = await _audits.AppendAuditAsync(_audit with { Outcome = "started" }, CancellationToken.None).ConfigureAwait(false);
        return _stream.Schema;
    }

    /// <summary>The result's record batches. Fails with <see cref="ServingException"/> past the row or time limit.</summary>
    public async IAsyncEnumerable<RecordBatch> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = _stream ?? throw new InvalidOperationException("StartAsync first.");
        var interrupt = _interrupt!.Token;
        while (true)
        {
            RecordBatch? batch;
            try
            {
                batch = await stream.ReadNextRecordBatchAsync(interrupt).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                Fail("failed", EngineMessages.Redact(e.Message));
                throw new ServingException(ServingError.BadRequest, $"The query failed: {EngineMessages.Redact(e.Message)}", e);
            }
            catch (OperationCanceledException e) when (interrupt.IsCancellationRequested)
            {
                throw Interrupted(e, cancellationToken);
            }

            if (batch is null)
            {
                yield break;
            }

            if (_firstRows is { } first && Rows + batch.Length > first)
            {
                var kept = (int)(first - Rows);
                Truncated = true;
                _detail = $"cut at the first {first:N0} rows the caller asked for";
                try
                {
                    if (kept > 0)
                    {
                        Rows += kept;
                        yield return batch.Slice(0, kept);
                    }
                }
                finally
                {
                    batch.Dispose();
                }

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

    /// <summary>The read was interrupted: past its time limit (a limit error), or because the caller went away.</summary>
    private Exception Interrupted(OperationCanceledException e, CancellationToken caller)
    {
        if (_timeout!.IsCancellationRequested && !caller.IsCancellationRequested)
        {
            Fail("limit", "time");
            return new ServingException(ServingError.LimitExceeded, $"The read ran longer than the limit of {_limit.TotalSeconds:0.###} s and was stopped; narrow it (columns, filters, LIMIT).", e);
        }

        Fail("aborted", "the caller went away");
        return new OperationCanceledException("The caller went away; the read was stopped.", e, caller);
    }

    /// <summary>Marks the read as failed (for the audit record), e.g. when the client went away.</summary>
    public void Fail(string outcome, string? detail)
    {
        _outcome = outcome;
        _detail = detail;
    }

    /// <summary>
    /// Says in the read's completion record what the port did with it when that is not the rows: e.g. Flight's
    /// GetFlightInfo starts a read for its governed schema alone, and the record should not pass for a read of nothing.
    /// </summary>
    public void Note(string detail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        _detail = detail;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _stream?.Dispose();
            await _engine.DisposeAsync().ConfigureAwait(false);
            _interrupt?.Dispose();
            _timeout?.Dispose();
            // The completion names the record of the read's start; a read that never started is recorded once, here.
            var detail = _started is { } started ? $"completes #{started.Seq}" + (_detail is null ? string.Empty : $": {_detail}") : _detail;
            await _audits.AppendAuditAsync(_audit with { Rows = Rows, Outcome = _outcome, Detail = detail }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _permit.Dispose();
        }
    }
}

/// <summary>A write-only stream that counts the bytes of a governed result as they pass (<see cref="GovernedResult.Sent"/>).</summary>
internal sealed class SentBytesStream(Stream inner, GovernedResult result) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => result.Bytes; set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        result.Sent(count);
        inner.Write(buffer, offset, count);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        result.Sent(buffer.Length);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
