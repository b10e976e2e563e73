using System.Globalization;
using DuckDB.NET.Data;
using Meshwork.Platform.Serving;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Privacy;

/// <summary>
/// Retention enforced on the example's orders (an SLA retention by <c>orders.order_ts</c>): rows older than it are left
/// out at every run, and removed by the retention job from the current and earlier versions; a dry run changes nothing.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private const string Orders = "sales.orders.orders_v1";

    private readonly TestMesh _mesh = TestMesh.Example();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MeshworkPlatform _platform;

    public RetentionTests() => _platform = MeshworkPlatform.Create(m => m.UseTime(_time));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Retention_RowsOlderThanIt_AreLeftOutAtTheRun_AndTheJobRemovesThemFromEveryVersion_ButNotOnADryRun()
    {
        await ApplyAsync();
        var times = await OrderTimesAsync(await CurrentFolderAsync());
        // An order whose time is more than two minutes after the one before it: the cutoff goes just before it.
        var k = Enumerable.Range(times.Count / 2, times.Count / 2).First(i => times[i] - times[i - 1] > TimeSpan.FromMinutes(2));
        var minutes = (int)Math.Ceiling((_time.GetUtcNow().UtcDateTime - times[k]).TotalMinutes);
        _mesh.Edit("domains/sales/orders/orders.odcs.yaml", "slaProperties:",
            $"slaProperties:\n  - property: retention\n    value: {minutes.ToString(CultureInfo.InvariantCulture)}\n    unit: min\n    element: orders.order_ts");

        await ApplyAsync();
        var retained = await OrderTimesAsync(await CurrentFolderAsync());
        Assert.Equal(times.Count - k, retained.Count);
        Assert.Equal(times[k], retained.Min());

        // Two minutes on, the order at the cutoff has expired: the job finds it in the current version, and the older
        // orders in the earlier version (published before the retention was declared, still kept for readers).
        _time.Advance(TimeSpan.FromMinutes(2));
        await using var served = await _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder }, Cancel);
        var expiredNow = retained.Count(t => t < _time.GetUtcNow().UtcDateTime.AddMinutes(-minutes));
        var files = Files();

        var dry = Assert.Single(await served.ApplyRetentionAsync(dryRun: true, cancellationToken: Cancel), r => r.Product == "sales.orders");
        var dryOrders = dry.Datasets.Single(d => d.Address == Orders).Removed!;
        Assert.Equal((expiredNow, (long)k + expiredNow), (dryOrders.Current, dryOrders.Earlier));
        Assert.Equal(files, Files());

        var applied = Assert.Single(await served.ApplyRetentionAsync(dryRun: false, cancellationToken: Cancel), r => r.Product == "sales.orders");
        Assert.Null(applied.Error);
        Assert.Equal(2, applied.Datasets.Single(d => d.Address == Orders).Removed!.Versions);
        var listed = (await served.Store.GetSnapshotsAsync("sales.orders", Cancel)).Where(l => l.Snapshot.Address == Orders).ToList();
        Assert.Equal(2, listed.Count);
        foreach (var (snapshot, _) in listed)
        {
            Assert.All(await OrderTimesAsync(snapshot.FolderIn(_mesh.DataFolder)), t => Assert.True(t >= _time.GetUtcNow().UtcDateTime.AddMinutes(-minutes)));
        }

        Assert.Equal(retained.Count - expiredNow, (await served.Store.GetCurrentSnapshotAsync(Orders, Cancel))!.Rows);
        var audit = await served.Store.GetAuditAsync(1000, Cancel);
        Assert.Contains(audit, a => a.Entry.Action == "retention" && a.Entry.Resource == Orders && a.Entry.Detail!.StartsWith("run ", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Entry.Action == "retention" && a.Entry.Resource == Orders && a.Entry.Rows == k + 2 * expiredNow);
        Assert.Empty(await served.Store.VerifyAuditAsync(null, Cancel));

        // Past the read grace period the earlier snapshot is deleted whole by the job, though the product does not run.
        var earlier = listed.Single(l => l.SupersededAt is not null).Snapshot;
        _time.Advance(Meshwork.Platform.Pipelines.PipelineRunner.DefaultSnapshotGrace + TimeSpan.FromMinutes(1));
        Assert.Null(Assert.Single(await served.ApplyRetentionAsync(dryRun: false, cancellationToken: Cancel), r => r.Product == "sales.orders").Error);
        Assert.Equal([(await served.Store.GetCurrentSnapshotAsync(Orders, Cancel))!.Snapshot],
            (await served.Store.GetSnapshotsAsync("sales.orders", Cancel)).Where(l => l.Snapshot.Address == Orders).Select(l => l.Snapshot.Snapshot));
        Assert.False(Directory.Exists(earlier.FolderIn(_mesh.DataFolder)));
    }

    private async Task ApplyAsync() => Assert.Empty((await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel)).Errors);

    private async Task<string> CurrentFolderAsync()
    {
        await using var store = await _platform.OpenStoreAsync(_mesh.DataFolder, Cancel);
        return (await store.GetCurrentSnapshotAsync(Orders, Cancel))!.FolderIn(_mesh.DataFolder);
    }

    private List<string> Files() =>
        [.. Directory.EnumerateFiles(Path.Combine(_mesh.DataFolder, "data"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    private static async Task<List<DateTime>> OrderTimesAsync(string folder)
    {
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT CAST(order_ts AS TIMESTAMP) FROM read_parquet('{Path.Combine(folder, "*.parquet")}') ORDER BY 1";
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var times = new List<DateTime>();
        while (await reader.ReadAsync(Cancel))
        {
            times.Add(reader.GetDateTime(0));
        }

        return times;
    }
}
