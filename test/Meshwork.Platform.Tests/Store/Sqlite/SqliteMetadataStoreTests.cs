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

    [Fact]
    public async Task Lease_IsExclusiveAcrossStoreInstancesUntilReleasedOrExpired()
    {
        await using var first = await AppliedStoreAsync();
        await using var second = await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time);

        Assert.True(await first.TryAcquireLeaseAsync("sales.orders", "node-a", "run-1", TimeSpan.FromMinutes(5)));
        Assert.False(await second.TryAcquireLeaseAsync("sales.orders", "node-b", "run-2", TimeSpan.FromMinutes(5)));
        Assert.True(await second.TryAcquireLeaseAsync("customers.profiles", "node-b", "run-3", TimeSpan.FromMinutes(5)));

        _time.Advance(TimeSpan.FromMinutes(6)); // node-a died: its lease runs out
        Assert.True(await second.TryAcquireLeaseAsync("sales.orders", "node-b", "run-2", TimeSpan.FromMinutes(5)));

        await second.ReleaseLeaseAsync("sales.orders", "run-2");
        Assert.True(await first.TryAcquireLeaseAsync("sales.orders", "node-a", "run-4", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Publish_SwapsThePointerAndKeepsThePreviousSnapshotListed()
    {
        await using var store = await AppliedStoreAsync();
        await store.StartRunAsync("run-1", "sales.orders");
        await store.PublishAsync([new SnapshotRecord("sales.orders.orders_v1", "s1", "run-1", 10, "q1", 2, "hash-1", _time.GetUtcNow())]);
        await store.FinishRunAsync("run-1", succeeded: true, null);
        _time.Advance(TimeSpan.FromMinutes(1));

        await store.PublishAsync([new SnapshotRecord("sales.orders.orders_v1", "s2", "run-2", 12, null, 0, "hash-2", _time.GetUtcNow())]);

        var current = await store.GetCurrentSnapshotAsync("sales.orders.orders_v1");
        Assert.Equal(("s2", 12L, 0L, "hash-2"), (current!.Snapshot, current.Rows, current.Quarantined, current.InputHash));
        Assert.NotNull((await store.GetAppliedStateAsync()).Datasets.Single(d => d.Address == "sales.orders.orders_v1").PublishedAt);
    }

    [Fact]
    public async Task Publish_ToAnUnappliedDataset_IsRefusedAndChangesNothing()
    {
        await using var store = await AppliedStoreAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.PublishAsync([new SnapshotRecord("nope.nope.nope_v1", "s1", "run-1", 1, null, 0, "h", _time.GetUtcNow())]));

        Assert.Null(await store.GetCurrentSnapshotAsync("nope.nope.nope_v1"));
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
