using Meshwork.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Meshwork.Web.Tests.Components;

/// <summary>
/// The support links of a product page, rendered by Blazor's own HTML renderer. The served mesh is linted when it
/// loads, so a <c>javascript:</c> URL cannot reach a page through today's server; these are the URLs an older apply or
/// another path could still hand the UI.
/// </summary>
public sealed class ExternalLinkTests
{
    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JaVaScript:alert(document.cookie)")]
    [InlineData(" javascript:alert(1)")]
    [InlineData("java\tscript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("/signout")]
    [InlineData("")]
    public async Task Render_UnsafeUrl_IsTextNotALink(string url)
    {
        var html = await RenderAsync(url);

        Assert.DoesNotContain("<a", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href", html, StringComparison.Ordinal);
        Assert.Contains("helpdesk", html, StringComparison.Ordinal);
        Assert.Contains("data-unsafe-link", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://chat.example.com/channels/team-sales")]
    [InlineData("mailto:sales-data@example.com")]
    public async Task Render_HttpsOrMailto_IsALink(string url)
    {
        var html = await RenderAsync(url);

        Assert.Contains($"<a class=\"person\" href=\"{url}\" rel=\"noopener noreferrer\">helpdesk</a>", html, StringComparison.Ordinal);
    }

    private static async Task<string> RenderAsync(string url)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(ExternalLink.Url)] = url,
                [nameof(ExternalLink.Class)] = "person",
                [nameof(ExternalLink.ChildContent)] = (RenderFragment)(builder => builder.AddContent(0, "helpdesk")),
            });
            return (await renderer.RenderComponentAsync<ExternalLink>(parameters)).ToHtmlString();
        });
    }
}
