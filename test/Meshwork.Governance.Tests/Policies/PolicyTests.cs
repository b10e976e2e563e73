using Meshwork.Diagnostics;
using Meshwork.Governance.Policies;
using Meshwork.Model;

namespace Meshwork.Governance.Tests.Policies;

public sealed class PolicyTests
{
    private static readonly DateOnly Until = new(2030, 1, 1);

    private static Policy Make(PolicyStatus status, DateOnly? until = null, PolicyScope scope = PolicyScope.Global, string? key = null) =>
        new("p", "policies/p.policy.yaml", PolicyKind.Access, status, until, scope, key, PolicyTargets.Any, null, false, null, null, null, null, null,
            SourceLocation.StartOf("policies/p.policy.yaml"));

    [Theory]
    [InlineData(PolicyStatus.Draft, false)]
    [InlineData(PolicyStatus.Deprecated, false)]
    [InlineData(PolicyStatus.Enforced, true)]
    public void IsEnforced_DependsOnTheStatus(PolicyStatus status, bool expected)
    {
        var policy = Make(status, Until);

        Assert.Equal(expected, policy.IsEnforced(Until.AddYears(1)));
        Assert.False(policy.IsWarning(Until.AddYears(1)));
    }

    [Fact]
    public void IsEnforced_GraceBeforeUntil_OnlyWarns()
    {
        var policy = Make(PolicyStatus.Grace, Until);

        Assert.False(policy.IsEnforced(Until.AddDays(-1)));
        Assert.True(policy.IsWarning(Until.AddDays(-1)));
    }

    [Fact]
    public void IsEnforced_GraceFromUntilOn_IsEnforced()
    {
        var policy = Make(PolicyStatus.Grace, Until);

        Assert.True(policy.IsEnforced(Until));
        Assert.True(policy.IsEnforced(Until.AddDays(1)));
        Assert.False(policy.IsWarning(Until));
    }

    [Theory]
    [InlineData(PolicyScope.Global, null, true, true)]
    [InlineData(PolicyScope.Domain, "sales", true, false)]
    [InlineData(PolicyScope.Product, "sales.orders", true, false)]
    [InlineData(PolicyScope.Product, "sales.returns", false, false)]
    public void InScope_FollowsTheFolderOfThePolicy(PolicyScope scope, string? key, bool orders, bool profiles)
    {
        var policy = Make(PolicyStatus.Enforced, scope: scope, key: key);

        Assert.Equal(orders, policy.InScope("sales", "sales.orders"));
        Assert.Equal(profiles, policy.InScope("customers", "customers.profiles"));
    }

    [Theory]
    [InlineData("pii", true)]
    [InlineData("pii:email", true)]
    [InlineData("pii:email:work", true)]
    [InlineData("piixyz", false)]
    [InlineData("pi", false)]
    [InlineData("gold", false)]
    public void MatchesTags_TagOrItsFamily_Matches(string tag, bool expected)
    {
        var targets = PolicyTargets.Any with { Tags = ["pii"] };

        Assert.Equal(expected, targets.MatchesTags([tag]));
    }

    [Fact]
    public void MatchesTags_NoTagsSelected_MatchesAnything()
    {
        Assert.True(PolicyTargets.Any.MatchesTags([]));
        Assert.False((PolicyTargets.Any with { Tags = ["pii"] }).MatchesTags([]));
    }

    [Fact]
    public void MatchesDataset_EverySelectorGiven_MustMatch()
    {
        var targets = PolicyTargets.Any with { Domains = ["sales"], Datasets = ["sales.orders.orders_v1"] };

        Assert.True(targets.MatchesDataset("sales", "sales.orders", "sales.orders.orders_v1"));
        Assert.False(targets.MatchesDataset("sales", "sales.orders", "sales.orders.lines_v1"));
        Assert.False(targets.MatchesDataset("sales", "sales.orders", null));
        Assert.False((PolicyTargets.Any with { Products = ["sales.returns"] }).MatchesDataset("sales", "sales.orders", "sales.orders.orders_v1"));
        Assert.True(PolicyTargets.Any.MatchesDataset("x", "x.y", null));
    }

    [Fact]
    public void MatchesClassification_NeedsTheColumnsClassification()
    {
        var targets = PolicyTargets.Any with { Classifications = ["restricted"] };

        Assert.True(targets.MatchesClassification("restricted"));
        Assert.False(targets.MatchesClassification("internal"));
        Assert.False(targets.MatchesClassification(null));
        Assert.True(PolicyTargets.Any.MatchesClassification(null));
    }

    [Fact]
    public void SelectsColumns_NeedsTagsOrClassifications()
    {
        Assert.False((PolicyTargets.Any with { Domains = ["sales"] }).SelectsColumns);
        Assert.True((PolicyTargets.Any with { Tags = ["pii"] }).SelectsColumns);
        Assert.True((PolicyTargets.Any with { Classifications = ["restricted"] }).SelectsColumns);
    }
}
