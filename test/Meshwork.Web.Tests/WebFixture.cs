using System.Net;
using System.Net.Sockets;
using Meshwork.Platform;
using Meshwork.Platform.Security;
using Meshwork.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;

namespace Meshwork.Web.Tests;

/// <summary>
/// The example mesh (examples/retail) copied to a temporary folder, changed as the tests need, applied with real
/// DuckDB and SQLite, and served by the real server on Kestrel (a free loopback port, demo sign-in on), with
/// Debian's Chromium driven by Playwright.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    /// <summary>The product whose copy here fails a check (its row count can never exceed a million).</summary>
    public const string FailingProduct = "finance.invoices";

    /// <summary>A dataset of olivia's team that mallory may not read without an agreement (here).</summary>
    public const string RequestableDataset = "customers.customer_value.customer_value_v1";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "meshwork-web-tests-" + Guid.NewGuid().ToString("N"));

    public string DataFolder => Path.Combine(Root, ".mesh");

    public string Url { get; private set; } = string.Empty;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    /// <summary>Where screenshots go: under the test output, for a reviewer to look at.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        CopyTree(Path.Combine(RepositoryRoot(), "examples", "retail"), Root);
        Prepare(Root);
        var result = await MeshworkPlatform.Create().ApplyAsync(Root, null);
        Assert.True(result.Errors.Count == 0, string.Join('\n', result.Errors));

        Url = $"http://127.0.0.1:{FreePort()}";
        _app = StartServer(Url, demo: true);
        await _app.StartAsync();

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ChromiumArgs,
            Headless = true,
        });
    }

    /// <summary>A server on the same applied folder with the given demo setting, for tests that need another.</summary>
    public WebApplication StartServer(string url, bool demo) =>
        MeshServer.Build([], builder =>
        {
            builder.WebHost.UseUrls(url);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Meshwork:Data"] = DataFolder,
                ["Meshwork:Web:DemoSignIn"] = demo ? "true" : "false",
            });
        });

    /// <summary>A fresh browser session (its own cookies) on the server.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Url, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>A browser session signed in as <paramref name="principal"/> through the demo sign-in page.</summary>
    public async Task<IPage> SignedInAsync(string principal)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/signin");
        await page.Locator($"button[data-principal='{principal}']").ClickAsync();
        await page.Locator("[data-testid=principal]").WaitForAsync();
        Assert.Equal(principal, await page.Locator("[data-testid=principal]").InnerTextAsync());
        return page;
    }

    public string Token(string principal) => TokenService.Open(DataFolder, TimeProvider.System).Issue(principal);

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        // From the top, so the sticky header sits where it belongs in a full-page picture.
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>
    /// The changes the tests rely on: one product fails a check, and the analysts' access policy covers only the
    /// customer profiles, so mallory has to ask olivia's team for customer_value.
    /// </summary>
    private static void Prepare(string root)
    {
        Replace(Path.Combine(root, "domains", "finance", "invoices", "invoices.odcs.yaml"),
            "      - metric: rowCount\n        mustBeGreaterThan: 0", "      - metric: rowCount\n        mustBeGreaterThan: 1000000");
        Replace(Path.Combine(root, "policies", "analysts-read-customer-data.policy.yaml"),
            "  domains: [customers]", "  domains: [customers]\n  products: [customers.profiles]");
    }

    private static void Replace(string file, string text, string with)
    {
        var content = File.ReadAllText(file);
        Assert.True(content.Contains(text, StringComparison.Ordinal), $"{file} no longer contains the text the web tests change: {text}");
        File.WriteAllText(file, content.Replace(text, with, StringComparison.Ordinal));
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found above the test binaries.");
    }

    private static void CopyTree(string source, string target)
    {
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.mesh{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, path));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(path, destination, overwrite: true);
        }
    }
}

/// <summary>One served mesh and one browser for every UI test class: starting them is the slow part.</summary>
[CollectionDefinition(Name)]
public sealed class WebTests : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
