using Meshwork.Engines.Ir;
using Meshwork.Governance.Cel;
using Meshwork.Model;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Governance.Tests.Access;

public sealed class PolicyAccessPlannerTests : IDisposable
{
    private readonly PolicyMesh _mesh = new();

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _mesh.Dispose();

    private static AccessRequest Sql(string? purpose = null) => new(purpose, "sql");

    /// <summary>Plans <paramref name="principal"/> (an id of people.yaml, or a principal) reading <paramref name="address"/>.</summary>
    private AccessPlan Plan(string principal, string address = PolicyMesh.Profiles, bool agreement = false, string? purpose = null)
    {
        var (mesh, policies) = _mesh.CompileClean();
        var who = mesh.People.FindPrincipal(principal) ?? throw new InvalidOperationException($"No principal '{principal}'.");
        return Plan(mesh, policies, who, address, agreement, purpose);
    }

    private AccessPlan Plan(Mesh mesh, Governance.Policies.PolicySet policies, Principal who, string address, bool agreement = false, string? purpose = null)
    {
        var dataset = Resources.Datasets(mesh).Single(d => d.Address == address);
        return new PolicyAccessPlanner(mesh, policies, new CelPolicyEvaluator(), _time).Plan(who, dataset, Sql(purpose), agreement);
    }

    private PolicyAccessPlannerTests Mask(string name, string mask, string targets = "tags: [pii]", string folder = "policies", string extra = "")
    {
        _mesh.Policy(folder, name, $"""
            type: column_mask
            {extra}
            targets:
              {targets}
            mask: {mask}
            """);
        return this;
    }

    private PolicyMesh AnalystsRead() => _mesh.Policy("policies", "analysts-read", """
        type: access
        effect: permit
        when: "'analyst' in principal.roles"
        """);

    // ---- decisions on other resources (registry subjects) ------------------------------------------------------

    private bool Permits(string principal, string subject)
    {
        var (mesh, policies) = _mesh.CompileClean();
        return new PolicyAccessPlanner(mesh, policies, new CelPolicyEvaluator(), _time)
            .Permits(mesh.People.FindPrincipal(principal)!, subject, new AccessRequest("schema-write", "registry"));
    }

    [Fact]
    public void Permits_UntargetedPolicyWhoseConditionHolds_Permits()
    {
        _mesh.Policy("policies", "sales-writes-sales-subjects", """
            type: access
            effect: permit
            when: request.channel == 'registry' && principal.team == 'team-sales' && resource.dataset.startsWith('sales.')
            """);

        Assert.True(Permits("sam", "sales.events-value"));
        Assert.False(Permits("sam", "marketing.events-value"));
        Assert.False(Permits("mallory", "sales.events-value"));
    }

    [Fact]
    public void Permits_NoPolicy_DoesNotPermit() => Assert.False(Permits("olivia", "anything-value"));

    [Fact]
    public void Permits_DenyWinsAndTargetedPoliciesDoNotApply()
    {
        _mesh.Policy("policies", "all-write", "type: access\neffect: permit\nwhen: request.channel == 'registry'");
        _mesh.Policy("policies", "customers-only", "type: access\neffect: permit\ntargets:\n  domains: [customers]");
        Assert.True(Permits("mallory", "x-value"));

        _mesh.Policy("policies", "no-mallory", "type: access\neffect: deny\nwhen: principal.id == 'mallory'");

        Assert.False(Permits("mallory", "x-value"));
        Assert.True(Permits("olivia", "x-value"));
    }

    // ---- who may read --------------------------------------------------------------------------------------

    [Fact]
    public void Plan_OwnerTeam_ReadsEveryColumnWithoutAnyPolicy()
    {
        var plan = Plan("olivia");

        Assert.True(plan.Allowed);
        Assert.Contains("owning team team-customers", plan.Reason, StringComparison.Ordinal);
        Assert.Equal(["customer_id", "email", "phone", "birth_date", "country", "segment"], plan.Columns);
        Assert.Empty(plan.Masks);
        Assert.Null(plan.Filter);
    }

    [Fact]
    public void Plan_OwnerTeam_ReadsWhenNoPolicyPermitsOthers()
    {
        _mesh.Policy("policies", "auditors-read", """
            type: access
            effect: permit
            when: "'auditor' in principal.roles"
            """);

        Assert.True(Plan("olivia").Allowed);
        Assert.False(Plan("mallory").Allowed);
    }

    [Fact]
    public void Plan_Stranger_IsDeniedWithHowToGetAccess()
    {
        var plan = Plan("mallory");

        Assert.False(plan.Allowed);
        Assert.Empty(plan.Columns);
        Assert.Contains("no access agreement or policy permits it", plan.Reason, StringComparison.Ordinal);
        Assert.Contains($"mesh access request {PolicyMesh.Profiles}", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("team-customers", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Admin_Reads()
    {
        var (mesh, policies) = _mesh.CompileClean();

        var plan = Plan(mesh, policies, TestPeople.Person("root", null, ["admin"]), PolicyMesh.Profiles);

        Assert.True(plan.Allowed);
        Assert.Equal("admin", plan.Reason);
    }

    [Fact]
    public void Plan_ActiveAgreement_Permits()
    {
        var plan = Plan("mallory", agreement: true);

        Assert.True(plan.Allowed);
        Assert.Equal("active access agreement", plan.Reason);
    }

    [Fact]
    public void Plan_AccessPolicyThatHolds_Permits()
    {
        AnalystsRead();

        var plan = Plan("mallory");

        Assert.True(plan.Allowed);
        Assert.Equal("permitted by policy 'analysts-read'", plan.Reason);
    }

    [Fact]
    public void Plan_AccessPolicyThatDoesNotHold_DoesNotPermit()
    {
        AnalystsRead();

        Assert.False(Plan("sam").Allowed);
    }

    [Fact]
    public void Plan_PermitThatCannotBeEvaluated_DoesNotPermit()
    {
        _mesh.Policy("policies", "divides", """
            type: access
            effect: permit
            when: 10 / (principal.clearance - 1) > 0
            """);

        Assert.False(Plan("mallory").Allowed);
    }

    [Fact]
    public void Plan_DenyWinsOverPermit()
    {
        AnalystsRead().Policy("policies", "not-from-de", """
            type: access
            effect: deny
            description: Nobody in Germany reads profiles.
            when: principal.country == 'DE'
            """);

        var plan = Plan("mallory");

        Assert.False(plan.Allowed);
        Assert.Contains("policy 'not-from-de' denies it (Nobody in Germany reads profiles)", plan.Reason, StringComparison.Ordinal);
        Assert.Equal(["not-from-de"], plan.Policies);
        Assert.Empty(plan.Columns);
    }

    [Fact]
    public void Plan_DenyWinsOverAnAgreement()
    {
        _mesh.Policy("policies", "no-low-clearance", """
            type: access
            effect: deny
            when: principal.clearance < 2
            """);

        Assert.False(Plan("mallory", agreement: true).Allowed);
    }

    [Fact]
    public void Plan_DenyThatDoesNotHold_LeavesThePermit()
    {
        AnalystsRead().Policy("policies", "not-from-nl", """
            type: access
            effect: deny
            when: principal.country == 'NL' && principal.team != resource.owner
            """);

        Assert.True(Plan("mallory").Allowed);
        Assert.True(Plan("olivia").Allowed);
    }

    [Fact]
    public void Plan_DenyThatCannotBeEvaluated_Denies()
    {
        AnalystsRead().Policy("policies", "divides", """
            type: access
            effect: deny
            when: 10 / (principal.clearance - 1) > 0
            """);

        Assert.False(Plan("mallory").Allowed);
    }

    [Fact]
    public void Plan_DenyTargetingAColumnTag_AppliesToDatasetsWithSuchAColumn()
    {
        AnalystsRead().Policy("policies", "no-pii-for-analysts", """
            type: access
            effect: deny
            targets:
              tags: [pii]
            when: "'analyst' in principal.roles"
            """);

        Assert.False(Plan("mallory").Allowed);
        Assert.True(Plan("mallory", PolicyMesh.Orders, agreement: true).Allowed);
    }

    // ---- masks ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("MASK", MaskKind.Mask)]
    [InlineData("MASK_SHOW_LAST_4", MaskKind.ShowLast4)]
    [InlineData("MASK_SHOW_FIRST_4", MaskKind.ShowFirst4)]
    [InlineData("MASK_HASH", MaskKind.Hash)]
    [InlineData("MASK_NULL", MaskKind.Null)]
    [InlineData("MASK_DATE_SHOW_YEAR", MaskKind.DateShowYear)]
    public void Plan_ColumnMask_IsChosenForTheSelectedColumn(string mask, MaskKind expected)
    {
        Mask("mask-email", mask, "tags: [\"pii:email\"]");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(new Dictionary<string, ColumnMask> { ["email"] = new(expected) }, plan.Masks);
        Assert.Equal(["mask-email"], plan.Policies);
    }

    [Fact]
    public void Plan_CustomMask_CarriesItsExpression()
    {
        _mesh.Policy("policies", "upper", """
            type: column_mask
            targets:
              tags: [marketing]
            mask: CUSTOM
            expression: "upper({column})"
            """);

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(new Dictionary<string, ColumnMask> { ["segment"] = new(MaskKind.Custom, "upper({column})") }, plan.Masks);
    }

    [Fact]
    public void Plan_MaskNone_LeavesTheColumnClear()
    {
        Mask("clear", "MASK_NONE");

        var plan = Plan("mallory", agreement: true);

        Assert.Empty(plan.Masks);
    }

    [Fact]
    public void Plan_TagPrefix_SelectsEveryColumnOfTheFamily()
    {
        Mask("mask-pii", "MASK");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(["email", "phone"], plan.Masks.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Plan_Classification_SelectsTheClassifiedColumns()
    {
        Mask("year-only", "MASK_DATE_SHOW_YEAR", "classifications: [restricted]");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(new Dictionary<string, ColumnMask> { ["birth_date"] = new(MaskKind.DateShowYear) }, plan.Masks);
    }

    [Fact]
    public void Plan_TagsAndClassification_MustBothMatch()
    {
        Mask("both", "MASK_NULL", "tags: [pii]\n  classifications: [confidential]");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(["email"], plan.Masks.Keys);
    }

    [Fact]
    public void Plan_MaskWithACondition_SparesTheOwner()
    {
        Mask("outside-owner", "MASK", extra: "when: principal.team != resource.owner");

        Assert.Empty(Plan("olivia").Masks);
        Assert.Equal(2, Plan("mallory", agreement: true).Masks.Count);
    }

    [Fact]
    public void Plan_MaskConditionOverTheColumn_SeesEachColumnsTags()
    {
        Mask("emails-only", "MASK_HASH", extra: "when: \"'pii:email' in resource.column_tags\"");

        Assert.Equal(["email"], Plan("mallory", agreement: true).Masks.Keys);
    }

    [Fact]
    public void Plan_MaskConditionThatCannotBeEvaluated_Masks()
    {
        Mask("divides", "MASK_NULL", extra: "when: 10 / (principal.clearance - 1) > 0");

        Assert.Equal(2, Plan("mallory", agreement: true).Masks.Count);
    }

    [Fact]
    public void Plan_TwoMasksOnAColumn_TheStrongestWins()
    {
        Mask("last-4", "MASK_SHOW_LAST_4").Mask("hash", "MASK_HASH").Mask("first-4", "MASK_SHOW_FIRST_4");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(MaskKind.Hash, plan.Masks["email"].Kind);
        Assert.Equal(MaskKind.Hash, plan.Masks["phone"].Kind);
    }

    [Fact]
    public void Plan_ProductMaskNone_DoesNotLiftAGlobalMask()
    {
        Mask("global-mask", "MASK").Mask("product-unmask", "MASK_NONE", folder: "domains/customers/profiles");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(MaskKind.Mask, plan.Masks["email"].Kind);
    }

    [Fact]
    public void Plan_ProductMaskWeakerThanAGlobalOne_DoesNotWeakenIt()
    {
        Mask("global-hash", "MASK_HASH").Mask("product-last-4", "MASK_SHOW_LAST_4", folder: "domains/customers/profiles");

        Assert.Equal(MaskKind.Hash, Plan("mallory", agreement: true).Masks["email"].Kind);
    }

    [Fact]
    public void Plan_ProductMaskStrongerThanAGlobalOne_Applies()
    {
        Mask("global-mask", "MASK").Mask("product-null", "MASK_NULL", folder: "domains/customers/profiles");

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(MaskKind.Null, plan.Masks["email"].Kind);
        Assert.Contains("product-null", plan.Policies);
        Assert.DoesNotContain("global-mask", plan.Policies); // replaced on every column it matched: it shaped nothing
    }

    [Fact]
    public void Plan_DeniedRead_HasNoMasks()
    {
        Mask("global-mask", "MASK");

        var plan = Plan("mallory");

        Assert.False(plan.Allowed);
        Assert.Empty(plan.Masks);
    }

    // ---- row filters ---------------------------------------------------------------------------------------

    [Fact]
    public void Plan_RowFilter_SubstitutesThePrincipal()
    {
        _mesh.Policy("policies", "own-country", """
            type: row_filter
            targets:
              domains: [customers]
            filter: row.country == principal.country
            """);

        var plan = Plan("mallory", agreement: true);

        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")), plan.Filter);
        Assert.Equal(["own-country"], plan.Policies);
    }

    [Fact]
    public void Plan_RowFilterThatCannotApplyToTheDataset_HidesEveryRowFromWhomItTargets()
    {
        // The orders have no country: the policy cannot be applied to them (lint: policy-not-applicable), and fails closed.
        _mesh.Policy("policies", "own-country", """
            type: row_filter
            targets:
              domains: [customers, sales]
            filter: row.country == principal.country
            """);
        var (mesh, policies, diagnostics) = _mesh.Compile();
        Assert.Equal("policy-not-applicable", Assert.Single(diagnostics).Rule);

        var orders = Plan(mesh, policies, mesh.People.FindPrincipal("mallory")!, PolicyMesh.Orders, agreement: true);
        var profiles = Plan(mesh, policies, mesh.People.FindPrincipal("mallory")!, PolicyMesh.Profiles, agreement: true);

        Assert.True(orders.Allowed);
        Assert.Equal(new FilterConstant(false), orders.Filter);
        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")), profiles.Filter);
    }

    [Fact]
    public void Plan_RowFilterWhoseConditionDoesNotHold_IsNotApplied()
    {
        _mesh.Policy("domains/customers", "own-country", """
            type: row_filter
            when: principal.team == 'team-marketing'
            filter: row.country == principal.country
            """);

        Assert.Null(Plan("olivia").Filter);
        Assert.NotNull(Plan("mallory", agreement: true).Filter);
    }

    [Fact]
    public void Plan_RowFiltersOfEveryScope_AreAnded()
    {
        _mesh.Policy("domains/customers", "own-country", """
            type: row_filter
            filter: row.country == principal.country
            """).Policy("domains/customers/profiles", "not-internal", """
            type: row_filter
            filter: "!row.segment.startsWith('internal')"
            """);

        var filter = Assert.IsType<FilterBinary>(Plan("mallory", agreement: true).Filter);

        Assert.Equal(FilterOperator.And, filter.Operator);
        Assert.Equal(
            [
                new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")),
                new FilterNot(new FilterString(FilterStringTest.StartsWith, new FilterColumn("segment"), new FilterConstant("internal"))),
            ],
            new[] { filter.Left, filter.Right }.OrderBy(f => f is FilterNot));
    }

    [Fact]
    public void Plan_RowFilterTheEngineCannotRun_HidesEveryRow()
    {
        _mesh.Policy("domains/customers", "long-countries", """
            type: row_filter
            filter: size(row.country) > 2
            """);

        Assert.Equal(new FilterConstant(false), Plan("mallory", agreement: true).Filter);
    }

    [Fact]
    public void Plan_RowFilterThatFoldsToFalse_HidesEveryRow()
    {
        _mesh.Policy("domains/customers", "cleared", """
            type: row_filter
            filter: principal.clearance >= 3 && row.country == principal.country
            """);

        Assert.Equal(new FilterConstant(false), Plan("mallory", agreement: true).Filter);
        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("NL")), Plan("olivia").Filter);
    }

    // ---- lifecycle -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("draft")]
    [InlineData("deprecated")]
    public void Plan_DraftOrDeprecatedPolicies_NeverApply(string status)
    {
        _mesh.Policy("policies", "deny-all", $"""
            type: access
            effect: deny
            status: {status}
            """).Policy("policies", "permit-analysts", $"""
            type: access
            effect: permit
            status: {status}
            when: "'analyst' in principal.roles"
            """);
        Mask("mask-pii", "MASK", extra: $"status: {status}");
        _mesh.Policy("domains/customers", "own-country", $"""
            type: row_filter
            status: {status}
            filter: row.country == principal.country
            """);

        var plan = Plan("mallory", agreement: true);

        Assert.True(plan.Allowed);
        Assert.Empty(plan.Masks);
        Assert.Null(plan.Filter);
        Assert.Empty(plan.Policies);
        Assert.False(Plan("mallory").Allowed);
    }

    [Fact]
    public void Plan_GracePoliciesBeforeUntil_AreNotApplied()
    {
        Grace("2030-01-02");

        var plan = Plan("mallory", agreement: true);

        Assert.True(plan.Allowed);
        Assert.Empty(plan.Masks);
        Assert.Null(plan.Filter);
    }

    [Fact]
    public void Plan_GraceAccessPermitBeforeUntil_DoesNotPermit()
    {
        _mesh.Policy("policies", "permit-analysts", """
            type: access
            effect: permit
            status: grace
            until: "2030-01-02"
            when: "'analyst' in principal.roles"
            """);

        Assert.False(Plan("mallory").Allowed);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.True(Plan("mallory").Allowed);
    }

    [Fact]
    public void Plan_GraceMaskAndFilterFromUntilOn_Apply()
    {
        Grace("2030-01-01", deny: false);

        var plan = Plan("mallory", agreement: true);

        Assert.True(plan.Allowed);
        Assert.Equal(MaskKind.Mask, plan.Masks["email"].Kind);
        Assert.NotNull(plan.Filter);
    }

    [Fact]
    public void Plan_GraceDenyFromUntilOn_Denies()
    {
        Grace("2029-12-31");

        Assert.False(Plan("mallory", agreement: true).Allowed);
    }

    [Fact]
    public void Plan_EnforcedPolicies_ApplyAtOnce()
    {
        Mask("mask-pii", "MASK_SHOW_LAST_4", extra: "status: enforced");

        Assert.Equal(MaskKind.ShowLast4, Plan("mallory", agreement: true).Masks["phone"].Kind);
    }

    private void Grace(string until, bool deny = true)
    {
        if (deny)
        {
            _mesh.Policy("policies", "deny-de", $"""
                type: access
                effect: deny
                status: grace
                until: "{until}"
                when: principal.country == 'DE'
                """);
        }

        Mask("mask-pii", "MASK", extra: $"status: grace\nuntil: \"{until}\"");
        _mesh.Policy("domains/customers", "own-country", $"""
            type: row_filter
            status: grace
            until: "{until}"
            filter: row.country == principal.country
            """);
    }

    // ---- scope ---------------------------------------------------------------------------------------------

    [Fact]
    public void Plan_DomainPolicy_DoesNotAffectAnotherDomain()
    {
        _mesh.Policy("domains/sales", "deny-all", """
            type: access
            effect: deny
            """).Policy("domains/sales", "small-orders", """
            type: row_filter
            filter: row.amount < 100
            """);
        Mask("null-internal", "MASK_NULL", "classifications: [internal, confidential]", folder: "domains/sales");

        var profiles = Plan("mallory", agreement: true);
        var orders = Plan("sam", PolicyMesh.Orders);

        Assert.True(profiles.Allowed);
        Assert.Empty(profiles.Masks);
        Assert.Null(profiles.Filter);
        Assert.False(orders.Allowed);
    }

    [Fact]
    public void Plan_DomainPolicyTargetingAnotherDomain_AppliesNowhere()
    {
        Mask("mask-pii", "MASK", "tags: [pii]\n  domains: [customers]", folder: "domains/sales");

        Assert.Empty(Plan("mallory", agreement: true).Masks);
    }

    [Fact]
    public void Plan_ProductPolicy_DoesNotAffectAnotherProduct()
    {
        _mesh.Policy("domains/sales/orders", "small-orders", """
            type: row_filter
            filter: row.amount < 100
            """);

        Assert.Null(Plan("mallory", PolicyMesh.Audience, agreement: true).Filter);
        Assert.Equal(new FilterBinary(FilterOperator.Less, new FilterColumn("amount"), new FilterConstant(100L)), Plan("sam", PolicyMesh.Orders).Filter);
    }

    [Fact]
    public void Plan_DatasetTarget_SelectsOnlyThatDataset()
    {
        _mesh.Policy("policies", "deny-orders", $"""
            type: access
            effect: deny
            targets:
              datasets: [{PolicyMesh.Orders}]
            """);

        Assert.False(Plan("sam", PolicyMesh.Orders).Allowed);
        Assert.True(Plan("olivia").Allowed);
    }

    [Fact]
    public void Plan_Digest_ChangesWithTheMasks()
    {
        var clear = Plan("mallory", agreement: true);
        Mask("mask-pii", "MASK");
        var masked = Plan("mallory", agreement: true);

        Assert.Equal(16, clear.Digest.Length);
        Assert.NotEqual(clear.Digest, masked.Digest);
    }
}
