using Meshwork.Loading;

namespace Meshwork.Platform.Tests.Quality;

public sealed class TestRunTests : TestRunTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store: the snapshots tested and the outcomes are recorded there.</summary>
public sealed class TestRunOnPostgresTests : TestRunTests<PostgresTestStore>;

/// <summary><c>mesh test</c>: checks and SLOs on published data, with real DuckDB and the metadata store of <typeparamref name="TStore"/>.</summary>
public abstract class TestRunTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private const string Orders = "domains/sales/orders/orders.odcs.yaml";

    [Fact]
    public async Task Test_BeforeAnyApply_IsAUsageError() =>
        await Assert.ThrowsAsync<MeshworkException>(() => Platform.TestAsync(Repo.Root, null, null));

    [Fact]
    public async Task Test_AfterApply_RunsTheChecksAndRecordsThem()
    {
        await Platform.ApplyAsync(Repo.Root, null);

        var result = await Platform.TestAsync(Repo.Root, null, "sales.orders");

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(("sales.orders.orders_v1", "passed"), (outcome.Address, outcome.Status));
        Assert.False(result.Failed);
    }

    [Fact]
    public async Task Test_StaleData_FailsTheFreshnessSlo()
    {
        Repo.Edit(Orders, "schema:", "slaProperties:\n  - property: latency\n    value: 2\n    unit: h\nschema:");
        await Platform.ApplyAsync(Repo.Root, null);

        Assert.False((await Platform.TestAsync(Repo.Root, null, "sales.orders")).Failed);
        Time.Advance(TimeSpan.FromHours(3));
        var result = await Platform.TestAsync(Repo.Root, null, "sales.orders");

        var slo = Assert.Single(result.Outcomes, o => o.Name.StartsWith("freshness", StringComparison.Ordinal));
        Assert.Equal("failed", slo.Status);
        Assert.Contains("3 h old (limit 2 h)", slo.Message, StringComparison.Ordinal);
        Assert.True(result.Failed);
    }

    [Fact]
    public async Task Test_FailingWarningCheck_DoesNotFail()
    {
        Repo.Edit(Orders, "      - metric: duplicateValues", "      - metric: rowCount\n        mustBeGreaterThan: 100\n        severity: warning\n      - metric: duplicateValues");
        await Platform.ApplyAsync(Repo.Root, null);

        var result = await Platform.TestAsync(Repo.Root, null, "sales.orders");

        Assert.Contains(result.Outcomes, o => o.Status == "warned");
        Assert.False(result.Failed);
    }
}
