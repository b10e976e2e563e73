using Meshwork.Engines.Ir;
using Meshwork.Governance.Policies;
using Meshwork.Model;

namespace Meshwork.Governance.Tests.Policies;

public sealed class PolicySetTests : IDisposable
{
    private readonly PolicyMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public void Compile_MeshWithoutPolicies_IsEmpty()
    {
        var (_, policies) = _mesh.CompileClean();

        Assert.Empty(policies.Policies);
    }

    [Fact]
    public void Compile_RulePolicy_IsReadWithItsCheckAndMessage()
    {
        _mesh.Policy("policies", "has-owner", """
            type: rule
            description: Every product has an owner.
            check: resource.owner != ''
            message: Name an owner team.
            """);

        var policy = Assert.Single(_mesh.CompileClean().Policies.Policies);

        Assert.Equal(PolicyKind.Rule, policy.Kind);
        Assert.Equal(PolicyStatus.Enforced, policy.Status);
        Assert.Equal("resource.owner != ''", policy.Check?.Text);
        Assert.Equal("Name an owner team.", policy.Message);
        Assert.Equal("Every product has an owner.", policy.Description);
        Assert.Null(policy.When);
    }

    [Fact]
    public void Compile_AccessPolicy_IsReadWithItsEffect()
    {
        _mesh.Policy("policies", "no-contractors", """
            type: access
            effect: deny
            when: principal.clearance < 1
            """).Policy("policies", "analysts", """
            type: access
            effect: permit
            when: "'analyst' in principal.roles"
            """);

        var policies = _mesh.CompileClean().Policies.Policies.ToDictionary(p => p.Name);

        Assert.True(policies["no-contractors"].Deny);
        Assert.False(policies["analysts"].Deny);
        Assert.Equal(PolicyKind.Access, policies["analysts"].Kind);
        Assert.Equal("'analyst' in principal.roles", policies["analysts"].When?.Text);
    }

    [Theory]
    [InlineData("MASK", MaskKind.Mask)]
    [InlineData("MASK_SHOW_LAST_4", MaskKind.ShowLast4)]
    [InlineData("MASK_SHOW_FIRST_4", MaskKind.ShowFirst4)]
    [InlineData("MASK_HASH", MaskKind.Hash)]
    [InlineData("MASK_NULL", MaskKind.Null)]
    [InlineData("MASK_DATE_SHOW_YEAR", MaskKind.DateShowYear)]
    [InlineData("MASK_NONE", MaskKind.None)]
    public void Compile_ColumnMaskPolicy_ReadsItsMask(string mask, MaskKind expected)
    {
        _mesh.Policy("policies", "mask-pii", $"""
            type: column_mask
            targets:
              tags: [pii]
            mask: {mask}
            """);

        var policy = Assert.Single(_mesh.CompileClean().Policies.Policies);

        Assert.Equal(PolicyKind.ColumnMask, policy.Kind);
        Assert.Equal(new ColumnMask(expected), policy.Mask);
        Assert.Equal(["pii"], policy.Targets.Tags);
    }

    [Fact]
    public void Compile_CustomMask_KeepsItsExpression()
    {
        _mesh.Policy("policies", "mask-custom", """
            type: column_mask
            targets:
              classifications: [confidential]
            mask: CUSTOM
            expression: "upper({column})"
            """);

        var policy = Assert.Single(_mesh.CompileClean().Policies.Policies);

        Assert.Equal(new ColumnMask(MaskKind.Custom, "upper({column})"), policy.Mask);
    }

    [Fact]
    public void Compile_RowFilterPolicy_KeepsTheFilterText()
    {
        _mesh.Policy("policies", "own-country", """
            type: row_filter
            targets:
              domains: [customers]
            filter: row.country == principal.country
            """);

        var policy = Assert.Single(_mesh.CompileClean().Policies.Policies);

        Assert.Equal(PolicyKind.RowFilter, policy.Kind);
        Assert.Equal("row.country == principal.country", policy.Filter);
        Assert.Equal(["customers"], policy.Targets.Domains);
    }

    [Fact]
    public void Compile_FolderOfTheFile_SetsTheScope()
    {
        const string Body = """
            type: access
            effect: permit
            """;
        _mesh.Policy("policies", "global", Body).Policy("domains/sales", "domain", Body).Policy("domains/sales/orders", "product", Body);

        var policies = _mesh.CompileClean().Policies.Policies.ToDictionary(p => p.Name);

        Assert.Equal((PolicyScope.Global, null), (policies["global"].Scope, policies["global"].ScopeKey));
        Assert.Equal((PolicyScope.Domain, "sales"), (policies["domain"].Scope, policies["domain"].ScopeKey));
        Assert.Equal((PolicyScope.Product, "sales.orders"), (policies["product"].Scope, policies["product"].ScopeKey));
    }

    [Fact]
    public void Compile_GracePolicy_ReadsItsDate()
    {
        _mesh.Policy("policies", "soon", """
            type: access
            effect: deny
            status: grace
            until: "2030-06-01"
            """);

        var policy = Assert.Single(_mesh.CompileClean().Policies.Policies);

        Assert.Equal(PolicyStatus.Grace, policy.Status);
        Assert.Equal(new DateOnly(2030, 6, 1), policy.Until);
    }

    [Theory]
    [InlineData("draft", PolicyStatus.Draft)]
    [InlineData("deprecated", PolicyStatus.Deprecated)]
    [InlineData("enforced", PolicyStatus.Enforced)]
    public void Compile_Status_IsRead(string status, PolicyStatus expected)
    {
        _mesh.Policy("policies", "p", $"""
            type: access
            effect: deny
            status: {status}
            """);

        Assert.Equal(expected, Assert.Single(_mesh.CompileClean().Policies.Policies).Status);
    }

    [Fact]
    public void OfKind_LeavesOutDraftAndDeprecated()
    {
        foreach (var status in new[] { "draft", "deprecated", "enforced" })
        {
            _mesh.Policy("policies", status, $"""
                type: access
                effect: deny
                status: {status}
                """);
        }

        _mesh.Policy("policies", "grace", """
            type: access
            effect: deny
            status: grace
            until: "2030-01-01"
            """);

        var policies = _mesh.CompileClean().Policies;

        Assert.Equal(4, policies.Policies.Count);
        Assert.Equal(["enforced", "grace"], policies.OfKind(PolicyKind.Access).Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Empty(policies.OfKind(PolicyKind.Rule));
    }

    [Fact]
    public void Compile_UnknownDomainTarget_IsAPolicyTargetErrorAndTheFileIsLeftOut()
    {
        _mesh.Policy("policies", "finance-only", """
            type: access
            effect: deny
            targets:
              domains: [finance]
            """);

        var (_, policies, diagnostics) = _mesh.Compile();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("policy-target", diagnostic.Rule);
        Assert.Equal(Diagnostics.Severity.Error, diagnostic.Severity);
        Assert.Contains("domain 'finance'", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("finance-only.policy.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(7, diagnostic.Line);
        Assert.Empty(policies.Policies);
    }

    [Theory]
    [InlineData("products: [sales.invoices]", "product 'sales.invoices'")]
    [InlineData("datasets: [sales.orders.orders_v2]", "dataset 'sales.orders.orders_v2'")]
    public void Compile_UnknownProductOrDatasetTarget_IsAPolicyTargetError(string target, string named)
    {
        _mesh.Policy("policies", "p", $"""
            type: access
            effect: deny
            targets:
              {target}
            """);

        var diagnostic = Assert.Single(_mesh.Compile().Diagnostics);

        Assert.Equal("policy-target", diagnostic.Rule);
        Assert.Contains(named, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_KnownTargets_AreAccepted()
    {
        _mesh.Policy("policies", "p", $"""
            type: access
            effect: deny
            targets:
              domains: [customers]
              products: [customers.profiles]
              datasets: [{PolicyMesh.Profiles}]
            """);

        Assert.Single(_mesh.CompileClean().Policies.Policies);
    }

    [Fact]
    public void Compile_MaskWithoutTagsOrClassification_IsAPolicyTargetError()
    {
        _mesh.Policy("policies", "mask-everything", """
            type: column_mask
            targets:
              domains: [customers]
            mask: MASK
            """);

        var (_, policies, diagnostics) = _mesh.Compile();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("policy-target", diagnostic.Rule);
        Assert.Contains("selects no columns", diagnostic.Message, StringComparison.Ordinal);
        Assert.Empty(policies.Policies);
    }

    [Fact]
    public void Compile_RowFilterNamingAColumnATargetedDatasetLacks_RefusesThatDatasetsProductOnlyAndStaysInForce()
    {
        _mesh.Policy("policies", "own-country", """
            type: row_filter
            targets:
              domains: [customers, sales]
            filter: row.country == principal.country
            """);

        var (mesh, policies, diagnostics) = _mesh.Compile();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("policy-not-applicable", diagnostic.Rule);
        // Reported on the product it refuses, naming the policy's place, the dataset and the missing column.
        Assert.Equal(mesh.FindProduct("sales.orders")!.Location.File, diagnostic.File);
        Assert.Contains("policies/own-country.policy.yaml:7", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains(PolicyMesh.Orders, diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("no attribute 'country'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(["own-country"], policies.Policies.Select(p => p.Name));
    }

    [Fact]
    public void Compile_RowFilterThatFailsOverAnyRow_IsThePolicysOwnErrorAtItsColumn()
    {
        _mesh.Policy("policies", "own-country", """
            type: row_filter
            targets:
              domains: [customers, sales]
            filter: row.country == principal.contry
            """);

        var (_, policies, diagnostics) = _mesh.Compile();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("policy-expression", diagnostic.Rule);
        Assert.Contains("did you mean 'country'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(7, diagnostic.Line);
        Assert.Empty(policies.Policies);
    }

    [Fact]
    public void Compile_RowFilterInADomainFolder_IsCheckedOnlyAgainstThatDomainsDatasets()
    {
        _mesh.Policy("domains/customers", "own-country", """
            type: row_filter
            filter: row.country == principal.country
            """);

        Assert.Single(_mesh.CompileClean().Policies.Policies);
    }

    [Fact]
    public void Compile_RowFilterTargetingProductTags_IsCheckedOnlyAgainstTaggedProducts()
    {
        var product = Path.Combine(_mesh.Root, "domains/customers/profiles/product.odps.yaml");
        File.WriteAllText(product, File.ReadAllText(product).Replace("status: active\n", "status: active\ntags: [gold]\n", StringComparison.Ordinal));
        _mesh.Policy("policies", "gold-own-country", """
            type: row_filter
            targets:
              tags: [gold]
            filter: row.country == principal.country
            """);

        // Only customers.profiles is tagged gold, and only it has a country column: the policy applies to it alone.
        Assert.Single(_mesh.CompileClean().Policies.Policies);
    }

    [Fact]
    public void Compile_GlobalRowFilterOverEveryDataset_RefusesEachProductWhoseDatasetLacksTheColumn()
    {
        _mesh.Policy("policies", "own-country", """
            type: row_filter
            filter: row.country == principal.country
            """);

        var (mesh, policies, diagnostics) = _mesh.Compile();

        Assert.All(diagnostics, d => Assert.Equal("policy-not-applicable", d.Rule));
        // The profiles have a country; the orders and the audience do not.
        Assert.Equal(["marketing.audience", "sales.orders"],
            diagnostics.Select(d => mesh.Products.Single(p => p.Location.File == d.File).Key).Order(StringComparer.Ordinal));
        Assert.Single(policies.Policies);
    }

    [Fact]
    public void Compile_ConditionThatDoesNotTypeCheck_IsAPolicyExpressionErrorAtItsColumn()
    {
        _mesh.Policy("policies", "typo", """
            type: access
            effect: permit
            when: principal.contry == 'DE'
            """);

        var (_, policies, diagnostics) = _mesh.Compile();

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("policy-expression", diagnostic.Rule);
        Assert.Contains("did you mean 'country'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal(6, diagnostic.Line);
        Assert.Equal(17, diagnostic.Column);
        Assert.Empty(policies.Policies);
    }

    [Fact]
    public void Compile_RuleCheckOverAPrincipalsAttribute_UsesProductDeclarations()
    {
        _mesh.Policy("policies", "bad-rule", """
            type: rule
            check: resource.column == 'email'
            message: Never.
            """);

        var diagnostic = Assert.Single(_mesh.Compile().Diagnostics);

        Assert.Equal("policy-expression", diagnostic.Rule);
        Assert.Contains("'check'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_OneBrokenPolicy_KeepsTheOthers()
    {
        _mesh.Policy("policies", "broken", """
            type: access
            effect: permit
            when: principal.clearance == 'high'
            """).Policy("policies", "fine", """
            type: access
            effect: permit
            when: principal.clearance >= 2
            """);

        var (_, policies, diagnostics) = _mesh.Compile();

        Assert.Single(diagnostics);
        Assert.Equal("fine", Assert.Single(policies.Policies).Name);
    }
}
