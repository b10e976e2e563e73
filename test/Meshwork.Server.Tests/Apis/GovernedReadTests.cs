using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Meshwork.Server.Tests.Apis;

public sealed class GovernedReadTests(ServerFixture server) : GovernedReadTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class GovernedReadOnPostgresTests(PostgresServerFixture server) : GovernedReadTests<PostgresServerFixture>(server);

/// <summary>
/// The same tests with the customers domain computed on a PostgreSQL engine: its reads are pushed down into that
/// PostgreSQL (so each query above runs there, in SQL both engines read), a query joining both engines runs on the
/// snapshots.
/// </summary>
public sealed class GovernedReadOnPostgresEngineTests(CustomersOnPostgresEngineFixture server) : GovernedReadTests<CustomersOnPostgresEngineFixture>(server)
{
    [Fact]
    public async Task Query_OfTheCustomersDomain_RunsInItsPostgreSqlAsARoleOfItsOwn()
    {
        // current_user is the read's own login role: the query ran in PostgreSQL, not on a snapshot.
        var rows = await QueryAsync("mallory", "SELECT current_user AS reader, count(*) AS n FROM customers.profiles.profiles_v1 GROUP BY 1");

        var row = Assert.Single(rows);
        Assert.StartsWith("meshwork_read_", row.GetProperty("reader").GetString(), StringComparison.Ordinal);
        Assert.Equal((await QueryAsync("mallory", "SELECT count(*) AS n FROM customers.profiles.profiles_v1"))[0].GetProperty("n").GetInt64(), row.GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Query_JoiningDatasetsOfBothEngines_RunsUnderEveryPlan()
    {
        // Mallory reads the orders (DuckDB) under an agreement, the profiles (PostgreSQL) under the policies.
        var requested = await Server.Client("mallory").PostAsJsonAsync("/api/v1/access-requests", new { dataset = "sales.orders.orders_v1", purpose = "marketing" }, Cancel);
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync(Cancel));
        var id = (await requested.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString();
        var approved = await Server.Client("sam").PostAsJsonAsync($"/api/v1/access-requests/{id}/approve", new { reason = "campaign planning" }, Cancel);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync(Cancel));

        var response = await DataApiTests.PostQueryAsync(Server.Client("mallory"), """
            SELECT p.email, p.country, count(*) AS orders FROM customers.profiles.profiles_v1 p JOIN sales.orders.orders_v1 o ON o.customer_id = p.customer_id
            GROUP BY p.email, p.country
            """, purpose: "marketing");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        var rows = Lines(await response.Content.ReadAsStringAsync(Cancel));

        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal("DE", r.GetProperty("country").GetString()));
        Assert.All(rows, r => Assert.DoesNotContain("@example.", r.GetProperty("email").GetString() ?? string.Empty, StringComparison.Ordinal));
    }
}

/// <summary>
/// The example's policies through the HTTP API on real DuckDB: mallory (marketing analyst, DE, clearance 1)
/// reads customer profiles with pii columns masked and only DE rows; olivia (the owning team) reads them clear.
/// No query shape may show mallory a clear value or a hidden row.
/// </summary>
public abstract class GovernedReadTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private const string Profiles = "customers.profiles.profiles_v1";

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected TFixture Server => server;

    [Fact]
    public async Task Mallory_SeesMaskedPiiAndOnlyHerCountry_OliviaSeesEverything()
    {
        var mallory = await RowsAsync("mallory", $"/api/v1/datasets/{Profiles}/data?format=ndjson");
        var olivia = await RowsAsync("olivia", $"/api/v1/datasets/{Profiles}/data?format=ndjson");

        Assert.NotEmpty(mallory);
        Assert.True(olivia.Count > mallory.Count);
        Assert.All(mallory, r => Assert.Equal("DE", r.GetProperty("country").GetString()));
        Assert.All(mallory, r => Assert.Matches("^x+[.x]*@x+\\.x+$", r.GetProperty("email").GetString()!));
        Assert.All(mallory.Where(r => r.GetProperty("phone").ValueKind == JsonValueKind.String),
            r => Assert.DoesNotMatch("[0-9]", r.GetProperty("phone").GetString()!));
        Assert.Contains(olivia, r => r.GetProperty("country").GetString() != "DE");
        Assert.Contains(olivia, r => r.GetProperty("email").GetString()!.Contains("@example.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mallory_ColumnsWithoutPiiTags_AreClear()
    {
        var rows = await RowsAsync("mallory", $"/api/v1/datasets/{Profiles}/data?format=ndjson&columns=customer_id,country");

        Assert.All(rows, r => Assert.True(r.GetProperty("customer_id").GetInt64() > 0));
    }

    // SQL that DuckDB and PostgreSQL both run: with the customers domain on PostgreSQL these run there.
    [Theory]
    [InlineData("SELECT * FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT e AS email, p AS phone, country FROM (SELECT email AS e, phone AS p, country FROM customers.profiles.profiles_v1) AS s")]
    [InlineData("SELECT p.email, p.phone, p.country FROM customers.profiles.profiles_v1 p JOIN customers.customer_value.customer_value_v1 v USING (customer_id)")]
    [InlineData("SELECT a.email, b.phone, a.country FROM customers.profiles.profiles_v1 a JOIN customers.profiles.profiles_v1 b ON a.customer_id = b.customer_id")]
    [InlineData("SELECT * FROM (SELECT email, phone, country FROM customers.profiles.profiles_v1) AS s")]
    [InlineData("WITH c AS (SELECT email, phone, country FROM customers.profiles.profiles_v1) SELECT * FROM c")]
    [InlineData("SELECT email, phone, country FROM customers.profiles.profiles_v1 UNION ALL SELECT email, phone, country FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT email, phone, country, row_number() OVER (ORDER BY email) AS n FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT email, max(phone) AS phone, max(country) AS country FROM customers.profiles.profiles_v1 GROUP BY email ORDER BY email")]
    [InlineData("SELECT lower(email) AS email, upper(phone) AS phone, country FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT CAST(email AS VARCHAR) AS email, phone::VARCHAR AS phone, country FROM customers.profiles.profiles_v1")]
    public async Task Query_NoShape_ShowsMalloryAClearValueOrAnotherCountry(string sql)
    {
        var rows = await QueryAsync("mallory", sql);

        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.Equal("DE", row.GetProperty("country").GetString());
            Assert.DoesNotMatch("[a-wyzA-WYZ0-9]", row.GetProperty("email").GetString()!.Replace("@", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal));
            if (row.GetProperty("phone").ValueKind == JsonValueKind.String)
            {
                Assert.DoesNotMatch("[0-9]", row.GetProperty("phone").GetString()!);
            }
        }
    }

    [Fact]
    public async Task Query_FilteringOnAMaskedColumn_FiltersOnTheMaskedValue()
    {
        var clear = await QueryAsync("olivia", "SELECT count(*) AS n FROM customers.profiles.profiles_v1 WHERE email LIKE 'a%'");
        var masked = await QueryAsync("mallory", "SELECT count(*) AS n FROM customers.profiles.profiles_v1 WHERE email LIKE 'a%'");

        Assert.True(clear[0].GetProperty("n").GetInt64() > 0, "the example needs an email starting with 'a' for this test to mean anything");
        Assert.Equal(0, masked[0].GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Query_CountingRows_CountsOnlyTheVisibleOnes()
    {
        var all = await QueryAsync("olivia", "SELECT count(*) AS n, count(*) FILTER (WHERE country = 'DE') AS de FROM customers.profiles.profiles_v1");
        var mallory = await QueryAsync("mallory", "SELECT count(*) AS n, count(*) FILTER (WHERE country <> 'DE') AS other FROM customers.profiles.profiles_v1");

        Assert.Equal(all[0].GetProperty("de").GetInt64(), mallory[0].GetProperty("n").GetInt64());
        Assert.Equal(0, mallory[0].GetProperty("other").GetInt64());
    }

    [Fact]
    public async Task Query_JoiningOnAMaskedColumn_CannotMatchClearValues()
    {
        var rows = await QueryAsync("mallory", "SELECT count(*) AS n FROM customers.profiles.profiles_v1 WHERE email IN (SELECT 'sem.meijer@example.com')");

        Assert.Equal(0, rows[0].GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task Query_Explain_IsRefused()
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("mallory"), "EXPLAIN SELECT * FROM customers.profiles.profiles_v1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Query_ErrorOnAMaskedOrHiddenValue_DoesNotQuoteIt()
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("mallory"), "SELECT CAST(email AS INTEGER) FROM customers.profiles.profiles_v1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString()!;
        Assert.DoesNotContain("example", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_WithFraudPurposeButLowClearance_StaysMasked()
    {
        var rows = await RowsAsync("mallory", $"/api/v1/datasets/{Profiles}/data?format=ndjson&purpose=fraud");

        Assert.All(rows, r => Assert.DoesNotContain("example", r.GetProperty("email").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_RecordsThePlanDigestOfAMaskedRead()
    {
        await RowsAsync("mallory", $"/api/v1/datasets/{Profiles}/data?format=ndjson&columns=email&limit=1&purpose=marketing");

        var records = (await server.Client("admin").GetFromJsonAsync<JsonElement>("/api/v1/audit", Cancel)).EnumerateArray()
            .Select(r => r.GetProperty("entry")).ToList();
        var read = records.First(r => r.GetProperty("principal").GetString() == "mallory" && r.GetProperty("purpose").GetString() == "marketing");
        Assert.Equal(16, read.GetProperty("planDigest").GetString()!.Length);
    }

    // Consumer SQL must never reach a file: the snapshots and the quarantine are in the data folder, in clear.

    [Fact]
    public async Task Query_FilesInTheDataFolder_AreRefusedHoweverNamedAndLeakNothing()
    {
        var snapshots = Directory.GetFiles(Path.Combine(server.DataFolder, "data"), "*", SearchOption.AllDirectories);
        var clear = (await RowsAsync("olivia", $"/api/v1/datasets/{Profiles}/data?format=ndjson&columns=email")).Select(r => r.GetProperty("email").GetString()!).ToList();
        Assert.NotEmpty(snapshots);
        var targets = snapshots.Concat(snapshots.Select(f => Path.Combine(Path.GetDirectoryName(f)!, "*" + Path.GetExtension(f))))
            .Append(Path.Combine(server.DataFolder, "data", "**", "*.parquet")).Distinct().ToList();

        foreach (var target in targets)
        {
            foreach (var sql in new[]
            {
                // The attack found: a WITH name declared in one subquery, used as a quoted path beside it.
                $"SELECT * FROM (WITH \"{target}\" AS (SELECT 1 AS x) SELECT * FROM \"{target}\") AS a, \"{target}\" AS b",
                $"WITH \"{target}\" AS (SELECT * FROM \"{target}\") SELECT * FROM \"{target}\"",
                $"SELECT * FROM '{target}'",
                $"SELECT p.customer_id, f.* FROM {Profiles} p, '{target}' f",
            })
            {
                var response = await DataApiTests.PostQueryAsync(server.Client("mallory"), sql);
                var body = await response.Content.ReadAsStringAsync(Cancel);

                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{sql}: {(int)response.StatusCode} {body}");
                Assert.DoesNotContain(clear, email => body.Contains(email, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task Query_Refused_IsAuditedWithItsReasonNeverAsARead()
    {
        var purpose = "probe-" + Guid.NewGuid().ToString("N");
        var response = await DataApiTests.PostQueryAsync(server.Client("mallory"), "SELECT * FROM (WITH x AS (SELECT 1 AS v) SELECT * FROM x) AS a, x", purpose: purpose);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var record = Assert.Single(await AuditAsync(purpose));
        Assert.Equal("refused", record.GetProperty("outcome").GetString());
        Assert.Contains("'x'", record.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT 1 AS one")]
    [InlineData("SELECT * FROM range(3)")]
    [InlineData("WITH c AS (SELECT 1 AS v) SELECT * FROM c")]
    public async Task Query_ReadingNoDataset_IsRefused(string sql)
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("olivia"), sql);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no dataset", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_IsOnRecordBeforeItsFirstByteAndCompletedAfter()
    {
        var purpose = "audit-" + Guid.NewGuid().ToString("N");

        var rows = await RowsAsync("olivia", $"/api/v1/datasets/{Profiles}/data?format=ndjson&limit=2&purpose={purpose}");

        var records = await AuditAsync(purpose);
        Assert.Equal(2, records.Count);
        var (completed, started) = (records[0], records[1]);
        Assert.Equal("started", started.GetProperty("outcome").GetString());
        Assert.Equal(Profiles, started.GetProperty("resource").GetString());
        Assert.Equal("allowed", completed.GetProperty("outcome").GetString());
        Assert.Equal(rows.Count, completed.GetProperty("rows").GetInt64());
        Assert.StartsWith("completes #", completed.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    /// <summary>The audit entries whose purpose is <paramref name="purpose"/>, newest first.</summary>
    private async Task<List<JsonElement>> AuditAsync(string purpose) =>
        [.. (await server.Client("admin").GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=10000", Cancel)).EnumerateArray()
            .Select(r => r.GetProperty("entry")).Where(e => e.GetProperty("purpose").ValueKind == JsonValueKind.String && e.GetProperty("purpose").GetString() == purpose)];

    private async Task<List<JsonElement>> RowsAsync(string principal, string path)
    {
        var response = await server.Client(principal).GetAsync(new Uri(path, UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Lines(await response.Content.ReadAsStringAsync(Cancel));
    }

    protected async Task<List<JsonElement>> QueryAsync(string principal, string sql)
    {
        var response = await DataApiTests.PostQueryAsync(server.Client(principal), sql);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return Lines(await response.Content.ReadAsStringAsync(Cancel));
    }

    protected static List<JsonElement> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(Encoding.UTF8.GetBytes(l)).RootElement)];
}
