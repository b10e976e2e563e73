using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>Run leases, fencing, and the pointer swap.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    private static readonly TimeSpan Minutes5 = TimeSpan.FromMinutes(5);

    protected static LeaseHolder Node(string machine) => new(Guid.NewGuid().ToString("N"), machine, 42);

    private SnapshotRecord Snapshot(string snapshot, string runId, long rows = 10, string address = "sales.orders.orders_v1") =>
        new(address, snapshot, runId, rows, rows > 0 ? "q-" + snapshot : null, rows / 5, "hash-" + snapshot, Time.GetUtcNow());

    [Fact]
    public async Task Lease_IsExclusiveAcrossStoreInstancesUntilReleasedOrExpired()
    {
        var first = await AppliedAsync();
        var second = await OpenAsync();
        var (a, b) = (Node("node-a"), Node("node-b"));

        Assert.True(await first.TryAcquireLeaseAsync("sales.orders", a, "run-1", Minutes5, cancellationToken: Cancel));
        Assert.False(await second.TryAcquireLeaseAsync("sales.orders", b, "run-2", Minutes5, cancellationToken: Cancel));
        Assert.True(await second.TryAcquireLeaseAsync("customers.profiles", b, "run-3", Minutes5, cancellationToken: Cancel));

        Time.Advance(TimeSpan.FromMinutes(6)); // node-a died: its lease runs out
        Assert.True(await second.TryAcquireLeaseAsync("sales.orders", b, "run-2", Minutes5, cancellationToken: Cancel));

        await second.ReleaseLeaseAsync("sales.orders", "run-2", Cancel);
        Assert.True(await first.TryAcquireLeaseAsync("sales.orders", a, "run-4", Minutes5, cancellationToken: Cancel));
    }

    [Fact]
    public async Task Lease_AcquiredAgainByItsRun_IsKeptAndExtended()
    {
        var store = await AppliedAsync();
        var a = Node("node-a");
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", a, "run-1", Minutes5, cancellationToken: Cancel));
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", a, "run-1", Minutes5, cancellationToken: Cancel));

        Assert.Equal(Time.GetUtcNow() + Minutes5, (await store.GetLeaseAsync("sales.orders", Cancel))!.ExpiresAt);
    }

    [Fact]
    public async Task GetLease_ReadsTheHolderAndExpiry_AndNullWhenFree()
    {
        var store = await AppliedAsync();
        var holder = Node("node-a");
        Assert.Null(await store.GetLeaseAsync("sales.orders", Cancel));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", holder, "run-1", Minutes5, cancellationToken: Cancel));
        Assert.True(await store.TryAcquireLeaseAsync("customers.profiles", Node("node-b"), "run-2", Minutes5, cancellationToken: Cancel));

        Assert.Equal(new Lease("sales.orders", "run-1", holder, Time.GetUtcNow() + Minutes5), await store.GetLeaseAsync("sales.orders", Cancel));
        Assert.Equal(["customers.profiles", "sales.orders"], (await store.GetLeasesAsync(Cancel)).Select(l => l.ProductKey));
    }

    [Fact]
    public async Task ReleaseLease_ByAnotherRun_LeavesTheLeaseHeld()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));

        await store.ReleaseLeaseAsync("sales.orders", "run-2", Cancel);

        Assert.Equal("run-1", (await store.GetLeaseAsync("sales.orders", Cancel))!.RunId);
        await store.ReleaseLeaseAsync("sales.orders", "run-1", Cancel);
        Assert.Null(await store.GetLeaseAsync("sales.orders", Cancel));
    }

    [Fact]
    public async Task Lease_WhoseHeartbeatStopped_LapsesAfterItsDurationAndItsRunFails()
    {
        var store = await AppliedAsync();
        var duration = TimeSpan.FromSeconds(15);
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", duration, cancellationToken: Cancel));
        await store.StartRunAsync("run-1", "sales.orders", "node-1", Cancel);

        Time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration, cancellationToken: Cancel));
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration, cancellationToken: Cancel));

        var run = Assert.Single(await store.GetRunsAsync("sales.orders", 10, Cancel));
        Assert.Equal(("run-1", "failed", Lease.LapsedFailure), (run.RunId, run.Status, run.Failure));
    }

    [Fact]
    public async Task Lease_Renewed_OutlivesItsFirstDurationUntilItLapsesAndIsTakenOver()
    {
        var store = await AppliedAsync();
        var duration = TimeSpan.FromSeconds(15);
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", duration, cancellationToken: Cancel));

        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await store.RenewLeaseAsync("sales.orders", "run-1", duration, Cancel));
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration, cancellationToken: Cancel));

        Time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration, cancellationToken: Cancel));
        Assert.False(await store.RenewLeaseAsync("sales.orders", "run-1", duration, Cancel));
        Assert.Equal("run-2", (await store.GetLeaseAsync("sales.orders", Cancel))!.RunId);
    }

    [Fact]
    public async Task Lease_OfADeadHolder_IsTakenOverBeforeItLapsesAndItsRunFails()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));
        await store.StartRunAsync("run-1", "sales.orders", "node-1", Cancel);

        Assert.False(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", Minutes5, replacing: "someone-else", cancellationToken: Cancel));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", Minutes5, replacing: "run-1", cancellationToken: Cancel));

        Assert.Equal("run-2", (await store.GetLeaseAsync("sales.orders", Cancel))!.RunId);
        Assert.Equal(("failed", Lease.LapsedFailure), Assert.Single(await store.GetRunsAsync("sales.orders", 10, Cancel)) is var r ? (r.Status, r.Failure) : default);
    }

    [Fact]
    public async Task EndAbandonedRuns_EndsRunsWithoutALivingLeaseOnly()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "lapsed", TimeSpan.FromSeconds(15), cancellationToken: Cancel));
        Time.Advance(TimeSpan.FromSeconds(16));
        Assert.True(await store.TryAcquireLeaseAsync("customers.profiles", Node("node-b"), "dead", TimeSpan.FromSeconds(15), cancellationToken: Cancel));
        Assert.True(await store.TryAcquireLeaseAsync("marketing.audience", Node("node-c"), "alive", TimeSpan.FromSeconds(15), cancellationToken: Cancel));
        foreach (var (run, product) in new[] { ("lapsed", "sales.orders"), ("dead", "customers.profiles"), ("alive", "marketing.audience"), ("orphan", "sales.orders") })
        {
            await store.StartRunAsync(run, product, "node-1", Cancel);
        }

        Assert.Equal(3, await store.EndAbandonedRunsAsync(["dead"], Cancel));

        Assert.Equal(["alive"], (await store.GetLeasesAsync(Cancel)).Select(l => l.RunId));
        var runs = (await store.GetRunsAsync("sales.orders", 10, Cancel)).Concat(await store.GetRunsAsync("customers.profiles", 10, Cancel))
            .Concat(await store.GetRunsAsync("marketing.audience", 10, Cancel));
        Assert.Equal(["alive running", "dead failed", "lapsed failed", "orphan failed"], runs.Select(r => $"{r.RunId} {r.Status}").Order(StringComparer.Ordinal));
        Assert.Equal(0, await store.EndAbandonedRunsAsync([], Cancel));
    }

    [Fact]
    public async Task TryAcquireLease_RacedByTwoInstances_ExactlyOneWins()
    {
        var first = await AppliedAsync();
        var second = await OpenAsync();

        for (var round = 0; round < 10; round++)
        {
            var product = $"race.product{round}";
            var results = await Task.WhenAll(
                Task.Run(() => first.TryAcquireLeaseAsync(product, Node("node-a"), $"a-{round}", Minutes5, cancellationToken: Cancel), Cancel),
                Task.Run(() => second.TryAcquireLeaseAsync(product, Node("node-b"), $"b-{round}", Minutes5, cancellationToken: Cancel), Cancel));

            Assert.Single(results, won => won);
            var holder = (await first.GetLeaseAsync(product, Cancel))!.RunId;
            Assert.Equal(results[0] ? $"a-{round}" : $"b-{round}", holder);
        }
    }

    // ---- snapshots and pointers ----------------------------------------------------------------------------

    [Fact]
    public async Task Publish_SwapsThePointerAndKeepsThePreviousSnapshotListed()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));
        await store.StartRunAsync("run-1", "sales.orders", "node-1", Cancel);
        var s1 = Snapshot("s1", "run-1");
        await store.PublishAsync("sales.orders", "run-1", [s1], Cancel);
        await store.FinishRunAsync("run-1", succeeded: true, null, Cancel);
        await store.ReleaseLeaseAsync("sales.orders", "run-1", Cancel);
        Time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-2", Minutes5, cancellationToken: Cancel));
        var s2 = Snapshot("s2", "run-2", rows: 0);
        await store.PublishAsync("sales.orders", "run-2", [s2], Cancel);

        Assert.Equal(s2, await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel));
        Assert.Equal(Time.GetUtcNow(), (await store.GetAppliedStateAsync(Cancel)).Datasets.Single(d => d.Address == "sales.orders.orders_v1").PublishedAt);
        Assert.Equal([(s1, Time.GetUtcNow()), (s2, (DateTimeOffset?)null)], await store.GetSnapshotsAsync("sales.orders", Cancel));
    }

    [Fact]
    public async Task Publish_SeveralDatasets_MovesEveryPointerOrNone()
    {
        var store = await AppliedAsync();
        var datasets = (await store.GetAppliedStateAsync(Cancel)).Datasets.Where(d => d.ProductKey == "sales.orders").Select(d => d.Address).ToList();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));
        await store.PublishAsync("sales.orders", "run-1", [.. datasets.Select(d => Snapshot("s1", "run-1", address: d))], Cancel);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.PublishAsync("sales.orders", "run-1", [.. datasets.Select(d => Snapshot("s2", "run-1", address: d)), Snapshot("s2", "run-1", address: "sales.orders.nope_v1")], Cancel));

        foreach (var dataset in datasets)
        {
            Assert.Equal("s1", (await store.GetCurrentSnapshotAsync(dataset, Cancel))!.Snapshot);
        }

        Assert.All(await store.GetSnapshotsAsync("sales.orders", Cancel), s => Assert.Equal(("s1", (DateTimeOffset?)null), (s.Snapshot.Snapshot, s.SupersededAt)));
    }

    [Fact]
    public async Task Publish_ByARunThatLostItsLease_IsRefusedAndThePointerStays()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", TimeSpan.FromSeconds(15), cancellationToken: Cancel));
        await store.PublishAsync("sales.orders", "run-1", [Snapshot("s1", "run-1")], Cancel);
        Time.Advance(TimeSpan.FromSeconds(16)); // run-1's heartbeat stalled: its lease lapsed, and run-2 took it
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", TimeSpan.FromSeconds(15), cancellationToken: Cancel));

        await Assert.ThrowsAsync<LeaseLostException>(() => store.PublishAsync("sales.orders", "run-1", [Snapshot("s2", "run-1")], Cancel));

        Assert.Equal("s1", (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel))!.Snapshot);
        Assert.Single(await store.GetSnapshotsAsync("sales.orders", Cancel));
    }

    [Fact]
    public async Task Publish_WithoutAnyLease_IsRefused()
    {
        var store = await AppliedAsync();

        await Assert.ThrowsAsync<LeaseLostException>(() => store.PublishAsync("sales.orders", "run-1", [Snapshot("s1", "run-1")], Cancel));

        Assert.Null(await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel));
    }

    [Fact]
    public async Task Publish_ToAnUnappliedDataset_IsRefusedAndChangesNothing()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("nope.nope", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.PublishAsync("nope.nope", "run-1", [Snapshot("s1", "run-1", address: "nope.nope.nope_v1")], Cancel));

        Assert.Null(await store.GetCurrentSnapshotAsync("nope.nope.nope_v1", Cancel));
    }

    [Fact]
    public async Task ForgetSnapshots_RemovesSupersededOnes_NeverTheCurrent()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));
        var (s1, s2) = (Snapshot("s1", "run-1"), Snapshot("s2", "run-1"));
        await store.PublishAsync("sales.orders", "run-1", [s1], Cancel);
        await store.PublishAsync("sales.orders", "run-1", [s2], Cancel);

        await store.ForgetSnapshotsAsync([s1, s2], Cancel);

        Assert.Equal([s2], (await store.GetSnapshotsAsync("sales.orders", Cancel)).Select(s => s.Snapshot));
        Assert.Equal(s2, await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel));
    }
}
