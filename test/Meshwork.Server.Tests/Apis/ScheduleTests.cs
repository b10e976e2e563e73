using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Meshwork.Testing;

namespace Meshwork.Server.Tests.Apis;

/// <summary>The example with customer profiles scheduled every second, and grains that look every 100 ms.</summary>
public class ScheduledServerFixture : ServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Meshwork:Schedule:Tick"] = "00:00:00.100" };

    protected override void Prepare(string root) => ExampleMesh.Schedule(root, "domains/customers/profiles", "* * * * * *");
}

/// <summary><see cref="ScheduledServerFixture"/> on the PostgreSQL store.</summary>
public sealed class PostgresScheduledServerFixture : ScheduledServerFixture
{
    protected override Task<string?> CreateStoreAsync() => PostgresServerFixture.CreateDatabaseAsync();
}

public sealed class ScheduleTests(ScheduledServerFixture server) : ScheduleTests<ScheduledServerFixture>(server);

/// <summary>The same test on the PostgreSQL store: the scheduled runs are leased and recorded there.</summary>
public sealed class ScheduleOnPostgresTests(PostgresScheduledServerFixture server) : ScheduleTests<PostgresScheduledServerFixture>(server);

public abstract class ScheduleTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ScheduledServerFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScheduledProduct_PublishesNewSourceRowsAndItsDownstreamFollows()
    {
        var client = server.Client("admin");
        var profiles = await RowsAsync(client, "customers.profiles.profiles_v1");
        var downstream = await PublishedAtAsync(client, "customers.customer_value.customer_value_v1");
        var customers = Path.Combine(server.Root, "domains/customers/profiles/data/customers.csv");
        var added = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            added.Append(System.Globalization.CultureInfo.InvariantCulture, $"{6000 + i},Sched,Uled,s{i}@example.com,+49 30 555 {i:0000},DE,Berlin,1990-01-01,2024-01-01\n");
        }

        File.AppendAllText(customers, added.ToString());
        File.SetLastWriteTimeUtc(customers, DateTime.UtcNow.AddMinutes(1));

        // No one asks for a run: the grain's schedule notices the change, and its downstream follows it.
        var waited = Stopwatch.StartNew();
        while (await RowsAsync(client, "customers.profiles.profiles_v1") != profiles + 3 && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200, Cancel);
        }

        Assert.Equal(profiles + 3, await RowsAsync(client, "customers.profiles.profiles_v1"));
        while (await PublishedAtAsync(client, "customers.customer_value.customer_value_v1") == downstream && waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(200, Cancel);
        }

        Assert.NotEqual(downstream, await PublishedAtAsync(client, "customers.customer_value.customer_value_v1"));
    }

    private static async Task<long> RowsAsync(HttpClient client, string address) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{address}", Cancel)).GetProperty("rows").GetInt64();

    private static async Task<string?> PublishedAtAsync(HttpClient client, string address) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{address}", Cancel)).GetProperty("publishedAt").GetString();
}
