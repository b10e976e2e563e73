using Deque.AxeCore.Playwright;

namespace Meshwork.Web.Tests;

/// <summary>The main pages checked by axe-core in Chromium: labels, contrast, landmarks, names of links and buttons.</summary>
[Collection(WebTests.Name)]
public sealed class AccessibilityTests(WebFixture web)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/?q=cust&domain=customers")]
    [InlineData("/products/customers.profiles")]
    [InlineData("/products/customers.customer_value")]
    [InlineData("/access")]
    [InlineData("/governance")]
    [InlineData("/domains/sales")]
    [InlineData("/teams/team-customers")]
    public async Task Page_HasNoSeriousAccessibilityViolation(string path)
    {
        var page = await web.SignedInAsync("olivia");
        await page.GotoAsync(path);
        // A page rendered in a stream (the product page) sets its title when the stream ends, which may be just after
        // the load event: axe checks the page as it stands once it has.
        await page.WaitForFunctionAsync("() => document.title.length > 0");

        var result = await page.RunAxe();

        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join('\n', serious.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))}")));
    }

    [Fact]
    public async Task SignInPage_HasNoSeriousAccessibilityViolation()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync("/signin");

        var result = await page.RunAxe();

        Assert.DoesNotContain(result.Violations, v => v.Impact is "serious" or "critical");
    }
}
