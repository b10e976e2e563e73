using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Pipelines;

/// <summary>The run lease's heartbeat against the real SQLite store, its time advanced by hand.</summary>
public sealed class RunLeaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "meshwork-leases-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private SqliteMetadataStore? _store;

    private SqliteMetadataStore Store => _store!;

    public async ValueTask InitializeAsync() => _store = await SqliteMetadataStore.OpenAsync(_data, _time);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Heartbeat_EveryThirdOfTheDuration_KeepsTheLeaseBeyondItsFirstDuration()
    {
        await using var lease = await RunLease.TryAcquireAsync(Store, _time, _data, "sales.orders", "run-1", Duration, TestContext.Current.CancellationToken);
        Assert.NotNull(lease);

        for (var beat = 0; beat < 4; beat++)
        {
            _time.Advance(Duration / 3);
            await UntilAsync(async () => (await Store.GetLeaseAsync("sales.orders"))!.ExpiresAt == _time.GetUtcNow() + Duration);
        }

        // Past the first expiry by far, and still held: nobody else may take it.
        Assert.False(await Store.TryAcquireLeaseAsync("sales.orders", new LeaseHolder(Guid.NewGuid().ToString("N"), "node-b", 1), "run-2", Duration));
        Assert.False(lease.IsLost);
    }

    [Fact]
    public async Task Heartbeat_LeaseTakenOver_CancelsTheRunsToken()
    {
        await using var lease = await RunLease.TryAcquireAsync(Store, _time, _data, "sales.orders", "run-1", Duration, TestContext.Current.CancellationToken);
        Assert.NotNull(lease);
        // Another process found this one dead (its heartbeat stalled) and took the product over.
        Assert.True(await Store.TryAcquireLeaseAsync("sales.orders", new LeaseHolder(Guid.NewGuid().ToString("N"), "node-b", 1), "run-2", Duration, replacing: "run-1"));

        _time.Advance(Duration / 3);
        await lease.Heartbeat;

        Assert.True(lease.IsLost);
        Assert.True(lease.Token.IsCancellationRequested);
        Assert.Equal("run-2", (await Store.GetLeaseAsync("sales.orders"))!.RunId); // releasing the lost lease leaves the new holder's alone
    }

    [Fact]
    public async Task TryAcquire_HeldByThisMachinesLivingProcess_IsNull()
    {
        var living = new LeaseHolder(Guid.NewGuid().ToString("N"), Environment.MachineName, Environment.ProcessId);
        Assert.True(await Store.TryAcquireLeaseAsync("sales.orders", living, "their-run", Duration));
        Directory.CreateDirectory(Path.Combine(_data, LeaseHolders.LockFolder));
        await using (new FileStream(LeaseHolders.LockFile(_data, living.Instance), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Null(await RunLease.TryAcquireAsync(Store, _time, _data, "sales.orders", "run-1", Duration, TestContext.Current.CancellationToken));
        }

        // Its process ended (the kernel dropped the lock): the lease is taken over at once, long before it expires.
        await using var lease = await RunLease.TryAcquireAsync(Store, _time, _data, "sales.orders", "run-1", Duration, TestContext.Current.CancellationToken);
        Assert.NotNull(lease);
        Assert.False(File.Exists(LeaseHolders.LockFile(_data, living.Instance)));
    }

    /// <summary>Waits for the heartbeat's store write, which runs on its own after the time is advanced (bounded, so that a missing write fails rather than hangs).</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 3000 && !await condition(); attempt++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(await condition(), "the heartbeat did not renew the lease");
    }
}
