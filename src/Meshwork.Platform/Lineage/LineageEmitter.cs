using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Meshwork.Loading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meshwork.Platform.Lineage;

/// <summary>
/// Sends OpenLineage events without ever holding up a run: <see cref="Emit"/> puts the event in a bounded in-memory
/// queue and returns; one background loop drains it through the transport, retrying each event with exponential
/// backoff. When the queue is full the oldest event is dropped and counted (logged once), so a receiver that is down or
/// slow costs memory up to <see cref="LineageOptions.QueueCapacity"/> and nothing else. Off (no transport): every call
/// is a no-op and the runner builds no events.
/// </summary>
public sealed partial class LineageEmitter : IAsyncDisposable, IDisposable
{
    private readonly ILineageTransport? _transport;
    private readonly LineageOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<string>? _queue;
    private readonly Task _drain = Task.CompletedTask;
    private readonly CancellationTokenSource _stop = new();
    private long _pending;
    private long _sent;
    private long _dropped;
    private long _failed;
    private int _loggedDrop;
    private int _loggedFailure;
    private int _disposed;

    /// <summary>The emitter that emits nothing (no transport configured).</summary>
    public static LineageEmitter None { get; } = new(new LineageOptions(), null);

    public LineageEmitter(LineageOptions options, ILogger<LineageEmitter>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _transport = options.CreateTransport();
        if (_transport is null)
        {
            return;
        }

        if (options.QueueCapacity < 1 || options.MaxAttempts < 1)
        {
            throw new MeshworkException($"OpenLineage: the queue capacity and the attempts must be at least 1 (they are {options.QueueCapacity} and {options.MaxAttempts}).");
        }

        _queue = Channel.CreateBounded<string>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => OnDropped());
        _drain = Task.Run(DrainAsync);
    }

    /// <summary>Whether events are emitted: false means callers need not build them.</summary>
    public bool Enabled => _queue is not null;

    /// <summary>Events the receiver accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Events dropped because the queue was full (the oldest go first).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events given up after <see cref="LineageOptions.MaxAttempts"/> tries.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues one event; never blocks and never throws for the receiver's sake.</summary>
    public void Emit(JsonObject runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        if (_queue is null)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(runEvent.ToJsonString(SerializerOptions)))
        {
            Interlocked.Decrement(ref _pending); // disposed: nowhere to send it
        }
    }

    /// <summary>
    /// Waits until every queued event is sent, given up or dropped, or until <see cref="LineageOptions.FlushTimeout"/>
    /// passes (then they stay queued): a CLI apply calls it before the process exits.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_queue is null)
        {
            return;
        }

        var deadline = _options.Clock.GetTimestamp();
        while (Interlocked.Read(ref _pending) > 0 && _options.Clock.GetElapsedTime(deadline) < _options.FlushTimeout && !_drain.IsCompleted)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _options.Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_queue is not null)
        {
            _queue.Writer.TryComplete();
            await FlushAsync().ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _drain.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped mid-retry: what was left is dropped with the process.
            }
        }

        _stop.Dispose();
        (_transport as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Stops at once, without waiting for queued events (a container disposed synchronously; hosts dispose asynchronously,
    /// which flushes first).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue?.Writer.TryComplete();
        _stop.Cancel();
        _stop.Dispose();
        (_transport as IDisposable)?.Dispose();
    }

    private static readonly JsonSerializerOptions SerializerOptions = new() { WriteIndented = false };

    private void OnDropped()
    {
        Interlocked.Increment(ref _dropped);
        Interlocked.Decrement(ref _pending);
        if (Interlocked.Exchange(ref _loggedDrop, 1) == 0)
        {
            LogDropped(_logger, _options.QueueCapacity);
        }
    }

    private async Task DrainAsync()
    {
        var stop = _stop.Token;
        await foreach (var runEvent in _queue!.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            try
            {
                await SendWithRetriesAsync(runEvent, stop).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task SendWithRetriesAsync(string runEvent, CancellationToken stop)
    {
        var backoff = _options.InitialBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _transport!.SendAsync(runEvent, stop).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException
                || (e is OperationCanceledException && !stop.IsCancellationRequested))
            {
                if (attempt >= _options.MaxAttempts)
                {
                    Interlocked.Increment(ref _failed);
                    if (Interlocked.Exchange(ref _loggedFailure, 1) == 0)
                    {
                        LogGivenUp(_logger, attempt, e.Message);
                    }

                    return;
                }
            }

            await Task.Delay(backoff, _options.Clock, stop).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenLineage: the event queue is full ({Capacity} events); the oldest events are being dropped (logged once; see LineageEmitter.Dropped).")]
    private static partial void LogDropped(ILogger logger, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenLineage: an event was given up after {Attempts} attempts: {Error} (logged once; see LineageEmitter.Failed). Runs are not affected.")]
    private static partial void LogGivenUp(ILogger logger, int attempts, string error);
}
