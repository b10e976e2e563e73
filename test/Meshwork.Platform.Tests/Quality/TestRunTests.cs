using Meshwork.Loading;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Quality;

/// <summary><c>mesh test</c>: checks and SLOs on published data, with real DuckDB and SQLite.</summary>
public sealed class TestRunTests : IDisposable
{
    private const string Orders = "domains/sales/orders/orders.odcs.yaml";

    private readonly TestMesh _mesh = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly MeshworkPlatform _platform;

    public TestRunTests() => _platform = MeshworkPlatform.Create(m => m.UseTime(_time));

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Test_BeforeAnyApply_IsAUsageError() =>
        await Assert.ThrowsAsync<MeshworkException>(() => _platform.TestAsync(_mesh.Root, null, null));

    [Fact]
    public async Task Test_AfterApply_RunsTheChecksAndRecordsThem()
    {
        await _platform.ApplyAsync(_mesh.Root, null);

        var result = await _platform.TestAsync(_mesh.Root, null, "sales.orders");

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(("sales.orders.orders_v1", "passed"), (outcome.Address, outcome.Status));
        Assert.False(result.Failed);
    }

    [Fact]
    public async Task Test_StaleData_FailsTheFreshnessSlo()
    {
        _mesh.Edit(Orders, "schema:", "slaProperties:\n  - property: latency\n    value: 2\n    unit: h\nschema:");
        await _platform.ApplyAsync(_mesh.Root, null);

        Assert.False((await _platform.TestAsync(_mesh.Root, null, "sales.orders")).Failed);
        _time.Advance(TimeSpan.FromHours(3));
        var result = await _platform.TestAsync(_mesh.Root, null, "sales.orders");

        var slo = Assert.Single(result.Outcomes, o => o.Name.StartsWith("freshness", StringComparison.Ordinal));
        Assert.Equal("failed", slo.Status);
        Assert.Contains("3 h old (limit 2 h)", slo.Message, StringComparison.Ordinal);
        Assert.True(result.Failed);
    }

    [Fact]
    public async Task Test_FailingWarningCheck_DoesNotFail()
    {
        _mesh.Edit(Orders, "      - metric: duplicateValues", "      - metric: rowCount\n        mustBeGreaterThan: 100\n        severity: warning\n      - metric: duplicateValues");
        await _platform.ApplyAsync(_mesh.Root, null);

        var result = await _platform.TestAsync(_mesh.Root, null, "sales.orders");

        Assert.Contains(result.Outcomes, o => o.Status == "warned");
        Assert.False(result.Failed);
    }
}
