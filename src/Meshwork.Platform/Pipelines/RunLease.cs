using System.Data.Common;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Pipelines;

/// <summary>
/// A product's run lease held by this process (DESIGN.md §7), kept by a heartbeat: renewed every third of its
/// duration (<see cref="DefaultDuration"/> unless configured), so the lease of a holder that died lapses within
/// one duration wherever it ran, and at once when it ran on this machine (<see cref="LeaseHolders"/>). When a
/// renewal finds the lease gone, <see cref="Token"/> is cancelled and the run stops; should it reach its publish
/// first, the store refuses it (the pointer swap checks the lease is still this run's: a fencing check).
/// </summary>
public sealed class RunLease : IAsyncDisposable
{
    /// <summary>Short, so that a dead holder's products run again within seconds; renewed every third of it.</summary>
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(15);

    /// <summary>The shortest duration allowed: a renewal is one small store transaction every third of it.</summary>
    public static readonly TimeSpan MinimumDuration = TimeSpan.FromSeconds(1);

    private readonly IMetadataStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _token;
    private readonly Task _heartbeat;

    private RunLease(IMetadataStore store, TimeProvider time, string productKey, string runId, TimeSpan duration, CancellationToken cancellationToken)
    {
        _store = store;
        _time = time;
        _duration = duration;
        ProductKey = productKey;
        RunId = runId;
        _token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lost.Token);
        _heartbeat = BeatAsync();
    }

    public string ProductKey { get; }

    public string RunId { get; }

    /// <summary>Cancelled when the caller cancels or the lease is lost: everything the run does passes it on.</summary>
    public CancellationToken Token => _token.Token;

    /// <summary>Whether a renewal found the lease no longer this run's (or could not renew it for a whole duration).</summary>
    public bool IsLost => _lost.IsCancellationRequested;

    /// <summary>The heartbeat; it ends when the lease is released or lost.</summary>
    internal Task Heartbeat => _heartbeat;

    /// <summary>
    /// Takes <paramref name="productKey"/>'s lease for <paramref name="runId"/>: free, lapsed, or held by a process
    /// on this machine that is gone (taken over at once, its run ended as failed). Null while a living run holds it.
    /// </summary>
    public static async Task<RunLease?> TryAcquireAsync(IMetadataStore store, TimeProvider time, string dataFolder, string productKey, string runId, TimeSpan duration,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, MinimumDuration);
        LeaseHolders.Hold(dataFolder);
        var holder = LeaseHolders.Current;
        if (!await store.TryAcquireLeaseAsync(productKey, holder, runId, duration, cancellationToken: cancellationToken).ConfigureAwait(false)
            && (await store.GetLeaseAsync(productKey, cancellationToken).ConfigureAwait(false) is not { } held || !LeaseHolders.IsDead(dataFolder, held.Holder)
                || !await store.TryAcquireLeaseAsync(productKey, holder, runId, duration, held.RunId, cancellationToken).ConfigureAwait(false)))
        {
            return null;
        }

        return new RunLease(store, time, productKey, runId, duration, cancellationToken);
    }

    /// <summary>
    /// Ends as failed every run whose process is gone: its lease lapsed, or its holder ran on this machine and
    /// its lock is free. Called by every process that opens a data folder to run or serve it.
    /// </summary>
    public static async Task<int> EndAbandonedRunsAsync(IMetadataStore store, string dataFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var leases = await store.GetLeasesAsync(cancellationToken).ConfigureAwait(false);
        var dead = leases.Where(l => LeaseHolders.IsDead(dataFolder, l.Holder)).Select(l => l.RunId).ToList();
        return await store.EndAbandonedRunsAsync(dead, cancellationToken).ConfigureAwait(false);
    }

    private async Task BeatAsync()
    {
        var renewedAt = _time.GetUtcNow();
        while (true)
        {
            bool? renewed;
            try
            {
                await Task.Delay(_duration / 3, _time, _stop.Token).ConfigureAwait(false);
                renewed = await _store.RenewLeaseAsync(ProductKey, RunId, _duration, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return; // released
            }
            catch (Exception e) when (e is StorageUnavailableException or DbException or IOException)
            {
                renewed = null; // the store did not answer this time: try again until the lease would have lapsed
            }

            var now = _time.GetUtcNow();
            if (renewed == true)
            {
                renewedAt = now;
            }
            else if (renewed == false || now - renewedAt >= _duration)
            {
                await _lost.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Stops the heartbeat and releases the lease if it is still this run's.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);
        try
        {
            await _store.ReleaseLeaseAsync(ProductKey, RunId, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _token.Dispose();
            _lost.Dispose();
            _stop.Dispose();
        }
    }
}
