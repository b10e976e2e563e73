using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

public sealed class ApplyCommandTests
{
    [Fact]
    public void Apply_RetailExample_MaterializesEveryProductAndQuarantinesTheInvalidRows()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), target);

            var (exitCode, output, error) = CliRunner.Run("apply", target, "--yes", "--format", "json");

            Assert.True(exitCode == 0, error + output);
            using var json = JsonDocument.Parse(output);
            var datasets = json.RootElement.GetProperty("datasets").EnumerateArray().ToList();
            Assert.Equal(11, datasets.Count);
            Assert.All(datasets, d => Assert.True(d.GetProperty("published").GetInt64() > 0, d.ToString()));
            var profiles = Assert.Single(datasets, d => d.GetProperty("address").GetString() == "customers.profiles.profiles_v1");
            Assert.Equal(4, profiles.GetProperty("quarantined").GetInt64());
            Assert.Empty(json.RootElement.GetProperty("errors").EnumerateArray());

            var again = CliRunner.Run("apply", target, "--yes", "--format", "json");
            using var second = JsonDocument.Parse(again.Output);
            Assert.All(second.RootElement.GetProperty("datasets").EnumerateArray(), d => Assert.True(d.GetProperty("unchanged").GetBoolean()));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Apply_RepositoryWithLintErrors_ExitsTwo()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(CliRunner.BaseMesh, target);
            File.WriteAllText(Path.Combine(target, "people.yaml"), "not: [valid");

            Assert.Equal(2, CliRunner.Run("apply", target, "--yes").ExitCode);
            Assert.False(Directory.Exists(Path.Combine(target, ".mesh")));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public async Task Apply_NewProductAGlobalRowFilterCannotApplyTo_RefusesItAloneAndNobodyTheFilterTargetsReadsIt()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), target);
            // The customers domain's row filter uses row.country; this new product of the domain publishes no country.
            var folder = Path.Combine(target, "domains", "customers", "id_list");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "product.odps.yaml"), """
                apiVersion: v1.0.0
                kind: DataProduct
                id: customers.id_list
                name: Customer ids
                domain: customers
                status: active
                version: 1.0.0
                description:
                  purpose: Every customer number, for reconciliation.
                team:
                  name: team-customers
                inputPorts:
                  - name: profiles
                    version: 1.0.0
                    contractId: customers.profiles.profiles.v1
                outputPorts:
                  - name: ids
                    type: tables
                    version: 1.0.0
                    contractId: customers.id_list.ids.v1
                """);
            File.WriteAllText(Path.Combine(folder, "ids.odcs.yaml"), """
                apiVersion: v3.1.0
                kind: DataContract
                id: customers.id_list.ids.v1
                name: Customer ids
                version: 1.0.0
                status: active
                domain: customers
                dataProduct: id_list
                schema:
                  - name: ids
                    physicalType: table
                    properties:
                      - name: customer_id
                        logicalType: integer
                        physicalType: bigint
                        required: true
                """);
            File.WriteAllText(Path.Combine(folder, "transform.sql"), "SELECT customer_id FROM profiles");

            var lint = CliRunner.Run("lint", target);
            var (exitCode, output, error) = CliRunner.Run("apply", target, "--yes");

            Assert.Equal(1, lint.ExitCode);
            Assert.Contains("policy-not-applicable", lint.Output, StringComparison.Ordinal);
            Assert.Equal(1, exitCode);
            Assert.Contains("customers  2 applied; refused customers.id_list", output, StringComparison.Ordinal);
            Assert.Contains("sales      3 applied", output, StringComparison.Ordinal);
            Assert.Contains("mesh: customers.id_list: refused: policy 'marketing-analysts-own-country' (policies/marketing-analysts-own-country.policy.yaml:10) "
                + "cannot be applied to customers.id_list.ids_v1: row has no attribute 'country'", error, StringComparison.Ordinal);
            await using var store = await Meshwork.Platform.MeshworkPlatform.Create().OpenStoreAsync(Path.Combine(target, ".mesh"), TestContext.Current.CancellationToken);
            Assert.Null(await store.GetCurrentSnapshotAsync("customers.id_list.ids_v1", TestContext.Current.CancellationToken));
            Assert.NotNull(await store.GetCurrentSnapshotAsync("customers.customer_value.customer_value_v1", TestContext.Current.CancellationToken));
            Assert.NotNull(await store.GetCurrentSnapshotAsync("marketing.campaign_audience.audience_v1", TestContext.Current.CancellationToken));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Apply_DomainOnAnEngineThatCannotBeOpened_FailsThatDomainsProductsAndTheirConsumersOnly()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), target);
            File.AppendAllText(Path.Combine(target, "mesh.yaml"), "engines:\n  - name: warehouse\n    type: postgres\n    connection: \"host=127.0.0.1\"\n");
            File.AppendAllText(Path.Combine(target, "domains", "customers", "domain.yaml"), "engine: warehouse\n");

            var (exitCode, output, error) = CliRunner.Run("apply", target, "--yes");

            Assert.Equal(1, exitCode);
            Assert.Contains("mesh: customers.profiles: engine 'warehouse' (postgres) of domain 'customers' cannot be opened: ", error, StringComparison.Ordinal);
            Assert.Contains("customers  0 applied; skipped customers.customer_value; failed customers.profiles", output, StringComparison.Ordinal);
            Assert.Contains("marketing  1 applied; skipped marketing.campaign_audience", output, StringComparison.Ordinal);
            Assert.Contains("sales      3 applied", output, StringComparison.Ordinal);
            Assert.Contains("finance    3 applied", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }
}
