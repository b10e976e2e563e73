using Meshwork.Diagnostics;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Store.Sqlite;

public sealed class SqliteMetadataStoreTests : IDisposable
{
    private readonly TestMesh _mesh = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _mesh.Dispose();

    private async Task<IMetadataStore> AppliedStoreAsync()
    {
        var store = await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time);
        await store.RecordPlanAsync(new Planner(_time).Plan(_mesh.Load(), AppliedState.Empty));
        return store;
    }

    [Fact]
    public async Task Open_Twice_AppliesEachMigrationOnce()
    {
        await (await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time)).DisposeAsync();
        await (await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time)).DisposeAsync();

        using var connection = new SqliteConnection($"Data Source={Path.Combine(_mesh.DataFolder, SqliteMetadataStore.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), max(version) FROM schema_migrations";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(SqliteMigrations.All.Count, reader.GetInt32(0));
        Assert.Equal(SqliteMigrations.All[^1].Version, reader.GetInt32(1));
    }

    [Fact]
    public async Task RecordPlan_StoresProductsPortsDatasetsAndLineage()
    {
        await using var store = await AppliedStoreAsync();

        var state = await store.GetAppliedStateAsync();

        Assert.Equal(["customers.profiles", "marketing.audience", "sales.orders"], state.Products.Select(p => p.Key));
        Assert.Contains(state.Ports, p => p is { ProductKey: "marketing.audience", Name: "audience", Major: 2, Status: PortStatus.Live });
        var orders = Assert.Single(state.Datasets, d => d.Address == "sales.orders.orders_v1");
        Assert.Equal(["order_id", "customer_id", "amount"], orders.Schema.Columns.Select(c => c.Name));
        Assert.True(orders.Schema.Columns[0].PrimaryKey);
        Assert.Contains(await store.GetLineageAsync(), e => e.Upstream == "customers.profiles.profiles_v1" && e.Downstream == "marketing.audience");
    }

    private static LeaseHolder Node(string machine) => new(Guid.NewGuid().ToString("N"), machine, 1);

    [Fact]
    public async Task Lease_IsExclusiveAcrossStoreInstancesUntilReleasedOrExpired()
    {
        await using var first = await AppliedStoreAsync();
        await using var second = await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time);
        var (a, b) = (Node("node-a"), Node("node-b"));

        Assert.True(await first.TryAcquireLeaseAsync("sales.orders", a, "run-1", TimeSpan.FromMinutes(5)));
        Assert.False(await second.TryAcquireLeaseAsync("sales.orders", b, "run-2", TimeSpan.FromMinutes(5)));
        Assert.True(await second.TryAcquireLeaseAsync("customers.profiles", b, "run-3", TimeSpan.FromMinutes(5)));

        _time.Advance(TimeSpan.FromMinutes(6)); // node-a died: its lease runs out
        Assert.True(await second.TryAcquireLeaseAsync("sales.orders", b, "run-2", TimeSpan.FromMinutes(5)));

        await second.ReleaseLeaseAsync("sales.orders", "run-2");
        Assert.True(await first.TryAcquireLeaseAsync("sales.orders", a, "run-4", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Lease_WhoseHeartbeatStopped_LapsesAfterItsDurationAndItsRunFails()
    {
        await using var store = await AppliedStoreAsync();
        var duration = TimeSpan.FromSeconds(15);
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", duration));
        await store.StartRunAsync("run-1", "sales.orders");

        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration));

        var run = Assert.Single(await store.GetRunsAsync("sales.orders", 10));
        Assert.Equal(("run-1", "failed", Lease.LapsedFailure), (run.RunId, run.Status, run.Failure));
    }

    [Fact]
    public async Task Lease_Renewed_OutlivesItsFirstDurationUntilItLapsesAndIsTakenOver()
    {
        await using var store = await AppliedStoreAsync();
        var duration = TimeSpan.FromSeconds(15);
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", duration));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await store.RenewLeaseAsync("sales.orders", "run-1", duration));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration));

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", duration));
        Assert.False(await store.RenewLeaseAsync("sales.orders", "run-1", duration));
        Assert.Equal("run-2", (await store.GetLeaseAsync("sales.orders"))!.RunId);
    }

    [Fact]
    public async Task EndAbandonedRuns_EndsRunsWithoutALivingLeaseOnly()
    {
        await using var store = await AppliedStoreAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "lapsed", TimeSpan.FromSeconds(15)));
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.True(await store.TryAcquireLeaseAsync("customers.profiles", Node("node-b"), "dead", TimeSpan.FromSeconds(15)));
        Assert.True(await store.TryAcquireLeaseAsync("marketing.audience", Node("node-c"), "alive", TimeSpan.FromSeconds(15)));
        foreach (var (run, product) in new[] { ("lapsed", "sales.orders"), ("dead", "customers.profiles"), ("alive", "marketing.audience"), ("orphan", "sales.orders") })
        {
            await store.StartRunAsync(run, product);
        }

        Assert.Equal(3, await store.EndAbandonedRunsAsync(["dead"]));

        Assert.Equal(["alive"], (await store.GetLeasesAsync()).Select(l => l.RunId));
        var runs = (await store.GetRunsAsync("sales.orders", 10)).Concat(await store.GetRunsAsync("customers.profiles", 10)).Concat(await store.GetRunsAsync("marketing.audience", 10));
        Assert.Equal(["alive running", "dead failed", "lapsed failed", "orphan failed"], runs.Select(r => $"{r.RunId} {r.Status}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Publish_SwapsThePointerAndKeepsThePreviousSnapshotListed()
    {
        await using var store = await AppliedStoreAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", TimeSpan.FromMinutes(5)));
        await store.StartRunAsync("run-1", "sales.orders");
        await store.PublishAsync("sales.orders", "run-1", [new SnapshotRecord("sales.orders.orders_v1", "s1", "run-1", 10, "q1", 2, "hash-1", _time.GetUtcNow())]);
        await store.FinishRunAsync("run-1", succeeded: true, null);
        await store.ReleaseLeaseAsync("sales.orders", "run-1");
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-2", TimeSpan.FromMinutes(5)));
        await store.PublishAsync("sales.orders", "run-2", [new SnapshotRecord("sales.orders.orders_v1", "s2", "run-2", 12, null, 0, "hash-2", _time.GetUtcNow())]);

        var current = await store.GetCurrentSnapshotAsync("sales.orders.orders_v1");
        Assert.Equal(("s2", 12L, 0L, "hash-2"), (current!.Snapshot, current.Rows, current.Quarantined, current.InputHash));
        Assert.NotNull((await store.GetAppliedStateAsync()).Datasets.Single(d => d.Address == "sales.orders.orders_v1").PublishedAt);
    }

    [Fact]
    public async Task Publish_ByARunThatLostItsLease_IsRefusedAndThePointerStays()
    {
        await using var store = await AppliedStoreAsync();
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-a"), "run-1", TimeSpan.FromSeconds(15)));
        await store.PublishAsync("sales.orders", "run-1", [new SnapshotRecord("sales.orders.orders_v1", "s1", "run-1", 10, null, 0, "hash-1", _time.GetUtcNow())]);
        _time.Advance(TimeSpan.FromSeconds(16)); // run-1's heartbeat stalled: its lease lapsed, and run-2 took it
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", Node("node-b"), "run-2", TimeSpan.FromSeconds(15)));

        await Assert.ThrowsAsync<LeaseLostException>(() =>
            store.PublishAsync("sales.orders", "run-1", [new SnapshotRecord("sales.orders.orders_v1", "s2", "run-1", 12, null, 0, "hash-2", _time.GetUtcNow())]));

        Assert.Equal("s1", (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1"))!.Snapshot);
    }

    [Fact]
    public async Task Publish_ToAnUnappliedDataset_IsRefusedAndChangesNothing()
    {
        await using var store = await AppliedStoreAsync();
        Assert.True(await store.TryAcquireLeaseAsync("nope.nope", Node("node-a"), "run-1", TimeSpan.FromMinutes(5)));

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.PublishAsync("nope.nope", "run-1", [new SnapshotRecord("nope.nope.nope_v1", "s1", "run-1", 1, null, 0, "h", _time.GetUtcNow())]));

        Assert.Null(await store.GetCurrentSnapshotAsync("nope.nope.nope_v1"));
    }

    [Fact]
    public async Task Open_StoreFileIsNotADatabase_IsUnavailableNamingTheFile()
    {
        Directory.CreateDirectory(_mesh.DataFolder);
        var path = Path.Combine(_mesh.DataFolder, SqliteMetadataStore.FileName);
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time));

        Assert.Contains($"'{path}' is damaged or is not a SQLite database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checks_AreKeptAsHistoryNewestFirst()
    {
        await using var store = await AppliedStoreAsync();
        var check = new QualityCheck("rowCount", QualityMetric.RowCount, [], [], null, new Threshold("mustBeGreaterThan", [0]), false, Severity.Error, SourceLocation.StartOf("x"));

        await store.RecordChecksAsync("run-1", "sales.orders.orders_v1", [new CheckOutcome(check, 0, CheckStatus.Failed, "rowCount: 0")]);
        _time.Advance(TimeSpan.FromHours(1));
        await store.RecordChecksAsync("run-2", "sales.orders.orders_v1", [new CheckOutcome(check, 5.5m, CheckStatus.Passed, "rowCount: 5.5")]);

        var history = await store.GetCheckHistoryAsync("sales.orders.orders_v1", 10);
        Assert.Equal([("run-2", "passed", 5.5m), ("run-1", "failed", 0m)], history.Select(h => (h.RunId, h.Status, h.Value!.Value)));
    }
}
