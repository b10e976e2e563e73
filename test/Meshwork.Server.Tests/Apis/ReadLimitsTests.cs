using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Meshwork.Server.Tests.Apis;

/// <summary>The example served with tight read limits: one second per read, one read per principal, two in all.</summary>
public class LimitedServerFixture : ServerFixture
{
    /// <summary>A dataset whose published files this fixture damages after apply.</summary>
    public const string Damaged = "sales.orders.orders_v1";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Meshwork:ReadTimeout"] = "00:00:01",
        ["Meshwork:MaxConcurrentReadsPerPrincipal"] = "1",
        ["Meshwork:MaxConcurrentReads"] = "2",
    };

    public void DamageSnapshot()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(DataFolder, "data", "sales", "orders", "orders_v1"), "*.parquet", SearchOption.AllDirectories))
        {
            File.WriteAllText(file, "not a parquet file");
        }
    }
}

/// <summary><see cref="LimitedServerFixture"/> on the PostgreSQL store.</summary>
public sealed class PostgresLimitedServerFixture : LimitedServerFixture
{
    protected override Task<string?> CreateStoreAsync() => PostgresServerFixture.CreateDatabaseAsync();
}

public sealed class ReadLimitsTests(LimitedServerFixture server) : ReadLimitsTests<LimitedServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class ReadLimitsOnPostgresTests(PostgresLimitedServerFixture server) : ReadLimitsTests<PostgresLimitedServerFixture>(server);

/// <summary>
/// Limits that hold: a read past its time stops the engine, a caller hanging up stops it too, a flood is
/// answered 429 with Retry-After, and a damaged snapshot is a clear, audited failure.
/// </summary>
public abstract class ReadLimitsTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : LimitedServerFixture
{
    // Never ends by itself: a recursion without a stop, beside a dataset so that it is a read.
    private const string Endless = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) AS n FROM customers.profiles.profiles_v1, r";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Query_PastTheTimeLimit_Is422AndTheEngineIsStopped()
    {
        var purpose = Purpose();

        // Answered at all only because the engine was interrupted: the query itself never ends.
        var response = await DataApiTests.PostQueryAsync(server.Client("admin"), Endless, purpose: purpose);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("limit of 1 s", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        var record = (await AuditAsync(purpose))[0];
        Assert.Equal("limit", record.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Query_CallerHangsUp_StopsTheEngineAndIsAuditedAsAborted()
    {
        // A round counts when the hang-up reached a running read. On a loaded machine the caller may hang up before the
        // read reached the engine (nothing ran: no record), or the 1 s limit may stop it first ("limit"): tried again.
        var outcomes = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            var purpose = Purpose();
            using var hangUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DataApiTests.PostQueryAsync(server.Client("olivia"), Endless, purpose: purpose, cancellationToken: hangUp.Token));

            var ended = await EndedAsync(purpose);
            outcomes.Add(ended ?? "no record");
            if (ended == "aborted")
            {
                return;
            }
        }

        Assert.Fail($"A caller hanging up never stopped a running read as 'aborted': {string.Join(", ", outcomes)}.");
    }

    [Fact]
    public async Task Reads_FloodFromOnePrincipal_Are429WithRetryAfter()
    {
        // Twelve at once: one runs (until its time limit), the others are refused while it runs. A round where the
        // machine was too loaded for any two to overlap does not count and is tried again.
        for (var round = 0; round < 5; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => DataApiTests.PostQueryAsync(server.Client("frank"), Endless)));

            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.TooManyRequests, r.StatusCode.ToString()));
            var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            if (refused.Count > 0)
            {
                Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.UnprocessableEntity);
                Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));
                Assert.Contains("per caller", await refused[0].Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
                return;
            }
        }

        Assert.Fail("Twelve reads at once by one principal were never refused.");
    }

    [Fact]
    public async Task Reads_OverTheServersLimit_Are429ForEveryone()
    {
        // Two principals take both places; a third, with none of its own running, is refused while they run. On a
        // loaded machine a probe can get in before a runner: then the round does not count and is tried again.
        for (var round = 0; round < 5; round++)
        {
            var running = new List<Task<HttpResponseMessage>>
            {
                DataApiTests.PostQueryAsync(server.Client("frank"), Endless),
                DataApiTests.PostQueryAsync(server.Client("admin"), Endless),
            };
            var answers = new List<HttpStatusCode>();
            while (!running.All(r => r.IsCompleted))
            {
                answers.Add((await DataApiTests.PostQueryAsync(server.Client("mallory"), "SELECT count(*) AS n FROM customers.profiles.profiles_v1")).StatusCode);
            }

            var runners = (await Task.WhenAll(running)).Select(r => r.StatusCode).ToList();
            if (runners.All(r => r == HttpStatusCode.UnprocessableEntity) && answers.Contains(HttpStatusCode.TooManyRequests))
            {
                Assert.Equal(HttpStatusCode.OK, (await DataApiTests.PostQueryAsync(server.Client("mallory"), "SELECT count(*) AS n FROM customers.profiles.profiles_v1")).StatusCode);
                return;
            }

            Assert.All(runners, r => Assert.True(r is HttpStatusCode.UnprocessableEntity or HttpStatusCode.TooManyRequests, r.ToString()));
        }

        Assert.Fail("A third principal was never refused while two reads held the server's two places.");
    }

    [Fact]
    public async Task Read_OfADamagedSnapshot_IsAClearFailureOnRecord()
    {
        server.DamageSnapshot();
        var purpose = Purpose();

        var response = await server.Client("admin").GetAsync(new Uri($"/api/v1/datasets/{LimitedServerFixture.Damaged}/data?format=csv&purpose={purpose}", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("damaged or missing", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        var record = Assert.Single(await AuditAsync(purpose));
        Assert.Equal("failed", record.GetProperty("outcome").GetString());
        Assert.Equal(LimitedServerFixture.Damaged, record.GetProperty("resource").GetString());
    }

    private static string Purpose() => "limits-" + Guid.NewGuid().ToString("N");

    private async Task<List<JsonElement>> AuditAsync(string purpose) =>
        [.. (await server.Client("admin").GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=10000", Cancel)).EnumerateArray()
            .Select(r => r.GetProperty("entry")).Where(e => e.GetProperty("purpose").ValueKind == JsonValueKind.String && e.GetProperty("purpose").GetString() == purpose)];

    /// <summary>The outcome a read of <paramref name="purpose"/> ended with (the record is written once the engine stopped); null when none comes within 15 s.</summary>
    private async Task<string?> EndedAsync(string purpose)
    {
        for (var attempt = 0; attempt < 75; attempt++)
        {
            if ((await AuditAsync(purpose)).Select(r => r.GetProperty("outcome").GetString()).FirstOrDefault(o => o is "aborted" or "limit" or "failed") is { } outcome)
            {
                return outcome;
            }

            await Task.Delay(200, Cancel);
        }

        return null;
    }
}
