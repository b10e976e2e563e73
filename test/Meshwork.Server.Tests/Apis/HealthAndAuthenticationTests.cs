using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Meshwork.Platform.Security;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Server.Tests.Apis;

public sealed class HealthAndAuthenticationTests(ServerFixture server) : HealthAndAuthenticationTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class HealthAndAuthenticationOnPostgresTests(PostgresServerFixture server) : HealthAndAuthenticationTests<PostgresServerFixture>(server);

public abstract class HealthAndAuthenticationTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/metrics")]
    public async Task OpenEndpoints_AnswerWithoutAToken(string path)
    {
        var response = await server.Anonymous().GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_DescribesTheCatalogAndDataEndpoints()
    {
        var document = await server.Anonymous().GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("/api/v1/products", document, StringComparison.Ordinal);
        Assert.Contains("/api/v1/datasets/{address}/data", document, StringComparison.Ordinal);
        Assert.Contains("/api/v1/query", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiReference_IsABrowsablePage()
    {
        var page = await server.Anonymous().GetStringAsync(new Uri("/api", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/api/v1/products")]
    [InlineData("/api/v1/domains")]
    [InlineData("/api/v1/datasets/customers.profiles.profiles_v1/data")]
    [InlineData("/api/v1/audit")]
    public async Task ApiRequest_WithoutToken_Is401ProblemDetails(string path)
    {
        var response = await server.Anonymous().GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ApiRequest_WithTokenSignedByAnotherKey_Is401()
    {
        var other = Path.Combine(Path.GetTempPath(), "meshwork-other-key-" + Guid.NewGuid().ToString("N"));
        var token = TokenService.Open(other, TimeProvider.System).Issue("olivia");
        Directory.Delete(other, recursive: true);

        var response = await Send(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ApiRequest_WithExpiredToken_Is401()
    {
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-2));
        var token = TokenService.Open(server.DataFolder, past).Issue("olivia", TimeSpan.FromHours(1));

        var response = await Send(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ApiRequest_ForPrincipalNotInPeopleFile_Is401()
    {
        var token = TokenService.Open(server.DataFolder, TimeProvider.System).Issue("eve");

        var response = await Send(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ApiRequest_WithValidToken_IsServed()
    {
        var response = await Send(TokenService.Open(server.DataFolder, TimeProvider.System).Issue("mallory"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(page.GetProperty("total").GetInt32() > 0);
    }

    private async Task<HttpResponseMessage> Send(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/products");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.Anonymous().SendAsync(request, TestContext.Current.CancellationToken);
    }
}
