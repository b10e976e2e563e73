using Meshwork.Platform.Planning;
using Meshwork.Platform.Serving;

namespace Meshwork.Platform.Tests.Serving;

public sealed class DeprecatedPortTests : DeprecatedPortTests<SqliteTestStore>;

/// <summary>The same test on the PostgreSQL store: the deprecated port and its sunset are recorded there.</summary>
public sealed class DeprecatedPortOnPostgresTests : DeprecatedPortTests<PostgresTestStore>;

/// <summary>
/// A breaking change published as a new major version: the old version is deprecated, keeps serving its last
/// snapshot until its sunset (the product's meshwork.sunsetDays), then stops.
/// </summary>
public abstract class DeprecatedPortTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private const string Contract = "domains/marketing/audience/audience.odcs.yaml";
    private const string Product = "domains/marketing/audience/product.odps.yaml";

    private async Task ApplyAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        var result = await Platform.ApplyAsync(Repo.Root, null);
        Assert.Empty(result.Errors);
    }

    private static async Task<long> CountAsync(ServedMesh served, string address)
    {
        var mallory = (await served.StateAsync()).Mesh.People.FindPrincipal("mallory")!;
        await using var result = await served.ReadDatasetAsync(mallory, address, null, null, null, null);
        await result.StartAsync();
        await foreach (var _ in result.ReadAsync())
        {
        }

        return result.Rows;
    }

    [Fact]
    public async Task OldMajorVersion_KeepsServingUntilItsSunsetThenStops()
    {
        await ApplyAsync();
        // Ten days of grace from the product spec, instead of the default 90.
        Repo.Edit(Product, "outputPorts:", "customProperties:\n  - property: meshwork.sunsetDays\n    value: \"10\"\noutputPorts:");
        Repo.Edit(Contract, "      - name: total\n        logicalType: number\n", "      - name: total\n        logicalType: integer\n");
        Repo.Edit(Contract, "version: 2.0.0", "version: 3.0.0");
        Repo.Edit(Product, "version: 2.0.0", "version: 3.0.0");

        var planned = await Platform.PlanAsync(Repo.Root, null);
        var deprecation = Assert.Single(planned.Plan!.Changes, c => c.Kind == ChangeKind.DeprecatePort);
        Assert.Equal(Time.GetUtcNow().AddDays(10), deprecation.SunsetAt);
        await ApplyAsync();

        await using var served = await Platform.ServeAsync(new ServeOptions { DataFolder = Repo.DataFolder });
        var state = await served.StateAsync();
        Assert.Equal(2, await CountAsync(served, "marketing.audience.audience_v3"));
        Assert.Equal(2, await CountAsync(served, "marketing.audience.audience_v2"));
        var old = state.Catalog.FindDataset("marketing.audience.audience_v2");
        Assert.NotNull(old);

        Time.Advance(TimeSpan.FromDays(11));
        await ApplyAsync(); // a new applied stamp makes the served state reload

        await using var later = await Platform.ServeAsync(new ServeOptions { DataFolder = Repo.DataFolder });
        Assert.Null((await later.StateAsync()).Catalog.FindDataset("marketing.audience.audience_v2"));
        Assert.NotNull((await later.StateAsync()).Catalog.FindDataset("marketing.audience.audience_v3"));
    }
}
