using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Meshwork.Server.Tests.Apis;

public sealed class AccessApiTests(ServerFixture server) : AccessApiTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class AccessApiOnPostgresTests(PostgresServerFixture server) : AccessApiTests<PostgresServerFixture>(server);

/// <summary>The agreement lifecycle over HTTP: sam (sales, no policy lets him read customer data) asks olivia's team.</summary>
public abstract class AccessApiTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private const string Profiles = "customers.profiles.profiles_v1";
    private const string Data = "/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson";
    private static readonly string[] IdAndCountry = ["customer_id", "country"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_Approve_Read_Revoke_IsTheWholeLifecycle()
    {
        var sam = server.Client("sam");
        Assert.Equal(HttpStatusCode.Forbidden, (await sam.GetAsync(new Uri(Data, UriKind.Relative), Cancel)).StatusCode);

        var requested = await RequestAsync(sam, new { dataset = Profiles, purpose = "reporting" });
        Assert.Equal("pending", requested.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await sam.GetAsync(new Uri(Data, UriKind.Relative), Cancel)).StatusCode);
        Assert.Contains(await ListAsync(server.Client("olivia")), a => a.GetProperty("id").GetString() == Id(requested));

        var approved = await DecideAsync(server.Client("olivia"), Id(requested), "approve", new { reason = "ok for reporting" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("active", (await approved.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("state").GetString());

        var rows = await sam.GetStringAsync(new Uri($"{Data}&purpose=reporting", UriKind.Relative), Cancel);
        Assert.NotEmpty(rows);
        Assert.DoesNotContain("@example.", rows, StringComparison.Ordinal); // the agreement permits the read; the pii mask still applies outside the owning team

        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(sam, Id(requested), "revoke", new { reason = "done" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await sam.GetAsync(new Uri($"{Data}&purpose=reporting", UriKind.Relative), Cancel)).StatusCode);
    }

    [Fact]
    public async Task Approve_ByAnotherTeam_Is403_AndTwice_Is409()
    {
        var requested = await RequestAsync(server.Client("nina"), new { dataset = Profiles, purpose = "reporting" });

        Assert.Equal(HttpStatusCode.Forbidden, (await DecideAsync(server.Client("sam"), Id(requested), "approve", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(server.Client("admin"), Id(requested), "approve", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await DecideAsync(server.Client("olivia"), Id(requested), "approve", new { })).StatusCode);
    }

    [Fact]
    public async Task Reject_NeedsAReason_AndLeavesTheCallerWithoutAccess()
    {
        var requested = await RequestAsync(server.Client("sam"), new { dataset = Profiles, purpose = "curiosity" });

        Assert.Equal(HttpStatusCode.BadRequest, (await DecideAsync(server.Client("olivia"), Id(requested), "reject", new { })).StatusCode);
        var rejected = await DecideAsync(server.Client("olivia"), Id(requested), "reject", new { reason = "not a business purpose" });

        Assert.Equal("rejected", (await rejected.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("state").GetString());
        Assert.Contains(await ListAsync(server.Client("sam")), a => a.GetProperty("id").GetString() == Id(requested) && a.GetProperty("reason").GetString() == "not a business purpose");
    }

    [Fact]
    public async Task Request_ByAPrincipalAPolicyPermits_IsActiveAtOnce()
    {
        var requested = await RequestAsync(server.Client("mallory"), new { dataset = Profiles, purpose = "marketing" });

        Assert.Equal("active", requested.GetProperty("state").GetString());
        Assert.StartsWith("auto:", requested.GetProperty("decidedBy").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agreement_WithColumns_ReadsOnlyThoseColumns()
    {
        var fiona = server.Client("fiona");
        var requested = await RequestAsync(fiona, new { dataset = Profiles, purpose = "invoicing", columns = IdAndCountry });
        await DecideAsync(server.Client("olivia"), Id(requested), "approve", new { });

        var allowed = await fiona.GetAsync(new Uri($"{Data}&columns=customer_id,country&purpose=invoicing", UriKind.Relative), Cancel);
        var refused = await fiona.GetAsync(new Uri($"{Data}&columns=email&purpose=invoicing", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Read_StandingOnAnAgreement_MustStateAPurposeItCovers()
    {
        var sam = server.Client("sam");
        var requested = await RequestAsync(sam, new { dataset = "customers.customer_value.customer_value_v1", purpose = "Quarterly reporting" });
        await DecideAsync(server.Client("olivia"), Id(requested), "approve", new { });
        const string Values = "/api/v1/datasets/customers.customer_value.customer_value_v1/data?format=ndjson";

        var covered = await sam.GetAsync(new Uri($"{Values}&purpose=%20quarterly%20REPORTING", UriKind.Relative), Cancel);
        var other = await sam.GetAsync(new Uri($"{Values}&purpose=marketing", UriKind.Relative), Cancel);
        var none = await sam.GetAsync(new Uri(Values, UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, covered.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("states the purpose 'marketing', and the access agreement(s) on it cover 'Quarterly reporting'",
            (await other.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        Assert.Contains("states no purpose", (await none.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var audit = await server.Client("admin").GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=20", Cancel);
        Assert.Contains(audit.EnumerateArray().Select(r => r.GetProperty("entry")), e => e.GetProperty("principal").GetString() == "sam"
            && e.GetProperty("outcome").GetString() == "denied" && e.GetProperty("purpose").GetString() == "marketing");
    }

    [Fact]
    public async Task Request_ForAPurposeTheProductDoesNotAllow_Is403NamingTheAllowedOnes()
    {
        // finance.payments allows billing, reconciliation and fraud only (meshwork.allowedPurposes).
        using var content = JsonContent.Create(new { dataset = "finance.payments.payments_v1", purpose = "marketing" });
        var refused = await server.Client("sam").PostAsync(new Uri("/api/v1/access-requests", UriKind.Relative), content, Cancel);
        var product = await server.Client("sam").GetFromJsonAsync<JsonElement>("/api/v1/products/finance.payments", Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("'billing', 'reconciliation', 'fraud' only", (await refused.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["billing", "reconciliation", "fraud"], product.GetProperty("allowedPurposes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("pending", (await RequestAsync(server.Client("sam"), new { dataset = "finance.payments.payments_v1", purpose = "Reconciliation" })).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("{\"dataset\":\"customers.profiles.profiles_v1\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"dataset\":\"customers.profiles.profiles_v1\",\"purpose\":\"x\",\"columns\":[\"salary\"]}", HttpStatusCode.BadRequest)]
    [InlineData("{\"dataset\":\"customers.profiles.profiles_v1\",\"purpose\":\"x\",\"endsOn\":\"2000-01-01\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"dataset\":\"nowhere.nothing.x_v1\",\"purpose\":\"x\"}", HttpStatusCode.NotFound)]
    public async Task Request_Bad_IsAProblem(string body, HttpStatusCode expected)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await server.Client("sam").PostAsync(new Uri("/api/v1/access-requests", UriKind.Relative), content, Cancel);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Decide_UnknownAgreement_Is404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await DecideAsync(server.Client("admin"), "nope", "approve", new { })).StatusCode);
    }

    private static string Id(JsonElement agreement) => agreement.GetProperty("id").GetString()!;

    private static async Task<JsonElement> RequestAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/access-requests", body, Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Cancel));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
    }

    private static async Task<HttpResponseMessage> DecideAsync(HttpClient client, string id, string verb, object body) =>
        await client.PostAsJsonAsync($"/api/v1/access-requests/{id}/{verb}", body, Cancel);

    private static async Task<List<JsonElement>> ListAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/api/v1/access-requests", Cancel)).EnumerateArray()];
}
