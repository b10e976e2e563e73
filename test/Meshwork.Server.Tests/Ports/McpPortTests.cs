using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Meshwork.Server.Tests.Ports;

/// <summary>
/// The MCP port with the SDK's own client over streamable HTTP: the tools an agent sees, governed reads as the caller
/// (mallory gets masked emails and DE rows only, olivia clear values), a cut result said to be cut, the terms of a
/// product as a tool and as a resource, and no anonymous access.
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

        Assert.Equal(3, Lines(capped).Length);
        Assert.Contains("Only the first 3 rows are shown", Note(capped), StringComparison.Ordinal);
        Assert.True(refused.IsError is true);
        Assert.DoesNotContain("root:", Text(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_ExactlyAtMaxRows_IsWholeAndCarriesNoNote()
    {
        await using var client = await ConnectAsync(server.Client("olivia"));

        var whole = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = $"SELECT customer_id FROM {Profiles} LIMIT 3", ["maxRows"] = 3 }, cancellationToken: Cancel);

        Assert.Equal(3, Lines(whole).Length);
        Assert.Single(whole.Content);
        Assert.Empty(Note(whole));
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
    public async Task DescribeProduct_OfAnUnknownProduct_IsAToolErrorNamingIt()
    {
        await using var client = await ConnectAsync(server.Client("frank"));

        var described = await client.CallToolAsync("describe_product", new Dictionary<string, object?> { ["product"] = "finance.nothing" }, cancellationToken: Cancel);

        Assert.True(described.IsError is true);
        Assert.Contains("finance.nothing", Text(described), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListResources_IsOneDescriptionPerProductOfTheCatalog()
    {
        await using var client = await ConnectAsync(server.Client("mallory"));

        var resources = await client.ListResourcesAsync(cancellationToken: Cancel);
        var catalog = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products?limit=200", Cancel);

        var keys = catalog.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("key").GetString()!).ToList();
        Assert.Equal(keys.Select(k => "meshwork://products/" + k).Order(StringComparer.Ordinal), resources.Select(r => r.Uri).Order(StringComparer.Ordinal));
        var profiles = Assert.Single(resources, r => r.Uri == "meshwork://products/customers.profiles");
        Assert.Equal("customers.profiles", profiles.Name);
        Assert.Equal("application/json", profiles.MimeType);
        Assert.False(string.IsNullOrWhiteSpace(profiles.Description));
    }

    [Fact]
    public async Task ListResourceTemplates_IsTheProductTemplate()
    {
        await using var client = await ConnectAsync(server.Client("mallory"));

        var templates = await client.ListResourceTemplatesAsync(cancellationToken: Cancel);

        var template = Assert.Single(templates);
        Assert.Equal("meshwork://products/{id}", template.UriTemplate);
        Assert.Equal("application/json", template.MimeType);
    }

    [Fact]
    public async Task ReadResource_IsTheProductsDescription_AsDescribeProductGivesIt()
    {
        await using var client = await ConnectAsync(server.Client("frank"));

        var read = await client.ReadResourceAsync("meshwork://products/finance.payments", cancellationToken: Cancel);
        var described = await client.CallToolAsync("describe_product", new Dictionary<string, object?> { ["product"] = "finance.payments" }, cancellationToken: Cancel);

        var contents = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        Assert.Equal("meshwork://products/finance.payments", contents.Uri);
        Assert.Equal("application/json", contents.MimeType);
        using var resource = JsonDocument.Parse(contents.Text);
        using var tool = JsonDocument.Parse(Text(described));
        Assert.Equal("finance.payments", resource.RootElement.GetProperty("key").GetString());
        Assert.Contains("billing", Strings(resource.RootElement.GetProperty("allowedPurposes")));
        Assert.Equal(Strings(tool.RootElement.GetProperty("allowedPurposes")), Strings(resource.RootElement.GetProperty("allowedPurposes")));
        Assert.NotEmpty(resource.RootElement.GetProperty("datasets").EnumerateArray());
        Assert.Equal(Addresses(tool.RootElement), Addresses(resource.RootElement));
    }

    [Fact]
    public async Task ReadResource_OfAnUnknownProduct_IsAnErrorNamingIt()
    {
        await using var client = await ConnectAsync(server.Client("frank"));

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => client.ReadResourceAsync("meshwork://products/finance.nothing", cancellationToken: Cancel).AsTask());

        Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
        Assert.Contains("finance.nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resources_WithoutAToken_AreRefused()
    {
        foreach (var method in new[] { "resources/list", "resources/read" })
        {
            var body = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method, @params = new { uri = "meshwork://products/customers.profiles" } });
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/mcp", UriKind.Relative)) { Content = body };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("text/event-stream");

            var response = await server.Anonymous().SendAsync(request, Cancel);

            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.DoesNotContain("customers.profiles", await response.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Connect_WithTheTokenInAdditionalHeaders_AsAnMcpClientConfiguresIt()
    {
        var token = server.Client("mallory").DefaultRequestHeaders.Authorization!.Parameter;
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.Anonymous().BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }, server.Anonymous()), cancellationToken: Cancel);

        var resources = await client.ListResourcesAsync(cancellationToken: Cancel);

        Assert.Contains(resources, r => r.Uri == "meshwork://products/customers.profiles");
    }

    [Fact]
    public async Task Connect_WithoutAToken_IsRefused()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server.Anonymous()));
        var response = await server.Anonymous().PostAsync(new Uri("/mcp", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Cancel);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    internal static async Task<List<JsonElement>> RowsAsync(HttpClient http, string sql, string? purpose)
    {
        await using var client = await ConnectAsync(http);
        var result = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = sql, ["purpose"] = purpose, ["maxRows"] = 1000 }, cancellationToken: Cancel);
        Assert.True(result.IsError is null or false, Text(result));
        Assert.Empty(Note(result));
        return [.. Lines(result).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    internal static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    /// <summary>The rows of a query result: the JSON lines of its first block.</summary>
    private static string[] Lines(CallToolResult result) =>
        Assert.IsType<TextContentBlock>(result.Content[0]).Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>What follows the rows of a query result: the note that it was cut, or nothing.</summary>
    private static string Note(CallToolResult result) => string.Concat(result.Content.Skip(1).OfType<TextContentBlock>().Select(c => c.Text));

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];

    private static List<string?> Addresses(JsonElement product) => [.. product.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("address").GetString())];

    internal static Task<McpClient> ConnectAsync(HttpClient http) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }, http), cancellationToken: Cancel);
}

/// <summary>The example with the policy docs/ports/mcp.md shows: agents (<c>request.channel == 'mcp'</c>) may not read the customer domain.</summary>
public sealed class NoAgentsOnCustomerDataFixture : ServerFixture
{
    protected override void Prepare(string root) =>
        File.WriteAllText(Path.Combine(root, "policies", "no-agents-on-customer-data.policy.yaml"), """
            apiVersion: meshwork/v1
            kind: Policy
            name: no-agents-on-customer-data
            type: access
            description: AI agents (the MCP port) may not read customer data; people read it through the other ports.
            targets:
              domains: [customers]
            when: request.channel == 'mcp'
            effect: deny
            """);
}

/// <summary>A policy on <c>request.channel</c> tells the MCP port apart: the same principal and query, refused to the agent only.</summary>
public sealed class ChannelPolicyMcpPortTests(NoAgentsOnCustomerDataFixture server) : IClassFixture<NoAgentsOnCustomerDataFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnMcpDenyPolicy_RefusesTheAgentsQuery_NotTheSameQueryOverHttp_NorOtherDomains()
    {
        const string sql = "SELECT customer_id FROM customers.profiles.profiles_v1";
        await using var client = await McpPortTests.ConnectAsync(server.Client("olivia"));

        var denied = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = sql }, cancellationToken: Cancel);
        var http = await server.Client("olivia").PostAsJsonAsync("/api/v1/query?format=ndjson", new { sql }, Cancel);
        var described = await client.ReadResourceAsync("meshwork://products/customers.profiles", cancellationToken: Cancel);

        Assert.True(denied.IsError is true);
        Assert.Contains("no-agents-on-customer-data", McpPortTests.Text(denied), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, http.StatusCode);
        Assert.NotEmpty(await http.Content.ReadAsStringAsync(Cancel));
        Assert.NotEmpty(described.Contents);
        Assert.NotEmpty(await McpPortTests.RowsAsync(server.Client("admin"), "SELECT order_id FROM sales.orders.orders_v1 LIMIT 10", null));
    }
}
