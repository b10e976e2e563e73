using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Planning;

/// <summary>Plans against a real SQLite store: each test applies the base mesh, edits it, and plans again.</summary>
public sealed class PlannerTests : IAsyncLifetime
{
    private const string Audience = "domains/marketing/audience/audience.odcs.yaml";

    private readonly TestMesh _mesh = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private IMetadataStore? _store;

    private IMetadataStore Store => _store!;

    public async ValueTask InitializeAsync() => _store = await SqliteMetadataStore.OpenAsync(_mesh.DataFolder, _time);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _mesh.Dispose();
    }

    private async Task<Plan> PlanAsync() => new Planner(_time).Plan(_mesh.Load(), await Store.GetAppliedStateAsync());

    private async Task<Plan> ApplyAsync()
    {
        var plan = await PlanAsync();
        await Store.RecordPlanAsync(plan);
        return plan;
    }

    [Fact]
    public async Task Plan_EmptyStore_CreatesEveryProductAndPublishesEveryPort()
    {
        var plan = await PlanAsync();

        Assert.False(plan.HasRefusals);
        Assert.Equal(3, plan.Changes.Count(c => c.Kind == ChangeKind.CreateProduct));
        Assert.Contains(plan.Changes, c => c.Kind == ChangeKind.PublishPort && c.Summary.Contains("marketing.audience.audience_v2", StringComparison.Ordinal));
        Assert.Contains(plan.Lineage, e => e.Upstream == "sales.orders.orders_v1" && e.Downstream == "marketing.audience");
        Assert.Contains(plan.Lineage, e => e.Upstream == "file:domains/sales/orders/data/orders.csv" && e.Downstream == "sales.orders");
    }

    [Fact]
    public async Task Plan_AfterApply_HasNothingToDo()
    {
        await ApplyAsync();

        Assert.True((await PlanAsync()).IsEmpty);
    }

    [Fact]
    public async Task Plan_OptionalColumnAdded_IsACompatibleChange()
    {
        await ApplyAsync();
        _mesh.Edit(Audience, "      - name: total\n", "      - name: segment\n        logicalType: string\n      - name: total\n");

        var change = Assert.Single((await PlanAsync()).Changes);

        Assert.Equal(ChangeKind.CompatibleChange, change.Kind);
        Assert.Contains(change.SchemaChanges, c => c.Description.Contains("'segment' added as optional", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("      - name: total\n        logicalType: number\n", "", "'total' removed")]
    [InlineData("      - name: total\n", "      - name: sum_total\n", "renamed to 'sum_total'")]
    [InlineData("      - name: total\n        logicalType: number\n", "      - name: total\n        logicalType: number\n        required: true\n", "optional → required")]
    [InlineData("      - name: total\n        logicalType: number\n", "      - name: total\n        logicalType: integer\n", "double → int64")]
    [InlineData("      - name: total\n        logicalType: number\n", "      - name: total\n        logicalType: number\n        logicalTypeOptions:\n          maximum: 10\n", "maximum 10 added")]
    public async Task Plan_BreakingChangeOnALivePort_IsRefusedWithTheFix(string from, string to, string expected)
    {
        await ApplyAsync();
        _mesh.Edit(Audience, from, to);

        var plan = await PlanAsync();

        var change = Assert.Single(plan.Changes, c => c.Refused);
        Assert.Equal(ChangeKind.BreakingChange, change.Kind);
        Assert.Contains(change.SchemaChanges, c => c.Breaking && c.Description.Contains(expected, StringComparison.Ordinal));
        Assert.Contains("3.0.0", change.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_BreakingChangeAsNewMajor_PublishesItBesideAndDeprecatesTheOld()
    {
        await ApplyAsync();
        _mesh.Edit(Audience, "      - name: total\n        logicalType: number\n", "      - name: total\n        logicalType: integer\n");
        _mesh.Edit(Audience, "version: 2.0.0", "version: 3.0.0");
        _mesh.Edit("domains/marketing/audience/product.odps.yaml", "version: 2.0.0", "version: 3.0.0");

        var plan = await PlanAsync();

        Assert.False(plan.HasRefusals);
        Assert.Contains(plan.Changes, c => c.Kind == ChangeKind.PublishPort && c.Major == 3 && c.Summary.Contains("audience_v3", StringComparison.Ordinal));
        var deprecate = Assert.Single(plan.Changes, c => c.Kind == ChangeKind.DeprecatePort);
        Assert.Equal(2, deprecate.Major);
        Assert.Contains("2027-02-23", deprecate.Summary, StringComparison.Ordinal); // 90 days after 2026-11-25

        await Store.RecordPlanAsync(plan);
        var ports = (await Store.GetAppliedStateAsync()).Ports.Where(p => p.ProductKey == "marketing.audience").ToList();
        Assert.Equal(PortStatus.Deprecated, Assert.Single(ports, p => p.Major == 2).Status);
        Assert.Equal(PortStatus.Live, Assert.Single(ports, p => p.Major == 3).Status);
    }

    [Fact]
    public async Task Plan_RefusedChange_IsNotRecorded()
    {
        await ApplyAsync();
        _mesh.Edit(Audience, "      - name: total\n        logicalType: number\n", "");

        await ApplyAsync();

        var schema = Assert.Single((await Store.GetAppliedStateAsync()).Datasets, d => d.Address == "marketing.audience.audience_v2").Schema;
        Assert.Contains(schema.Columns, c => c.Name == "total");
        Assert.True((await PlanAsync()).HasRefusals);
    }

    [Fact]
    public async Task Plan_DeprecatedContract_DeprecatesThePort()
    {
        await ApplyAsync();
        _mesh.Edit(Audience, "status: active", "status: deprecated");

        var change = Assert.Single((await PlanAsync()).Changes);

        Assert.Equal(ChangeKind.DeprecatePort, change.Kind);
    }

    [Fact]
    public async Task Plan_ProductRemoved_IsDropped()
    {
        await ApplyAsync();
        Directory.Delete(Path.Combine(_mesh.Root, "domains/marketing/audience"), recursive: true);

        var plan = await PlanAsync();

        var drop = Assert.Single(plan.Changes);
        Assert.Equal((ChangeKind.DropProduct, "marketing.audience"), (drop.Kind, drop.ProductKey));
        await Store.RecordPlanAsync(plan);
        Assert.True((await PlanAsync()).IsEmpty);
    }
}
