using Meshwork.Model;

namespace Meshwork.Tests.Model;

public sealed class LinksTests
{
    [Theory]
    [InlineData("https://chat.example.com/channels/team-sales")]
    [InlineData("http://intranet.example.com:8080/sales?tab=1#top")]
    [InlineData("HTTPS://Example.COM")]
    [InlineData("mailto:sales-data@example.com")]
    [InlineData("mailto:sales-data@example.com?subject=Orders%20data")]
    [InlineData("https://bücher.example/katalog")]
    public void IsSafe_HttpHttpsOrMailto_IsTrue(string url)
    {
        Assert.True(Links.IsSafe(url));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JaVaScript:alert(1)")]
    [InlineData(" javascript:alert(1)")]
    [InlineData("\u0001javascript:alert(1)")]
    [InlineData("java\tscript:alert(1)")]
    [InlineData("java\nscript:alert(1)")]
    [InlineData("javascript&colon;alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://files.example.com")]
    [InlineData("slack://channel?team=T1")]
    [InlineData(" https://example.com")]
    [InlineData("https://example.com ")]
    [InlineData("https://exa mple.com")]
    [InlineData("https:alert(1)")]
    [InlineData("https:/example.com")]
    [InlineData("https://")]
    [InlineData("mailto:")]
    [InlineData("/teams/team-sales")]
    [InlineData("//evil.example.com")]
    [InlineData("teams/team-sales")]
    [InlineData("example.com")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void IsSafe_AnythingElse_IsFalse(string? url)
    {
        Assert.False(Links.IsSafe(url));
    }
}
