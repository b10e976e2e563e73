using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Meshwork.Server.Tests.Apis;

public sealed class CatalogApiTests(ServerFixture server) : CatalogApiTests<ServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class CatalogApiOnPostgresTests(PostgresServerFixture server) : CatalogApiTests<PostgresServerFixture>(server);

public abstract class CatalogApiTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Domains_ListEveryDomainWithItsProducts()
    {
        var domains = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/domains", Cancel);

        var names = domains.EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToList();
        Assert.Equal(["customers", "finance", "marketing", "sales"], names);
        var customers = domains.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "customers");
        Assert.Contains("customers.profiles", customers.GetProperty("products").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal("duckdb", customers.GetProperty("engine").GetString());
    }

    [Fact]
    public async Task Domain_Unknown_Is404ProblemDetails()
    {
        var response = await server.Client("mallory").GetAsync(new Uri("/api/v1/domains/nowhere", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("q=customer%20master", "customers.profiles")]      // description words
    [InlineData("q=email", "customers.profiles")]                  // a column name
    [InlineData("q=invoic", "finance.invoices")]                   // a prefix
    [InlineData("domain=finance&q=revenue", "finance.revenue_report")]
    public async Task Search_FindsProductsByTextAndFilters(string query, string expected)
    {
        var page = await server.Client("mallory").GetFromJsonAsync<JsonElement>($"/api/v1/products?{query}", Cancel);

        Assert.Contains(expected, Keys(page));
    }

    [Fact]
    public async Task Search_WithEveryTermRequired_NarrowsTheResult()
    {
        var broad = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products?q=customer", Cancel);
        var narrow = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products?q=customer%20zzzznotaword", Cancel);

        Assert.True(broad.GetProperty("total").GetInt32() > 0);
        Assert.Equal(0, narrow.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Search_FiltersByDomainTagStatusAndClassification()
    {
        var client = server.Client("mallory");

        var byDomain = Keys(await client.GetFromJsonAsync<JsonElement>("/api/v1/products?domain=sales&limit=100", Cancel));
        var byTag = Keys(await client.GetFromJsonAsync<JsonElement>("/api/v1/products?tag=pii&limit=100", Cancel));
        var restricted = Keys(await client.GetFromJsonAsync<JsonElement>("/api/v1/products?classification=restricted&limit=100", Cancel));
        var retired = Keys(await client.GetFromJsonAsync<JsonElement>("/api/v1/products?status=retired", Cancel));

        Assert.All(byDomain, k => Assert.StartsWith("sales.", k, StringComparison.Ordinal));
        Assert.NotEmpty(byDomain);
        Assert.Contains("customers.profiles", byTag);
        Assert.DoesNotContain("sales.products", byTag);
        Assert.NotEmpty(restricted);
        Assert.Empty(retired);
    }

    [Fact]
    public async Task Search_PagesThroughTheResults()
    {
        var client = server.Client("mallory");

        var all = await client.GetFromJsonAsync<JsonElement>("/api/v1/products?limit=100", Cancel);
        var first = await client.GetFromJsonAsync<JsonElement>("/api/v1/products?limit=3&offset=0", Cancel);
        var second = await client.GetFromJsonAsync<JsonElement>("/api/v1/products?limit=3&offset=3", Cancel);

        Assert.Equal(all.GetProperty("total").GetInt32(), first.GetProperty("total").GetInt32());
        Assert.Equal(Keys(all).Take(6), Keys(first).Concat(Keys(second)));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=5000")]
    [InlineData("offset=-1")]
    public async Task Search_WithBadPaging_Is400(string query)
    {
        var response = await server.Client("mallory").GetAsync(new Uri($"/api/v1/products?{query}", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Product_ShowsSchemaOwnersQualityAndLineage()
    {
        var product = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products/customers.profiles", Cancel);

        Assert.Equal("team-customers", product.GetProperty("owner").GetProperty("team").GetString());
        var dataset = product.GetProperty("datasets").EnumerateArray().Single();
        Assert.Equal("customers.profiles.profiles_v1", dataset.GetProperty("address").GetString());
        var email = dataset.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "email");
        Assert.Contains("pii", email.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(dataset.GetProperty("rows").GetInt64() > 0);
        Assert.NotEqual("unknown", dataset.GetProperty("quality").GetString());
        Assert.NotEmpty(dataset.GetProperty("checks").EnumerateArray());
        Assert.Contains("customers.customer_value", product.GetProperty("lineage").GetProperty("downstream").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Product_ByItsOdpsId_IsTheSameProduct()
    {
        var product = await server.Client("mallory").GetFromJsonAsync<JsonElement>("/api/v1/products/sales.orders", Cancel);

        Assert.Equal("sales.orders", product.GetProperty("key").GetString());
        Assert.NotEmpty(product.GetProperty("lineage").GetProperty("downstream").EnumerateArray());
    }

    [Fact]
    public async Task Product_AsJsonLd_IsADcatDataset()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/products/customers.profiles");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/ld+json"));
        var client = server.Client("mallory");

        var response = await client.SendAsync(request, Cancel);

        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        Assert.Equal("http://www.w3.org/ns/dcat#", document.GetProperty("@context").GetProperty("dcat").GetString());
        Assert.Contains("dcat:Dataset", document.GetProperty("@type").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains(document.GetProperty("dcat:distribution").EnumerateArray(),
            d => d.GetProperty("dcat:accessURL").GetString()!.EndsWith("/api/v1/datasets/customers.profiles.profiles_v1/data?format=csv", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Product_Unknown_Is404()
    {
        var response = await server.Client("mallory").GetAsync(new Uri("/api/v1/products/nowhere.nothing", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Dataset_AndItsCheckHistory_AreServed()
    {
        var client = server.Client("mallory");

        var dataset = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/sales.orders.orders_v1", Cancel);
        var checks = await client.GetFromJsonAsync<JsonElement>("/api/v1/datasets/sales.orders.orders_v1/checks", Cancel);

        Assert.Equal("sales.orders.orders_v1", dataset.GetProperty("address").GetString());
        Assert.NotEmpty(checks.EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/api/v1/datasets/a.b.c_v1/checks", UriKind.Relative), Cancel)).StatusCode);
    }

    private static List<string> Keys(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!)];
}
