using DuckDB.NET.Data;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Tests.Pipelines;

public sealed class InputAccessTests : InputAccessTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store: the agreements are recorded and looked up there.</summary>
public sealed class InputAccessOnPostgresTests : InputAccessTests<PostgresTestStore>;

/// <summary>
/// An aggregate product's cross-team inputs stand on access agreements, and its pipeline reads upstream data
/// through its own access plan. The base fixture's marketing.audience reads customers.profiles and sales.orders.
/// </summary>
public abstract class InputAccessTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private const string Audience = "marketing.audience";
    private const string Profiles = "customers.profiles.profiles_v1";
    private const string UpstreamPolicy = "policies/pipelines-read-upstream.policy.yaml";

    private Task<ApplyResult> ApplyAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return Platform.ApplyAsync(Repo.Root, null);
    }

    private void Policy(string name, string body) =>
        File.WriteAllText(Path.Combine(Repo.Root, "policies", name + ".policy.yaml"), $"apiVersion: meshwork/v1\nkind: Policy\nname: {name}\n{body}");

    private async Task<List<(long Customer, double Total)>> AudienceRowsAsync(string dataFolder)
    {
        await using var store = await Platform.OpenStoreAsync(dataFolder);
        var snapshot = await store.GetCurrentSnapshotAsync("marketing.audience.audience_v2");
        Assert.NotNull(snapshot);
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT customer_id, total FROM read_parquet('{Path.Combine(dataFolder, snapshot.Snapshot, "*.parquet")}') ORDER BY 1";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, double)>();
        while (await reader.ReadAsync())
        {
            rows.Add((Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    [Fact]
    public async Task Apply_CrossTeamInputsPermittedByPolicy_GetActiveAgreementsThatAreLineageEdges()
    {
        var result = await ApplyAsync();

        Assert.Empty(result.Errors);
        await using var store = await Platform.OpenStoreAsync(result.DataFolder);
        var agreements = await store.ListAgreementsAsync("product:" + Audience, null);
        Assert.Equal(["customers.profiles.profiles_v1", "sales.orders.orders_v1"], agreements.Select(a => a.Dataset).Order(StringComparer.Ordinal));
        Assert.All(agreements, a => Assert.Equal(AgreementStatus.Active, a.Status));
        Assert.All(agreements, a => Assert.StartsWith("auto: permitted by policy 'pipelines-read-upstream'", a.DecidedBy, StringComparison.Ordinal));

        var again = await ApplyAsync();
        Assert.Equal(2, (await store.ListAgreementsAsync("product:" + Audience, null)).Count);
        Assert.All(again.Datasets, d => Assert.True(d.Unchanged));
    }

    [Fact]
    public async Task Plan_CrossTeamInputWithoutAgreementOrPolicy_IsShownMissingAndRefusesOnlyThatProduct()
    {
        File.Delete(Path.Combine(Repo.Root, UpstreamPolicy));

        var planned = await Platform.PlanAsync(Repo.Root, null);

        var missing = planned.Access.Where(a => !a.Plan.Allowed).ToList();
        Assert.Equal([Profiles, "sales.orders.orders_v1"], missing.Select(a => a.Dataset).Order(StringComparer.Ordinal));
        Assert.All(missing, a => Assert.Equal(Audience, a.Product));
        Assert.Contains("mesh access request", planned.Refused[Audience], StringComparison.Ordinal);
        Assert.Contains("--for marketing.audience", planned.Refused[Audience], StringComparison.Ordinal);
        Assert.Single(planned.Refused);

        var text = new StringWriter();
        Meshwork.Platform.Planning.PlanWriter.WriteText(planned, text);
        Assert.Contains("MISSING marketing.audience: input port", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_MissingAgreement_FilesOnePendingRequestAndRunsTheProductOnceTheOwnerApproves()
    {
        File.Delete(Path.Combine(Repo.Root, UpstreamPolicy));

        var first = await ApplyAsync();

        Assert.Contains(first.Errors, e => e.StartsWith(Audience + ": input port", StringComparison.Ordinal));
        Assert.DoesNotContain(first.Datasets, d => d.Address.StartsWith(Audience, StringComparison.Ordinal));
        Assert.Contains(first.Datasets, d => d.Address == Profiles);
        await ApplyAsync(); // a second apply does not file the requests again

        await using var served = await Platform.ServeAsync(new ServeOptions { DataFolder = first.DataFolder });
        var state = await served.StateAsync();
        var pending = await served.AgreementsAsync(state.Mesh.People.FindPrincipal("mallory")!);
        Assert.Equal(2, pending.Count(a => a.Consumer == "product:" + Audience && a.Status == AgreementStatus.Pending));

        foreach (var (owner, dataset) in new[] { ("olivia", Profiles), ("sam", "sales.orders.orders_v1") })
        {
            var request = pending.Single(a => a.Dataset == dataset);
            Assert.Equal(AgreementStatus.Active, (await served.DecideAsync(state.Mesh.People.FindPrincipal(owner)!, request.Id, AgreementStatus.Active, null)).Status);
        }

        var approved = await ApplyAsync();

        Assert.Empty(approved.Errors);
        Assert.Equal(2, (await AudienceRowsAsync(first.DataFolder)).Count);
    }

    [Fact]
    public async Task Run_UpstreamRowFilterForTheProduct_IsAppliedInsideTheEngine()
    {
        Policy("products-see-customer-one", """
            type: row_filter
            targets:
              domains: [customers]
            when: principal.kind == 'product'
            filter: row.customer_id == 1
            """);

        var result = await ApplyAsync();

        Assert.Empty(result.Errors);
        Assert.Equal([1L], (await AudienceRowsAsync(result.DataFolder)).Select(r => r.Customer));
    }

    [Fact]
    public async Task Run_UpstreamMaskForTheProduct_ReachesTheTransformMasked()
    {
        // The transform can only tell a masked email by using it: MASK_NULL turns every email into NULL.
        File.WriteAllText(Path.Combine(Repo.Root, "domains/marketing/audience/transform.sql"), """
            SELECT p.customer_id, SUM(CASE WHEN p.email IS NULL THEN 0 ELSE o.amount END) AS total
            FROM customers.profiles.profiles_v1 AS p
            JOIN sales.orders.orders_v1 AS o USING (customer_id)
            GROUP BY p.customer_id
            """);
        var clear = await ApplyAsync();
        Assert.Empty(clear.Errors);
        Assert.All(await AudienceRowsAsync(clear.DataFolder), r => Assert.NotEqual(0, r.Total));

        Policy("pii-hidden-from-products", """
            type: column_mask
            targets:
              tags: [pii]
            when: principal.kind == 'product'
            mask: MASK_NULL
            """);
        var masked = await ApplyAsync();

        Assert.Empty(masked.Errors);
        Assert.False(Assert.Single(masked.Datasets, d => d.Address == "marketing.audience.audience_v2").Unchanged, "a changed access plan re-runs the product");
        Assert.All(await AudienceRowsAsync(masked.DataFolder), r => Assert.Equal(0, r.Total));
    }

    [Fact]
    public async Task Apply_UpstreamDeniedByPolicy_RefusesTheProductWithTheReason()
    {
        await ApplyAsync();
        Policy("no-products-on-customers", """
            type: access
            targets:
              domains: [customers]
            when: principal.kind == 'product'
            effect: deny
            """);

        var result = await ApplyAsync();

        var error = Assert.Single(result.Errors);
        Assert.StartsWith(Audience + ": input port 'profiles' may not read " + Profiles, error, StringComparison.Ordinal);
        Assert.Contains("no-products-on-customers", error, StringComparison.Ordinal);
    }
}
