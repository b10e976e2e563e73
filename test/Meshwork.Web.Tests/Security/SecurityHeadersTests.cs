using Meshwork.Model;
using Meshwork.Platform.Serving;
using Meshwork.Web.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Meshwork.Web.Tests.Security;

/// <summary>The security headers on the real server, and the UI working under its Content-Security-Policy in Chromium.</summary>
[Collection(WebTests.Name)]
public sealed class SecurityHeadersTests(WebFixture web)
{
    private static readonly string[] Pages =
        ["/", "/?q=orders", "/products/sales.orders", "/domains/sales", "/teams/team-sales", "/access", "/governance", "/no-such-page"];

    [Fact]
    public async Task UiPages_CarryTheHeaders_AndRunWithoutAPolicyViolation()
    {
        var page = await web.SignedInAsync("admin");
        var violations = Violations(page);

        foreach (var path in Pages)
        {
            var response = await page.GotoAsync(path) ?? throw new InvalidOperationException($"{path}: no response");
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            var headers = await response.AllHeadersAsync();
            Assert.Equal(SecurityHeaders.Policy, headers.GetValueOrDefault("content-security-policy"));
            Assert.Equal("nosniff", headers.GetValueOrDefault("x-content-type-options"));
            Assert.Equal("DENY", headers.GetValueOrDefault("x-frame-options"));
            Assert.Equal("no-referrer", headers.GetValueOrDefault("referrer-policy"));
        }

        Assert.Empty(violations);
    }

    [Fact]
    public async Task SignInPage_AndApiErrors_CarryTheHeaders()
    {
        var page = await web.NewPageAsync();

        var signIn = await page.GotoAsync("/signin");
        var api = await page.Context.APIRequest.GetAsync("/api/v1/products");

        Assert.Equal(SecurityHeaders.Policy, (await signIn!.AllHeadersAsync()).GetValueOrDefault("content-security-policy"));
        Assert.Equal(401, api.Status);
        Assert.Equal("nosniff", api.Headers.GetValueOrDefault("x-content-type-options"));
        Assert.Equal(SecurityHeaders.Policy, api.Headers.GetValueOrDefault("content-security-policy"));
    }

    [Fact]
    public async Task ApiReference_RunsItsOwnScriptByNonce_WithoutAPolicyViolation()
    {
        var page = await web.NewPageAsync();
        var violations = Violations(page);

        var first = await page.GotoAsync("/api");
        await Expect(page.GetByText("Meshwork API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("/api/v1/products").First).ToBeAttachedAsync();
        var second = await page.Context.APIRequest.GetAsync("/api");

        var policy = (await first!.AllHeadersAsync()).GetValueOrDefault("content-security-policy") ?? string.Empty;
        Assert.StartsWith("default-src 'self'; script-src 'self' 'nonce-", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.NotEqual(policy, second.Headers.GetValueOrDefault("content-security-policy"));
        Assert.Empty(violations);
    }

    [Fact]
    public async Task ProductPage_LinksOnlyWithinTheUiOrToHttpHttpsAndMailto()
    {
        var page = await web.SignedInAsync("sam");

        await page.GotoAsync("/products/sales.orders");

        var hrefs = await page.Locator("a[href]").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Contains("https://chat.retail.example.com/channels/team-sales", hrefs);
        Assert.Contains("mailto:sales-data@retail.example.com", hrefs);
        Assert.All(hrefs, href => Assert.True(href.StartsWith('/') && !href.StartsWith("//", StringComparison.Ordinal) || href.StartsWith('#') || Links.IsSafe(href), href));
    }

    [Fact]
    public async Task Server_AfterTheCheckoutIsEditedToAJavascriptSupportUrl_ServesWhatWasAppliedAndLinted()
    {
        // The unsafe-link rule refuses such an edit at apply; a server serves the applied mesh from the store, never the checkout's edits.
        var product = Path.Combine(web.Root, "domains", "sales", "orders", "product.odps.yaml");
        var original = await File.ReadAllTextAsync(product, TestContext.Current.CancellationToken);
        try
        {
            await File.WriteAllTextAsync(product, original.Replace("mailto:sales-data@retail.example.com", "javascript:alert(1)", StringComparison.Ordinal),
                TestContext.Current.CancellationToken);

            await using var server = web.StartServer($"http://127.0.0.1:{WebFixture.FreePort()}", demo: true);
            var state = await server.Services.GetRequiredService<ServedMesh>().StateAsync(TestContext.Current.CancellationToken);

            var urls = state.Mesh.FindProduct("sales.orders")!.Support.Select(s => s.Url).ToList();
            Assert.Contains("mailto:sales-data@retail.example.com", urls);
            Assert.DoesNotContain(urls, url => url.StartsWith("javascript:", StringComparison.Ordinal));
        }
        finally
        {
            await File.WriteAllTextAsync(product, original, CancellationToken.None);
        }
    }

    /// <summary>Every Content-Security-Policy violation Chromium reports on the page from now on.</summary>
    private static List<string> Violations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"{page.Url}: {message.Text}");
            }
        };
        return violations;
    }
}
