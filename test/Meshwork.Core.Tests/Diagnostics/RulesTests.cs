using System.Text.RegularExpressions;
using Meshwork.Diagnostics;

namespace Meshwork.Tests.Diagnostics;

public sealed partial class RulesTests
{
    [Fact]
    public void Rules_HaveUniqueKebabCaseIdsTitlesAndHints()
    {
        Assert.Equal(Rules.All.Count, Rules.All.Select(r => r.Id).Distinct().Count());
        Assert.All(Rules.All, r =>
        {
            Assert.Matches(KebabCase(), r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Title));
            Assert.False(string.IsNullOrWhiteSpace(r.Hint));
        });
    }

    [Fact]
    public void Rules_AreAllListedInTheLintRulesReference()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "reference", "lint-rules.md"));

        var missing = Rules.All.Where(r => !doc.Contains($"`{r.Id}`", StringComparison.Ordinal)).Select(r => r.Id).ToList();

        Assert.Empty(missing);
    }

    [GeneratedRegex("^[a-z]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
