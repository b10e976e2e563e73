using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Meshwork.Server.Tests.Apis;

/// <summary>Erasure requests over HTTP: the privacy role requests, the erasure runs in the background, its report says what was removed.</summary>
public sealed class PrivacyApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly Uri Erasures = new("/api/v1/erasures", UriKind.Relative);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_AsThePrivacyRole_IsAccepted_AndItsReportEndsCompletedWithTheSubjectGoneFromReads()
    {
        var admin = server.Client("admin");
        Assert.Contains("\"customer_id\":1007", await ProfilesAsync(admin), StringComparison.Ordinal);

        var posted = await server.Client("dpo").PostAsJsonAsync(Erasures, new { subject = "1007", reason = "GDPR Art. 17 request #11" }, Cancel);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var accepted = await posted.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/erasures/{id}", posted.Headers.Location!.OriginalString);
        Assert.DoesNotContain("1007", accepted.GetProperty("subject").GetString(), StringComparison.Ordinal);

        var report = await WaitAsync(server.Client("dpo"), id);
        Assert.Equal("completed", report.GetProperty("status").GetString());
        var profiles = report.GetProperty("products").EnumerateArray().Single(p => p.GetProperty("product").GetString() == "customers.profiles");
        Assert.Equal("erased", profiles.GetProperty("status").GetString());
        Assert.Equal(1, profiles.GetProperty("datasets")[0].GetProperty("current").GetInt64());
        Assert.DoesNotContain("\"customer_id\":1007", await ProfilesAsync(admin), StringComparison.Ordinal);
        Assert.Contains(await admin.GetFromJsonAsync<JsonElement[]>(Erasures, Cancel) ?? [], e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Post_AsAnAnalyst_Is403_AndWithoutAReason_Is400()
    {
        var refused = await server.Client("mallory").PostAsJsonAsync(Erasures, new { subject = "1008", reason = "curious" }, Cancel);
        var bad = await server.Client("admin").PostAsJsonAsync(Erasures, new { subject = "1008" }, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("reason", await bad.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client("mallory").GetAsync(Erasures, Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client("admin").GetAsync(new Uri("/api/v1/erasures/er-none", UriKind.Relative), Cancel)).StatusCode);
    }

    private static Task<string> ProfilesAsync(HttpClient client) =>
        client.GetStringAsync(new Uri("/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson", UriKind.Relative), Cancel);

    private static async Task<JsonElement> WaitAsync(HttpClient client, string id)
    {
        for (var i = 0; ; i++)
        {
            var report = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/erasures/{id}", UriKind.Relative), Cancel);
            if (report.GetProperty("status").GetString() != "running" || i == 600)
            {
                return report;
            }

            await Task.Delay(100, Cancel);
        }
    }
}
