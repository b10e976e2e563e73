using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Meshwork.Server.Tests.Apis;

/// <summary>
/// The MCP port with the SDK's own client over streamable HTTP: the tools an agent sees, governed reads as the caller
/// (mallory gets masked emails and DE rows only, olivia clear values), the terms of a product, and no anonymous access.
/// </summary>
public sealed class McpPortTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListTools_AreTheCatalogQueryAndAccessTools()
    {
        await using var client = await ConnectAsync(server.Client("mallory"));

        var tools = await client.ListToolsAsync(cancellationToken: Cancel);

        Assert.Equal(["describe_product", "query", "request_access", "search_products"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Query_IsTheCallersGovernedRead_MaskedAndFilteredForMallory_ClearForOlivia()
    {
        var mallory = await RowsAsync(server.Client("mallory"), $"SELECT email, country FROM {Profiles}", "marketing");
        var olivia = await RowsAsync(server.Client("olivia"), $"SELECT email, country FROM {Profiles}", null);

        Assert.NotEmpty(mallory);
        Assert.True(olivia.Count > mallory.Count);
        Assert.All(mallory, r => Assert.Equal("DE", r.GetProperty("country").GetString()));
        Assert.All(mallory, r => Assert.Matches("^x+[.x]*@x+\\.x+$", r.GetProperty("email").GetString()!));
        Assert.Contains(olivia, r => r.GetProperty("email").GetString()!.Contains("@example.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_CapsTheRows_AndARefusedQueryIsAnErrorNamingWhy()
    {
        await using var client = await ConnectAsync(server.Client("olivia"));

        var capped = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = $"SELECT customer_id FROM {Profiles}", ["maxRows"] = 3 }, cancellationToken: Cancel);
        var refused = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = "SELECT * FROM read_csv('/etc/passwd')" }, cancellationToken: Cancel);

        Assert.Equal(3, Text(capped).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(refused.IsError is true);
        Assert.DoesNotContain("root:", Text(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeProduct_GivesItsDatasetsAndAllowedPurposes()
    {
        await using var client = await ConnectAsync(server.Client("frank"));

        var described = await client.CallToolAsync("describe_product", new Dictionary<string, object?> { ["product"] = "finance.payments" }, cancellationToken: Cancel);

        using var detail = JsonDocument.Parse(Text(described));
        Assert.Contains("billing", detail.RootElement.GetProperty("allowedPurposes").EnumerateArray().Select(p => p.GetString()));
        Assert.NotEmpty(detail.RootElement.GetProperty("datasets").EnumerateArray());
    }

    [Fact]
    public async Task Connect_WithoutAToken_IsRefused()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server.Anonymous()));
        var response = await server.Anonymous().PostAsync(new Uri("/mcp", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Cancel);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<List<JsonElement>> RowsAsync(HttpClient http, string sql, string? purpose)
    {
        await using var client = await ConnectAsync(http);
        var result = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = sql, ["purpose"] = purpose, ["maxRows"] = 1000 }, cancellationToken: Cancel);
        Assert.True(result.IsError is null or false, Text(result));
        return [.. Text(result).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static Task<McpClient> ConnectAsync(HttpClient http) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }, http), cancellationToken: Cancel);
}
