using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Meshwork.Web.Tests;

/// <summary>The web UI end to end: Debian's Chromium, driven by Playwright, against the real server and example mesh.</summary>
[Collection(WebTests.Name)]
public sealed partial class WebUiTests(WebFixture web)
{
    private const string Profiles = "customers.profiles.profiles_v1";

    [Fact]
    public async Task UnauthenticatedPage_RedirectsToSignIn_AndComesBackAfter()
    {
        var page = await web.NewPageAsync();

        await page.GotoAsync("/governance");

        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?returnUrl=%2Fgovernance$"));
        await page.Locator("button[data-principal='admin']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/governance$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Governance");
    }

    [Fact]
    public async Task SignIn_AsADemoPrincipal_ShowsThemInTheHeader_AndSignOutEndsTheSession()
    {
        var page = await web.SignedInAsync("olivia");
        await WebFixture.ScreenshotAsync(page, "catalog-olivia");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?signedOut=true$"));
        await Expect(page.Locator("[data-testid=principal]")).ToHaveCountAsync(0);
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/signin"));
    }

    [Fact]
    public async Task SignIn_WithAToken_Works_AndAForgedTokenIsRefused()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync("/signin");
        await WebFixture.ScreenshotAsync(page, "signin");

        await page.Locator("#token").FillAsync(web.Token("sam")[..^4] + "AAAA");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-testid=error]")).ToContainTextAsync("not valid");

        await page.Locator("#token").FillAsync(web.Token("sam"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-testid=principal]")).ToHaveTextAsync("sam");
    }

    [Fact]
    public async Task UiCookie_DoesNotAuthenticateTheApi()
    {
        var page = await web.SignedInAsync("admin");

        // The browser sends its UI cookie with this request; the API must ignore it (no cross-site request forgery path).
        var response = await page.Context.APIRequest.GetAsync("/api/v1/products");

        Assert.Equal(401, response.Status);
    }

    [Fact]
    public async Task Search_AsYouType_FindsAProduct_AndFacetsNarrowIt()
    {
        var page = await web.SignedInAsync("mallory");
        var all = await page.Locator("[data-testid=product-card]").CountAsync();

        await page.Locator("#q").PressSequentiallyAsync("revenue rep", new() { Delay = 30 });

        // Results follow the typing without a page load: the URL is replaced, the search box keeps its text.
        await Expect(page).ToHaveURLAsync(new Regex("\\?q=revenue\\+rep$"));
        await Expect(page.Locator("[data-product='finance.revenue_report']")).ToBeVisibleAsync();
        Assert.InRange(await page.Locator("[data-testid=product-card]").CountAsync(), 1, all - 1);
        await Expect(page.Locator("#q")).ToHaveValueAsync("revenue rep");
        await WebFixture.ScreenshotAsync(page, "catalog-search");

        await page.Locator("#q").FillAsync(string.Empty);
        await page.Locator("#q").PressSequentiallyAsync("cust", new() { Delay = 30 });
        await Expect(page).ToHaveURLAsync(new Regex("\\?q=cust$"));
        await Expect(page.Locator("[data-product='customers.profiles']")).ToBeVisibleAsync();
        await page.Locator("[data-facet=domain] a", new() { HasText = "marketing" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("domain=marketing"));
        // The address changes as the request leaves; the cards are replaced when it answers: wait for that.
        await Expect(page.Locator("[data-product='customers.profiles']")).ToHaveCountAsync(0);
        var products = await page.Locator("[data-testid=product-card]").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.product)");
        Assert.NotEmpty(products);
        Assert.All(products, p => Assert.StartsWith("marketing.", p, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProductPage_ShowsSchemaLineageAndQuality()
    {
        var page = await web.SignedInAsync("olivia");

        await page.GotoAsync("/products/customers.customer_value");

        await Expect(page.Locator("h1")).ToHaveTextAsync(new Regex("."));
        var schema = page.Locator("[data-testid=schema]").First;
        await Expect(schema.Locator("tbody tr").First).ToBeVisibleAsync();
        await Expect(schema).ToContainTextAsync("customer_id");
        await Expect(page.Locator("[data-testid=checks] tbody tr").First).ToBeVisibleAsync();
        await Expect(page.Locator("svg.quality-chart rect.cell").First).ToBeAttachedAsync();
        var jsonLd = await page.Locator("head script[type='application/ld+json']").TextContentAsync();
        Assert.Contains("dcat:Dataset", jsonLd, StringComparison.Ordinal);
        var upstream = page.Locator("[data-testid=lineage] svg a[data-node='customers.profiles']");
        await Expect(upstream).ToBeVisibleAsync();
        await WebFixture.ScreenshotAsync(page, "product-customer-value");

        // Lineage nodes are links: the upstream product's page opens.
        await upstream.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/products/customers\\.profiles$"));
        await Expect(page.Locator("[data-testid=lineage] svg [data-node='customers.customer_value']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ProductPage_OfAProductWithAllowedPurposes_ShowsThemAndOthersShowNone()
    {
        var page = await web.SignedInAsync("sam");

        await page.GotoAsync("/products/finance.payments");
        await Expect(page.Locator("[data-testid=allowed-purposes]")).ToHaveTextAsync("billing, reconciliation, fraud");
        await page.GotoAsync("/products/sales.orders");
        await Expect(page.Locator("h1")).ToHaveTextAsync(new Regex("."));
        await Expect(page.Locator("[data-testid=allowed-purposes]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SampleRows_ForMallory_AreMaskedAndOnlyDE_ForOlivia_Clear()
    {
        var mallory = await web.SignedInAsync("mallory");
        await mallory.GotoAsync("/products/customers.profiles#sample");
        var malloryRows = await SampleAsync(mallory, Profiles);
        await WebFixture.ScreenshotAsync(mallory, "product-profiles-mallory");

        var olivia = await web.SignedInAsync("olivia");
        await olivia.GotoAsync("/products/customers.profiles#sample");
        var oliviaRows = await SampleAsync(olivia, Profiles);

        Assert.NotEmpty(malloryRows);
        Assert.All(malloryRows, row => Assert.Equal("DE", row["country"]));
        Assert.All(malloryRows, row => Assert.Matches(MaskedEmail(), row["email"]));
        Assert.Contains(oliviaRows, row => row["country"] != "DE");
        Assert.All(oliviaRows, row => Assert.Contains("@example.", row["email"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccessRequest_FromMallory_ApprovedByOlivia_EndsActive()
    {
        var mallory = await web.SignedInAsync("mallory");
        await mallory.GotoAsync($"/access?dataset={WebFixture.RequestableDataset}");
        await mallory.Locator("#purpose").FillAsync("spring campaign audience sizing");
        await mallory.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(mallory.Locator("[data-testid=notice]")).ToContainTextAsync("pending");
        var id = await mallory.Locator($"[data-testid=agreements] tr[data-state=pending]").First.GetAttributeAsync("data-agreement");
        Assert.NotNull(id);

        var olivia = await web.SignedInAsync("olivia");
        await olivia.GotoAsync("/access");
        var request = olivia.Locator($"[data-testid=pending-request][data-agreement='{id}']");
        await Expect(request).ToContainTextAsync("mallory");
        await WebFixture.ScreenshotAsync(olivia, "access-olivia-pending");
        await request.Locator("input[name=reason]").FillAsync("fine for campaign planning");
        await request.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(olivia.Locator("[data-testid=notice]")).ToContainTextAsync("active");

        await mallory.GotoAsync("/access");
        await Expect(mallory.Locator($"[data-testid=agreements] tr[data-agreement='{id}']")).ToHaveAttributeAsync("data-state", "active");
        await WebFixture.ScreenshotAsync(mallory, "access-mallory");
    }

    [Fact]
    public async Task GovernanceDashboard_ListsTheFailingCheck()
    {
        var page = await web.SignedInAsync("admin");

        await page.GotoAsync("/governance");

        var failing = page.Locator($"[data-testid=failing] tr[data-product='{WebFixture.FailingProduct}']");
        await Expect(failing).ToBeVisibleAsync();
        await Expect(failing).ToContainTextAsync("rowCount");
        await Expect(page.Locator("[data-testid=policies] tbody tr", new() { HasText = "pii-masked-outside-owner" })).ToContainTextAsync("column mask");
        await Expect(page.Locator("[data-testid=audit] tbody tr").First).ToBeVisibleAsync();
        // The server runs on its own: the nodes panel lists it, active.
        await Expect(page.Locator("[data-testid=nodes] tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-testid=nodes] tbody tr [data-state]")).ToHaveAttributeAsync("data-state", "active");
        await WebFixture.ScreenshotAsync(page, "governance");
    }

    [Fact]
    public async Task GovernanceDashboard_ShowsThePlatformNodesToAdminsOnly()
    {
        var page = await web.SignedInAsync("sam");

        await page.GotoAsync("/governance");

        await Expect(page.Locator("[data-testid=policies]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=nodes]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task DomainAndTeamPages_ShowWhatTheyOwn()
    {
        var page = await web.SignedInAsync("sam");

        await page.GotoAsync("/domains/sales");
        await Expect(page.Locator("[data-testid=domain-products]")).ToContainTextAsync("sales.orders");
        await Expect(page.Locator("body")).ToContainTextAsync("duckdb");
        await WebFixture.ScreenshotAsync(page, "domain-sales");

        await page.Locator("a[href='/teams/team-sales']").First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/teams/team-sales$"));
        await Expect(page.Locator("[data-testid=members]")).ToContainTextAsync("sam");
        await Expect(page.Locator("[data-product='sales.orders']")).ToBeVisibleAsync();
        await WebFixture.ScreenshotAsync(page, "team-sales");
    }

    [Fact]
    public async Task UnknownProduct_AnswersNotFound_WithAWayBack()
    {
        var page = await web.SignedInAsync("sam");

        var response = await page.GotoAsync("/products/nowhere.nothing");

        Assert.Equal(404, response!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await page.Locator("a", new() { HasText = "Search the catalog for" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/\\?q=nowhere\\.nothing$"));
        await Expect(page.Locator("[data-testid=result-count]")).ToHaveTextAsync(new Regex("^0 products"));
    }

    [Fact]
    public async Task SampleRows_ForAPrincipalWithoutAccess_SayWhy_AndOfferARequest()
    {
        var page = await web.SignedInAsync("sam");

        await page.GotoAsync("/products/customers.profiles");

        var refused = page.Locator($"[data-sample='{Profiles}'] [data-testid=sample-refused]");
        await Expect(refused).ToContainTextAsync("You may not read this dataset");
        await Expect(page.Locator($"[data-sample='{Profiles}'] [data-testid=sample]")).ToHaveCountAsync(0);
        await refused.GetByRole(AriaRole.Link, new() { Name = "Request access" }).ClickAsync();
        await Expect(page.Locator("#dataset-choice")).ToHaveValueAsync(Profiles);
        await Expect(page.Locator("[data-testid=request-form]")).ToBeVisibleAsync();
    }

    /// <summary>The sample table of one dataset, as column → text per row.</summary>
    private static async Task<List<Dictionary<string, string>>> SampleAsync(IPage page, string address)
    {
        var table = page.Locator($"[data-sample='{address}'] [data-testid=sample]");
        await Expect(table).ToBeVisibleAsync();
        var rows = await table.Locator("tbody tr").EvaluateAllAsync<Dictionary<string, string>[]>(
            "rows => rows.map(r => Object.fromEntries([...r.querySelectorAll('td')].map(td => [td.dataset.column, td.innerText])))");
        return [.. rows];
    }

    /// <summary>MASK keeps the shape (x for letters, n for digits) and nothing of the address.</summary>
    [GeneratedRegex("^[xXn._@+-]+$")]
    private static partial Regex MaskedEmail();
}
