using System.Globalization;
using Meshwork.Engines.DuckDb;
using Meshwork.Platform.Store.Sqlite;

namespace Meshwork.Platform.Tests.Pipelines;

/// <summary>A reader (as a server would be) beside repeated applies: it always sees a whole snapshot, old or new.</summary>
public sealed class ConcurrentReadTests : IDisposable
{
    private readonly TestMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Apply_WhileAnotherConnectionReads_ReaderNeverSeesAPartialSnapshot()
    {
        var platform = MeshworkPlatform.Create();
        var orders = Path.Combine(_mesh.Root, "domains/sales/orders/data/orders.csv");
        Assert.Empty((await platform.ApplyAsync(_mesh.Root, null)).Errors);
        var data = Path.Combine(_mesh.Root, ".mesh");

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            await using var store = await SqliteMetadataStore.OpenAsync(data, TimeProvider.System);
            await using var engine = await DuckDbEngine.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                var snapshot = await store.GetCurrentSnapshotAsync("sales.orders.orders_v1");
                await using var rows = await engine.ReadAsync($"SELECT count(*) FROM read_parquet('{Path.Combine(data, snapshot!.Snapshot, "*.parquet")}')");
                await rows.ReadAsync();
                Assert.Equal(snapshot.Rows, Convert.ToInt64(rows.GetValue(0), CultureInfo.InvariantCulture));
                reads++;
            }
        });

        for (var run = 3; run <= 8; run++)
        {
            File.AppendAllText(orders, string.Create(CultureInfo.InvariantCulture, $"{run},1,{run}.5\n"));
            File.SetLastWriteTimeUtc(orders, DateTime.UtcNow.AddSeconds(run));
            var result = await platform.ApplyAsync(_mesh.Root, null);
            Assert.Empty(result.Errors);
            Assert.Equal(run, Assert.Single(result.Datasets, d => d.Address == "sales.orders.orders_v1").Published);
        }

        await stop.CancelAsync();
        await reader; // rethrows a failed read
        Assert.True(reads > 0);
    }
}
