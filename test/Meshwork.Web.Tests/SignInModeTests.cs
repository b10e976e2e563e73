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

    [Fact]
    public async Task DemoMode_OverAConnectionFromAnotherAddress_ShowsNoDemoAndRefusesAForgedDemoPost()
    {
        // The server listens everywhere in demo mode (as a mistaken 'mesh up --urls http://0.0.0.0:...' would);
        // the browser reaches it through this machine's own non-loopback address, as another machine would.
        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));
        Assert.SkipWhen(address is null, "This machine has no non-loopback IPv4 address to connect through.");
        var port = WebFixture.FreePort();
        await using var app = web.StartServer($"http://0.0.0.0:{port}", demo: true);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var remote = await (await web.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://{address}:{port}" })).NewPageAsync();
        var local = await (await web.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{port}" })).NewPageAsync();

        await local.GotoAsync("/signin");
        await remote.GotoAsync("/signin");
        await Expect(local.Locator("[data-testid=demo-signin]")).ToHaveCountAsync(1);
        await Expect(remote.Locator("[data-testid=demo-signin]")).ToHaveCountAsync(0);
        await Expect(remote.Locator("#token")).ToBeVisibleAsync();

        await remote.EvaluateAsync("""
            async () => {
                const body = new URLSearchParams({
                    _handler: 'demo', principal: 'admin', returnUrl: '/',
                    __RequestVerificationToken: document.querySelector('input[name=__RequestVerificationToken]').value });
                await fetch('/signin', { method: 'POST', body });
            }
            """);
        await remote.GotoAsync("/");
        await Expect(remote).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await app.StopAsync(TestContext.Current.CancellationToken);
    }
}
