using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Meshwork.Server.Tests.Apis;

public sealed class AuditAndMetricsTests(ServerFixture server) : AuditAndMetricsTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class AuditAndMetricsOnPostgresTests(PostgresServerFixture server) : AuditAndMetricsTests<PostgresServerFixture>(server);

public abstract class AuditAndMetricsTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_RecordsReadsAndDenialsWithAChainOfHashes()
    {
        await server.Client("olivia").GetStringAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=3", UriKind.Relative), Cancel);
        await server.Client("sam").GetAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data", UriKind.Relative), Cancel);

        var records = (await server.Client("admin").GetFromJsonAsync<JsonElement>("/api/v1/audit", Cancel)).EnumerateArray().ToList();

        var read = records.First(r => r.GetProperty("entry").GetProperty("principal").GetString() == "olivia");
        Assert.Equal("allowed", read.GetProperty("entry").GetProperty("outcome").GetString());
        Assert.Equal(3, read.GetProperty("entry").GetProperty("rows").GetInt64());
        Assert.Contains(records, r => r.GetProperty("entry").GetProperty("principal").GetString() == "sam"
            && r.GetProperty("entry").GetProperty("outcome").GetString() == "denied");
        for (var i = 0; i + 1 < records.Count; i++)
        {
            Assert.Equal(records[i + 1].GetProperty("hash").GetString(), records[i].GetProperty("previousHash").GetString());
        }
    }

    [Fact]
    public async Task Audit_ForAnOwner_ShowsOnlyTheirTeamsDatasets()
    {
        await server.Client("olivia").GetStringAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=1", UriKind.Relative), Cancel);

        var records = (await server.Client("sam").GetFromJsonAsync<JsonElement>("/api/v1/audit", Cancel)).EnumerateArray().ToList();

        Assert.DoesNotContain(records, r => r.GetProperty("entry").GetProperty("resource").GetString()!.Contains("customers.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_ForAnAnalyst_Is403()
    {
        var response = await server.Client("mallory").GetAsync(new Uri("/api/v1/audit", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("prometheus")]
    [InlineData("admin")]
    public async Task Metrics_ForAMetricsPrincipal_ExposeRequestsRowsServedAndDatasetState(string principal)
    {
        await server.Client("olivia").GetStringAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=4", UriKind.Relative), Cancel);

        var metrics = await server.Client(principal).GetStringAsync(new Uri("/metrics", UriKind.Relative), Cancel);

        Assert.Contains("http_request_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_rows_served_total{dataset=\"customers.profiles.profiles_v1\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_bytes_served_total{dataset=\"customers.profiles.profiles_v1\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_dataset_rows{dataset=\"sales.orders.orders_v1\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_dataset_quarantined_rows{dataset=\"customers.profiles.profiles_v1\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_dataset_freshness_age_seconds{dataset=\"sales.orders.orders_v1\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_check_results{dataset=\"sales.orders.orders_v1\",status=\"passed\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("meshwork_pipeline_runs{product=\"sales.orders\",status=\"succeeded\"}", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mallory")]
    [InlineData("olivia")]
    public async Task Metrics_WithoutAMetricsRole_ShowNoDatasetAtAll(string? principal)
    {
        await server.Client("olivia").GetStringAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=4", UriKind.Relative), Cancel);
        await server.Client("olivia").GetStringAsync(new Uri("/api/v1/products/sales.orders/runs", UriKind.Relative), Cancel);

        var client = principal is null ? server.Anonymous() : server.Client(principal);
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), Cancel);

        // The HTTP series stay open; no series and no label names a dataset or product.
        Assert.Contains("http_request_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("meshwork_", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("customers.profiles", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("sales.orders", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_WithATokenThatDoesNotAuthenticate_Is401()
    {
        using var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");

        var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>A server whose reads may return at most 5 rows.</summary>
public class SmallLimitServerFixture : ServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Meshwork:MaxRows"] = "5" };
}

/// <summary><see cref="SmallLimitServerFixture"/> on the PostgreSQL store.</summary>
public sealed class PostgresSmallLimitServerFixture : SmallLimitServerFixture
{
    protected override Task<string?> CreateStoreAsync() => PostgresServerFixture.CreateDatabaseAsync();
}

public sealed class ReadLimitTests(SmallLimitServerFixture server) : ReadLimitTests<SmallLimitServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class ReadLimitOnPostgresTests(PostgresSmallLimitServerFixture server) : ReadLimitTests<PostgresSmallLimitServerFixture>(server);

public abstract class ReadLimitTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : SmallLimitServerFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_OverTheRowLimit_Is422NamingTheLimit()
    {
        var response = await server.Client("olivia").GetAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString();
        Assert.Contains("more than 5 rows", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_AtTheRowLimit_IsServed()
    {
        var csv = await server.Client("olivia").GetStringAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv&limit=5", UriKind.Relative), Cancel);

        Assert.Equal(6, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
