using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Meshwork.Web.Tests;

/// <summary>A server without demo mode (what <c>mesh serve</c> runs): only a token signs in.</summary>
[Collection(WebTests.Name)]
public sealed class SignInModeTests(WebFixture web)
{
    [Fact]
    public async Task WithoutDemoMode_SignInAsksForAToken_AndRefusesAForgedDemoPost()
    {
        var url = $"http://127.0.0.1:{WebFixture.FreePort()}";
        await using var app = web.StartServer(url, demo: false);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var context = await web.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = url });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/signin");
        await Expect(page.Locator("[data-testid=demo-signin]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#token")).ToBeVisibleAsync();

        // What the demo form would post, with a valid antiforgery token taken from the page: still no session.
        await page.EvaluateAsync("""
            async () => {
                const body = new URLSearchParams({
                    _handler: 'demo', principal: 'admin', returnUrl: '/',
                    __RequestVerificationToken: document.querySelector('input[name=__RequestVerificationToken]').value });
                await fetch('/signin', { method: 'POST', body });
            }
            """);
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
