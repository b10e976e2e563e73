using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Meshwork.Server.Tests.Apis;

/// <summary>
/// The example with a retention on sales.orders by order_ts that lets the newest orders live until about 25 s after
/// the fixture starts, and grains that apply retention every second.
/// </summary>
public sealed class RetentionServerFixture : ServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Meshwork:Schedule:Tick"] = "00:00:00.100",
        ["Meshwork:Schedule:RetentionInterval"] = "00:00:01",
    };

    /// <summary>When the newest orders expire.</summary>
    public DateTime Expiry { get; private set; }

    protected override void Prepare(string root)
    {
        var newest = NewestOrder(Path.Combine(root, "domains/sales/orders/data/pos_sales.parquet"));
        Expiry = DateTime.UtcNow.AddSeconds(25);
        var minutes = (Expiry - newest).TotalMinutes;
        var contract = Path.Combine(root, "domains/sales/orders/orders.odcs.yaml");
        File.WriteAllText(contract, File.ReadAllText(contract).Replace("slaProperties:",
            string.Create(CultureInfo.InvariantCulture, $"slaProperties:\n  - property: retention\n    value: {minutes:0.######}\n    unit: min\n    element: orders.order_ts"),
            StringComparison.Ordinal));
    }

    private static DateTime NewestOrder(string file)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT CAST(max(order_ts) AS TIMESTAMP) FROM read_parquet('{file}')";
        return DateTime.SpecifyKind((DateTime)command.ExecuteScalar()!, DateTimeKind.Utc);
    }
}

/// <summary>A product whose contract declares a retention is woken daily (here every second) by its grain, which removes the rows past it.</summary>
public sealed class RetentionJobTests(RetentionServerFixture server) : IClassFixture<RetentionServerFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProductWithARetention_ItsGrainRemovesTheRowsThatExpire_WithoutARun()
    {
        var client = server.Client("admin");
        var before = await RowsAsync(client);
        var runs = await RunsAsync(client);
        Assert.True(DateTime.UtcNow < server.Expiry, "the fixture took longer than the rows' remaining life");

        var waited = Stopwatch.StartNew();
        while (await RowsAsync(client) == before && waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(250, Cancel);
        }

        Assert.True(await RowsAsync(client) < before);
        Assert.True(DateTime.UtcNow >= server.Expiry);
        Assert.Equal(runs, await RunsAsync(client)); // the retention job, not a run
        var audit = await client.GetStringAsync(new Uri("/api/v1/audit?limit=500", UriKind.Relative), Cancel);
        Assert.Contains("\"retention\"", audit, StringComparison.Ordinal);
    }

    private static async Task<long> RowsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/sales.orders.orders_v1", Cancel)).GetProperty("rows").GetInt64();

    private static async Task<int> RunsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/products/sales.orders/runs", Cancel)).GetArrayLength();
}
