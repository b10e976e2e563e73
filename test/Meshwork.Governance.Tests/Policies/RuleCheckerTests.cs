using Meshwork.Diagnostics;
using Meshwork.Governance.Cel;
using Meshwork.Governance.Policies;

namespace Meshwork.Governance.Tests.Policies;

public sealed class RuleCheckerTests : IDisposable
{
    private static readonly DateOnly Today = new(2030, 1, 1);

    private readonly PolicyMesh _mesh = new();

    private readonly CelPolicyEvaluator _evaluator = new();

    public void Dispose() => _mesh.Dispose();

    /// <summary>The retention rule of the example: only customers.profiles has pii columns and no retention.</summary>
    private PolicyMesh Retention(string folder = "policies", string status = "", string extra = "") =>
        _mesh.Policy(folder, "pii-retention", $"""
            type: rule
            {status}
            {extra}
            check: "!resource.column_tags.exists(t, t == 'pii' || t.startsWith('pii:')) || 'retention' in resource.sla"
            message: Declare a retention.
            """);

    private List<Diagnostic> Check(DateOnly? today = null)
    {
        var (mesh, policies) = _mesh.CompileClean();
        var diagnostics = new DiagnosticBag();
        RuleChecker.Check(mesh, policies, _evaluator, today ?? Today, diagnostics);
        return [.. diagnostics.ToSortedList()];
    }

    [Fact]
    public void Check_EnforcedRuleThatDoesNotHold_IsAnErrorOnTheProduct()
    {
        Retention();

        var diagnostic = Assert.Single(Check());

        Assert.Equal("policy-violation", diagnostic.Rule);
        Assert.Equal(Severity.Error, diagnostic.Severity);
        Assert.EndsWith("domains/customers/profiles/product.odps.yaml", diagnostic.File.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.Contains("'customers.profiles' violates policy 'pii-retention'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("Declare a retention.", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RuleThatHoldsEverywhere_ReportsNothing()
    {
        _mesh.Policy("policies", "has-owner", """
            type: rule
            check: resource.owner != ''
            message: Name an owner.
            """);

        Assert.Empty(Check());
    }

    [Fact]
    public void Check_RuleThatFailsEverywhere_ReportsEveryProduct()
    {
        _mesh.Policy("policies", "never", """
            type: rule
            check: resource.owner == 'nobody'
            message: Never holds.
            """);

        Assert.Equal(3, Check().Count);
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("deprecated")]
    public void Check_DraftOrDeprecatedRule_NeverApplies(string status)
    {
        Retention(status: $"status: {status}");

        Assert.Empty(Check());
    }

    [Fact]
    public void Check_GraceRuleBeforeUntil_IsAWarning()
    {
        Retention(status: "status: grace", extra: "until: \"2030-01-01\"");

        var diagnostic = Assert.Single(Check(new DateOnly(2029, 12, 31)));

        Assert.Equal(Severity.Warning, diagnostic.Severity);
        Assert.Contains("grace period until 2030-01-01", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2030, 1, 1)]
    [InlineData(2031, 7, 1)]
    public void Check_GraceRuleFromUntilOn_IsAnError(int year, int month, int day)
    {
        Retention(status: "status: grace", extra: "until: \"2030-01-01\"");

        var diagnostic = Assert.Single(Check(new DateOnly(year, month, day)));

        Assert.Equal(Severity.Error, diagnostic.Severity);
        Assert.DoesNotContain("grace period", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DomainRule_OnlyChecksItsDomain()
    {
        _mesh.Policy("domains/sales", "never", """
            type: rule
            check: resource.owner == 'nobody'
            message: Never holds.
            """);

        var diagnostic = Assert.Single(Check());

        Assert.Contains("'sales.orders'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ProductRule_OnlyChecksItsProduct()
    {
        _mesh.Policy("domains/marketing/audience", "never", """
            type: rule
            check: resource.owner == 'nobody'
            message: Never holds.
            """);

        var diagnostic = Assert.Single(Check());

        Assert.Contains("'marketing.audience'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TargetedProducts_AreTheOnlyOnesChecked()
    {
        _mesh.Policy("policies", "never", """
            type: rule
            targets:
              products: [sales.orders, marketing.audience]
            check: resource.owner == 'nobody'
            message: Never holds.
            """);

        Assert.Equal(2, Check().Count);
    }

    [Fact]
    public void Check_WhenFalse_SkipsTheProduct()
    {
        _mesh.Policy("policies", "never", """
            type: rule
            when: resource.domain == 'sales'
            check: resource.owner == 'nobody'
            message: Never holds.
            """);

        var diagnostic = Assert.Single(Check());

        Assert.Contains("'sales.orders'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ThatCannotBeEvaluated_CountsAsViolated()
    {
        _mesh.Policy("policies", "divides", """
            type: rule
            targets:
              products: [sales.orders]
            check: 1 / (size(resource.tags) - size(resource.tags)) == 1
            message: Cannot be evaluated.
            """);

        Assert.Equal(Severity.Error, Assert.Single(Check()).Severity);
    }

    [Fact]
    public void Violators_AreTheProductsOfEnforcedViolationsOnly()
    {
        Retention();
        _mesh.Policy("domains/sales", "later", """
            type: rule
            status: grace
            until: "2031-01-01"
            check: resource.owner == 'nobody'
            message: Never holds.
            """);
        var (mesh, policies) = _mesh.CompileClean();

        var violators = RuleChecker.Violators(mesh, policies, _evaluator, Today);

        Assert.Equal(["customers.profiles"], violators);
    }
}
