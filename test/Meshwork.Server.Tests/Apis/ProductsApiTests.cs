using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meshwork.Platform;
using Meshwork.Platform.Store;

namespace Meshwork.Server.Tests.Apis;

public sealed class ProductsApiTests(ServerFixture server) : ProductsApiTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class ProductsApiOnPostgresTests(PostgresServerFixture server) : ProductsApiTests<PostgresServerFixture>(server);

public abstract class ProductsApiTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_ByTheOwningTeam_RunsThroughTheProductGrainAndIsRecorded()
    {
        var client = server.Client("olivia");
        var before = (await client.GetFromJsonAsync<JsonElement>("/api/v1/products/customers.profiles/runs", Cancel)).GetArrayLength();

        var response = await client.PostAsync(new Uri("/api/v1/products/customers.profiles/runs", UriKind.Relative), null, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal("customers.profiles", run.GetProperty("product").GetString());
        Assert.StartsWith("manual by olivia", run.GetProperty("trigger").GetString(), StringComparison.Ordinal);
        // Nothing changed since the apply: the run is a no-op and says so.
        Assert.All(run.GetProperty("datasets").EnumerateArray(), d => Assert.True(d.GetProperty("unchanged").GetBoolean()));
        var runs = await client.GetFromJsonAsync<JsonElement>("/api/v1/products/customers.profiles/runs", Cancel);
        Assert.True(runs.GetArrayLength() >= before);
    }

    [Fact]
    public async Task Run_LeaseOfADeadProcessWithThisPid_RunsAtOnceAndTheDeadRunShowsFailed()
    {
        // What a kill -9 of a server in a container leaves: its lease (this machine, the PID the restarted server
        // has again) and its run marked running.
        var killed = new LeaseHolder(Guid.NewGuid().ToString("N"), Environment.MachineName, Environment.ProcessId);
        await using (var store = await MeshworkPlatform.Create(m => m.UseStore(server.Store)).OpenStoreAsync(server.DataFolder, Cancel))
        {
            Assert.True(await store.TryAcquireLeaseAsync("finance.payments", killed, "killed-run", TimeSpan.FromMinutes(30), cancellationToken: Cancel));
            await store.StartRunAsync("killed-run", "finance.payments", "node-1", Cancel);
        }

        var client = server.Client("admin");
        var response = await client.PostAsync(new Uri("/api/v1/products/finance.payments/runs", UriKind.Relative), null, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runs = await client.GetFromJsonAsync<JsonElement>("/api/v1/products/finance.payments/runs", Cancel);
        var run = runs.EnumerateArray().Single(r => r.GetProperty("runId").GetString() == "killed-run");
        Assert.Equal(("failed", Lease.LapsedFailure), (run.GetProperty("status").GetString(), run.GetProperty("failure").GetString()));
    }

    [Fact]
    public async Task Run_ByAnotherTeam_Is403()
    {
        var response = await server.Client("mallory").PostAsync(new Uri("/api/v1/products/customers.profiles/runs", UriKind.Relative), null, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Run_OfAnUnknownProduct_Is404()
    {
        var response = await server.Client("admin").PostAsync(new Uri("/api/v1/products/nowhere.nothing/runs", UriKind.Relative), null, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Runs_ListTheApplyRunsNewestFirst()
    {
        var runs = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products/sales.orders/runs", Cancel);

        var list = runs.EnumerateArray().ToList();
        Assert.NotEmpty(list);
        Assert.Equal("succeeded", list[0].GetProperty("status").GetString());
        var started = list.Select(r => r.GetProperty("startedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(started.OrderByDescending(s => s), started);
    }

    [Fact]
    public async Task Health_ReportsEachDatasetWithQualityAndFreshness()
    {
        var health = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products/customers.profiles/health", Cancel);

        Assert.Equal("customers.profiles", health.GetProperty("product").GetString());
        Assert.True(health.GetProperty("status").GetString() is "healthy" or "unhealthy");
        var dataset = health.GetProperty("datasets").EnumerateArray().Single();
        Assert.True(dataset.GetProperty("rows").GetInt64() > 0);
        Assert.NotEmpty(dataset.GetProperty("slos").EnumerateArray());
        Assert.Equal("succeeded", health.GetProperty("lastRun").GetProperty("status").GetString());
    }
}

public sealed class ProductsApiRunFailureTests(ServerFixture server) : ProductsApiRunFailureTests<ServerFixture>(server);

/// <summary>The same test on the PostgreSQL store.</summary>
public sealed class ProductsApiRunFailureOnPostgresTests(PostgresServerFixture server) : ProductsApiRunFailureTests<PostgresServerFixture>(server);

/// <summary>A run that fails on a malformed source line: its own server, since the failed product stays failed.</summary>
public abstract class ProductsApiRunFailureTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private const string Email = "secret.person@mail.example";
    private const string Phone = "+49 171 5550101";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_MalformedSourceLine_FailsWithNoValueInTheAnswerOrTheRunList()
    {
        // Past the rows DuckDB sniffs (20,480), a line with a column too many fails the read, and DuckDB's error repeats it.
        var source = Path.Combine(server.Root, "domains/customers/profiles/data/customers.csv");
        var good = string.Concat(Enumerable.Range(1, 21_000).Select(i => $"{i},Ann,Lee,p{i}@x.example,+49 30 {i},DE,Berlin,1980-01-01,2023-01-01\n"));
        await File.WriteAllTextAsync(source, File.ReadLines(source).First() + "\n" + good
            + $"99999,Sec,Ret,{Email},{Phone},DE,Berlin,1980-01-01,2023-01-01,extra\n", Cancel);

        var response = await server.Client("olivia").PostAsync(new Uri("/api/v1/products/customers.profiles/runs", UriKind.Relative), null, Cancel);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString()!;
        // Mallory sees emails masked; the run list is open to every principal.
        var runs = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products/customers.profiles/runs", Cancel);
        var failure = runs.EnumerateArray().First(r => r.GetProperty("status").GetString() == "failed").GetProperty("failure").GetString()!;
        foreach (var text in new[] { detail, failure })
        {
            Assert.DoesNotContain(Email, text, StringComparison.Ordinal);
            Assert.DoesNotContain("5550101", text, StringComparison.Ordinal);
            Assert.Contains("CSV Error on Line: 21002", text, StringComparison.Ordinal);
            Assert.Contains("Expected Number of Columns: 9 Found: 10", text, StringComparison.Ordinal);
        }
    }
}
