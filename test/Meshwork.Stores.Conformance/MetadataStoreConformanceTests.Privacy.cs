using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>Privacy: erasure requests and their suppression list, and snapshots pointed at rewritten copies under the product's lease.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    [Fact]
    public async Task Erasures_AreRecordedUpdatedAndListedNewestFirst_AndTheirSubjectsAreSuppressedOnce()
    {
        var store = await OpenAsync();
        var first = new ErasureRecord("er-1", "aa11", "GDPR #1", "dpo", ErasureStatus.Running, Time.GetUtcNow(), null, "{}");
        await store.CreateErasureAsync(first, Cancel);
        Time.Advance(TimeSpan.FromMinutes(1));
        var second = first with { Id = "er-2", SubjectHash = "bb22", RequestedAt = Time.GetUtcNow() };
        await store.CreateErasureAsync(second, Cancel);
        await store.CreateErasureAsync(second with { Id = "er-3", RequestedAt = Time.GetUtcNow().AddSeconds(1) }, Cancel);

        await store.UpdateErasureAsync("er-1", ErasureStatus.Completed, """{"products":[]}""", Time.GetUtcNow(), Cancel);

        Assert.Equal(first with { Status = ErasureStatus.Completed, Report = """{"products":[]}""", CompletedAt = Time.GetUtcNow() }, await store.GetErasureAsync("er-1", Cancel));
        Assert.Null(await store.GetErasureAsync("er-9", Cancel));
        Assert.Equal(["er-3", "er-2", "er-1"], (await store.ListErasuresAsync(10, Cancel)).Select(e => e.Id));
        Assert.Equal(["er-3"], (await store.ListErasuresAsync(1, Cancel)).Select(e => e.Id));
        Assert.Equal(["aa11", "bb22"], await store.GetSuppressedSubjectsAsync(Cancel));
        await Assert.ThrowsAnyAsync<Exception>(() => store.UpdateErasureAsync("er-2", "lost", "{}", null, Cancel));
        Assert.Null(await store.FindOpenErasureAsync("aa11", Cancel)); // completed
        Assert.Equal("er-3", (await store.FindOpenErasureAsync("bb22", Cancel))?.Id);
        Assert.Null(await store.FindOpenErasureAsync("cc33", Cancel));
    }

    [Fact]
    public async Task ReplaceSnapshots_UnderTheLease_PointsTheCurrentAndAnEarlierOneAtTheirCopies_KeepingTheirPlace()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));
        await store.PublishAsync("sales.orders", "run-1", [Snapshot("s1", "run-1")], Cancel);
        Time.Advance(TimeSpan.FromMinutes(1));
        await store.PublishAsync("sales.orders", "run-1", [Snapshot("s2", "run-1") with { QuarantineSnapshot = "q2", Quarantined = 3 }], Cancel);
        var supersededAt = Time.GetUtcNow();
        await store.ReleaseLeaseAsync("sales.orders", "run-1", Cancel);
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "erasure-1", Minutes5, cancellationToken: Cancel));

        await store.ReplaceSnapshotsAsync("sales.orders", "erasure-1",
            [new SnapshotReplacement("sales.orders.orders_v1", "s1", "s1-p1", null, 9, 0), new SnapshotReplacement("sales.orders.orders_v1", "s2", "s2", "q2-p1", 10, 2)], Cancel);

        var listed = await store.GetSnapshotsAsync("sales.orders", Cancel);
        Assert.Equal([("s1-p1", null, 9L, 0L, (DateTimeOffset?)supersededAt), ("s2", "q2-p1", 10L, 2L, null)],
            listed.Select(l => (l.Snapshot.Snapshot, l.Snapshot.QuarantineSnapshot, l.Snapshot.Rows, l.Snapshot.Quarantined, l.SupersededAt)));
        Assert.Equal("s2", (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel))!.Snapshot);
        Assert.All(listed, l => Assert.Equal("run-1", l.Snapshot.RunId));

        await store.ReplaceSnapshotsAsync("sales.orders", "erasure-1", [new SnapshotReplacement("sales.orders.orders_v1", "s2", "s2-p2", "q2-p1", 8, 2)], Cancel);
        Assert.Equal(("s2-p2", 8L), ((await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel))!.Snapshot, (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel))!.Rows));
    }

    [Fact]
    public async Task ReplaceSnapshots_WithoutTheLeaseOrOfASnapshotNoLongerListed_ChangesNothing()
    {
        var store = await AppliedAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", Minutes5, cancellationToken: Cancel));
        await store.PublishAsync("sales.orders", "run-1", [Snapshot("s1", "run-1")], Cancel);

        await Assert.ThrowsAsync<LeaseLostException>(() =>
            store.ReplaceSnapshotsAsync("sales.orders", "erasure-1", [new SnapshotReplacement("sales.orders.orders_v1", "s1", "s1-p1", null, 9, 0)], Cancel));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReplaceSnapshotsAsync("sales.orders", "run-1",
            [new SnapshotReplacement("sales.orders.orders_v1", "s1", "s1-p1", null, 9, 0), new SnapshotReplacement("sales.orders.orders_v1", "gone", "gone-p1", null, 1, 0)], Cancel));

        Assert.Equal(("s1", 10L), ((await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel))!.Snapshot, (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel))!.Rows));
    }
}
