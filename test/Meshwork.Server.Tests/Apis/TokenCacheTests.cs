using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Meshwork.Platform.Security;

namespace Meshwork.Server.Tests.Apis;

public sealed class TokenCacheTests(ServerFixture server) : TokenCacheTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class TokenCacheOnPostgresTests(PostgresServerFixture server) : TokenCacheTests<PostgresServerFixture>(server);

/// <summary>
/// The server remembers platform tokens it validated (the registry's hot path): a remembered token must still
/// expire on time and must still name the principal it was issued to.
/// </summary>
public abstract class TokenCacheTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private HttpClient With(AuthenticationHeaderValue header)
    {
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = header;
        return client;
    }

    [Fact]
    public async Task RememberedToken_IsRefusedOnceItExpires()
    {
        var domains = new Uri("/api/v1/domains", UriKind.Relative);
        using (var warm = server.Client("olivia"))
        {
            await warm.GetAsync(domains, Cancel); // the server starts on its first request: not inside the token's lifetime
        }

        // JWT expiry has whole seconds, and a loaded machine may stall: retry until a short-lived token is seen valid (and remembered).
        var lifetime = TimeSpan.FromSeconds(4);
        HttpClient? client = null;
        for (var attempt = 0; attempt < 5 && client is null; attempt++)
        {
            var candidate = With(new AuthenticationHeaderValue("Bearer", TokenService.Open(server.DataFolder, TimeProvider.System).Issue("olivia", lifetime)));
            if ((await candidate.GetAsync(domains, Cancel)).StatusCode == HttpStatusCode.OK)
            {
                client = candidate;
            }
            else
            {
                candidate.Dispose();
            }
        }

        Assert.NotNull(client);
        await Task.Delay(lifetime + TimeSpan.FromSeconds(1), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(domains, Cancel)).StatusCode);
        client.Dispose();
    }

    [Fact]
    public async Task RememberedToken_SentAsAnotherPrincipalsBasicPassword_IsRefused()
    {
        var token = TokenService.Open(server.DataFolder, TimeProvider.System).Issue("olivia");
        using var bearer = With(new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync(new Uri("/registry/subjects", UriKind.Relative), Cancel)).StatusCode);

        using var basic = With(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("mallory:" + token))));

        Assert.Equal(HttpStatusCode.Unauthorized, (await basic.GetAsync(new Uri("/registry/subjects", UriKind.Relative), Cancel)).StatusCode);
    }

    [Fact]
    public async Task TamperedToken_IsRefusedAfterTheGenuineOneWasRemembered()
    {
        var token = TokenService.Open(server.DataFolder, TimeProvider.System).Issue("olivia");
        using var genuine = With(new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.OK, (await genuine.GetAsync(new Uri("/api/v1/domains", UriKind.Relative), Cancel)).StatusCode);
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        using var client = With(new AuthenticationHeaderValue("Bearer", tampered));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/api/v1/domains", UriKind.Relative), Cancel)).StatusCode);
    }
}
