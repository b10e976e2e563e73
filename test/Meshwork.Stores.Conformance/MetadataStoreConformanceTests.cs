using Meshwork.Diagnostics;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Stores.Conformance;

/// <summary>
/// What every metadata store must do, tested through <see cref="IMetadataStoreProvider"/> and
/// <see cref="IMetadataStore"/> only: applied state, leases and fencing, runs, snapshots and pointers, checks,
/// agreements, the audit chain and the registry, with several store instances on one store at once (as several
/// processes are). A store's test project derives from this class and says how to make a fresh, empty store.
/// </summary>
public abstract partial class MetadataStoreConformanceTests : IAsyncLifetime
{
    private static readonly Lazy<Mesh> BaseMesh = new(LoadBaseMesh);

    private readonly List<IMetadataStore> _opened = [];
    private IMetadataStoreProvider? _provider;

    /// <summary>The clock every store instance of a test reads; it starts on a whole second, so every store keeps it exactly.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The data folder the stores are opened for (a store that keeps its state elsewhere ignores it).</summary>
    protected string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "meshwork-store-" + Guid.NewGuid().ToString("N"));

    protected IMetadataStoreProvider Provider => _provider ?? throw new InvalidOperationException("Not initialized.");

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The audit chain's key a store instance opened from now on reads (a test changes it to play a wrong key).</summary>
    protected byte[] AuditKey { get; set; } = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    /// <summary>
    /// A provider of a fresh, empty store for <see cref="DataFolder"/>, used by one test, keying the audit chain with
    /// <paramref name="auditKey"/> (as the composition root gives it).
    /// </summary>
    protected abstract Task<IMetadataStoreProvider> CreateProviderAsync(AuditKeySource auditKey, CancellationToken cancellationToken);

    /// <summary>Runs a statement on the store's database behind the store's back (someone with write access to it); returns the rows changed.</summary>
    protected abstract Task<int> ExecuteBehindTheStoreAsync(string sql, CancellationToken cancellationToken);

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(DataFolder);
        _provider = await CreateProviderAsync(_ => AuditKey, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }

        Directory.Delete(DataFolder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens one more instance of the test's store, as another process would; disposed with the test.</summary>
    protected async Task<IMetadataStore> OpenAsync()
    {
        var store = await Provider.OpenAsync(DataFolder, Time, Cancel);
        _opened.Add(store);
        return store;
    }

    /// <summary>A store instance with the base fixture mesh's plan recorded.</summary>
    protected async Task<IMetadataStore> AppliedAsync()
    {
        var store = await OpenAsync();
        await store.RecordPlanAsync(BasePlan(), Cancel);
        return store;
    }

    protected Plan BasePlan() => new Planner(Time).Plan(BaseMesh.Value, AppliedState.Empty);

    // ---- the provider --------------------------------------------------------------------------------------

    [Fact]
    public async Task Exists_BeforeAndAfterAnApply_IsFalseThenTrue()
    {
        Assert.False(Provider.Exists(DataFolder));

        var store = await AppliedAsync();
        await store.SetMetaAsync(MetaKeys.Applied, "stamp", Cancel);

        Assert.True(Provider.Exists(DataFolder));
    }

    [Fact]
    public async Task Open_Again_KeepsWhatWasRecorded()
    {
        await using (var first = await Provider.OpenAsync(DataFolder, Time, Cancel))
        {
            await first.RecordPlanAsync(BasePlan(), Cancel);
            await first.SetMetaAsync("k", "v", Cancel);
        }

        var again = await OpenAsync();

        Assert.Equal("v", await again.GetMetaAsync("k", Cancel));
        Assert.Equal(3, (await again.GetAppliedStateAsync(Cancel)).Products.Count);
    }

    // ---- applied state -------------------------------------------------------------------------------------

    [Fact]
    public async Task GetAppliedState_NothingRecorded_IsEmpty()
    {
        var store = await OpenAsync();

        var state = await store.GetAppliedStateAsync(Cancel);

        Assert.Empty(state.Products);
        Assert.Empty(state.Ports);
        Assert.Empty(state.Datasets);
        Assert.Empty(await store.GetLineageAsync(Cancel));
    }

    [Fact]
    public async Task RecordPlan_StoresProductsPortsDatasetsAndLineage()
    {
        var store = await AppliedAsync();

        var state = await store.GetAppliedStateAsync(Cancel);

        Assert.Equal(["customers.profiles", "marketing.audience", "sales.orders"], state.Products.Select(p => p.Key));
        Assert.All(state.Products, p => Assert.Equal(Time.GetUtcNow(), p.AppliedAt));
        Assert.Contains(state.Ports, p => p is { ProductKey: "marketing.audience", Name: "audience", Major: 2, Status: PortStatus.Live, SunsetAt: null });
        var orders = Assert.Single(state.Datasets, d => d.Address == "sales.orders.orders_v1");
        Assert.Equal(["order_id", "customer_id", "amount"], orders.Schema.Columns.Select(c => c.Name));
        Assert.True(orders.Schema.Columns[0].PrimaryKey);
        Assert.Equal((null, null), (orders.CurrentSnapshot, orders.PublishedAt));
        Assert.Contains(await store.GetLineageAsync(Cancel), e => e.Upstream == "customers.profiles.profiles_v1" && e.Downstream == "marketing.audience");
    }

    [Fact]
    public async Task RecordPlan_Twice_KeepsOneRowEachAndReplacesTheLineage()
    {
        var store = await AppliedAsync();
        var plan = BasePlan();

        await store.RecordPlanAsync(plan with { Lineage = [plan.Lineage[0]] }, Cancel);

        var state = await store.GetAppliedStateAsync(Cancel);
        Assert.Equal(3, state.Products.Count);
        Assert.Equal(state.Ports.Count, state.Ports.Select(p => (p.ProductKey, p.Name, p.Major)).Distinct().Count());
        Assert.Equal([plan.Lineage[0]], await store.GetLineageAsync(Cancel));
    }

    [Fact]
    public async Task RecordPlan_DeprecationAndDrop_SetStatusAndSunset()
    {
        var store = await AppliedAsync();
        var plan = BasePlan();
        var sunset = Time.GetUtcNow().AddDays(30);
        var audience = (await store.GetAppliedStateAsync(Cancel)).Ports.First(p => p.ProductKey == "marketing.audience");

        await store.RecordPlanAsync(plan with
        {
            Products = [],
            Ports = [],
            Changes =
            [
                new PlannedChange(ChangeKind.DeprecatePort, audience.ProductKey, audience.Name, audience.Major, "deprecate", []) { SunsetAt = sunset },
                new PlannedChange(ChangeKind.DropProduct, "sales.orders", null, null, "drop", []),
            ],
        }, Cancel);

        var ports = (await store.GetAppliedStateAsync(Cancel)).Ports;
        var deprecated = Assert.Single(ports, p => p.ProductKey == audience.ProductKey && p.Name == audience.Name && p.Major == audience.Major);
        Assert.Equal((PortStatus.Deprecated, sunset), (deprecated.Status, deprecated.SunsetAt));
        Assert.All(ports.Where(p => p.ProductKey == "sales.orders"), p => Assert.Equal((PortStatus.Dropped, Time.GetUtcNow()), (p.Status, p.SunsetAt)));
    }

    [Fact]
    public async Task GetContractDocument_AsApplied_OrNullWhenNeverApplied()
    {
        var store = await AppliedAsync();
        var port = BasePlan().Ports[0];

        Assert.Equal(port.Contract.Document.GetRawText(), await store.GetContractDocumentAsync(port.Contract.Id, port.Contract.Version, Cancel));
        Assert.Null(await store.GetContractDocumentAsync(port.Contract.Id, "99.0.0", Cancel));
        Assert.Null(await store.GetContractDocumentAsync("no-such-contract", port.Contract.Version, Cancel));
    }

    [Fact]
    public async Task Meta_SetAndOverwritten_ReadsTheNewestValue()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();

        Assert.Null(await first.GetMetaAsync(MetaKeys.Applied, Cancel));
        await first.SetMetaAsync(MetaKeys.Applied, "one", Cancel);
        await second.SetMetaAsync(MetaKeys.Applied, "two", Cancel);

        Assert.Equal("two", await first.GetMetaAsync(MetaKeys.Applied, Cancel));
    }

    // ---- runs ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Runs_StartedAndFinished_AreListedNewestFirstWithTheirOutcomeAndNode()
    {
        var store = await AppliedAsync();
        await store.StartRunAsync("run-1", "sales.orders", "node-1", Cancel);
        Time.Advance(TimeSpan.FromSeconds(5));
        await store.FinishRunAsync("run-1", succeeded: true, null, Cancel);
        await store.StartRunAsync("run-2", "sales.orders", "node-2", Cancel);
        await store.StartRunAsync("run-3", "sales.orders", "node-1", Cancel); // started in the same instant: still newest first
        await store.FinishRunAsync("run-3", succeeded: false, "boom", Cancel);
        await store.StartRunAsync("other", "customers.profiles", "node-1", Cancel);

        var runs = await store.GetRunsAsync("sales.orders", 10, Cancel);

        Assert.Equal(["run-3", "run-2", "run-1"], runs.Select(r => r.RunId));
        Assert.Equal(new RunRecord("run-1", "sales.orders", "succeeded", Time.GetUtcNow().AddSeconds(-5), Time.GetUtcNow(), null, "node-1"), runs[2]);
        Assert.Equal(("running", null, "node-2"), (runs[1].Status, runs[1].FinishedAt, runs[1].Node));
        Assert.Equal(("failed", "boom"), (runs[0].Status, runs[0].Failure));
        Assert.Equal(["run-3"], (await store.GetRunsAsync("sales.orders", 1, Cancel)).Select(r => r.RunId));
    }

    [Fact]
    public async Task FinishRun_OfARunAlreadyEnded_KeepsHowAndWhenItEnded()
    {
        // A run taken over (its lease lapsed) is ended by the run that took over; when the first one's process later
        // finishes, the ledger keeps the takeover, so that no two runs of a product overlap in it.
        var store = await AppliedAsync();
        var duration = TimeSpan.FromSeconds(15);
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", new LeaseHolder("a", "m", 1), "run-1", duration, cancellationToken: Cancel));
        await store.StartRunAsync("run-1", "sales.orders", "node-1", Cancel);
        Time.Advance(duration + TimeSpan.FromSeconds(1));
        Assert.True(await store.TryAcquireLeaseAsync("sales.orders", new LeaseHolder("b", "m", 2), "run-2", duration, cancellationToken: Cancel));
        var endedAt = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromSeconds(3));

        await store.FinishRunAsync("run-1", succeeded: true, null, Cancel);

        var run = Assert.Single(await store.GetRunsAsync("sales.orders", 10, Cancel));
        Assert.Equal(("failed", endedAt, Lease.LapsedFailure), (run.Status, run.FinishedAt, run.Failure));
    }

    [Fact]
    public async Task GetRunCounts_CountsEachProductsRunsByStatus()
    {
        var store = await AppliedAsync();
        foreach (var (run, product, outcome) in new[] { ("a", "sales.orders", true), ("b", "sales.orders", true), ("c", "sales.orders", false), ("d", "customers.profiles", true) })
        {
            await store.StartRunAsync(run, product, "node-1", Cancel);
            await store.FinishRunAsync(run, outcome, outcome ? null : "failed", Cancel);
        }

        await store.StartRunAsync("e", "customers.profiles", "node-1", Cancel);

        Assert.Equal(
            [("customers.profiles", "running", 1L), ("customers.profiles", "succeeded", 1L), ("sales.orders", "failed", 1L), ("sales.orders", "succeeded", 2L)],
            await store.GetRunCountsAsync(Cancel));
    }

    // ---- checks --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Checks_AreKeptAsHistoryNewestFirst()
    {
        var store = await AppliedAsync();
        var check = new Engines.Ir.QualityCheck("rowCount", Engines.Ir.QualityMetric.RowCount, [], [], null, new Engines.Ir.Threshold("mustBeGreaterThan", [0]), false,
            Severity.Error, SourceLocation.StartOf("x"));

        await store.RecordChecksAsync("run-1", "sales.orders.orders_v1", [new Engines.CheckOutcome(check, 0, Engines.CheckStatus.Failed, "rowCount: 0")], Cancel);
        Time.Advance(TimeSpan.FromHours(1));
        await store.RecordChecksAsync("run-2", "sales.orders.orders_v1",
            [new Engines.CheckOutcome(check, 5.5m, Engines.CheckStatus.Passed, "rowCount: 5.5"), new Engines.CheckOutcome(check, null, Engines.CheckStatus.Error, "no value")], Cancel);
        await store.RecordChecksAsync("run-2", "sales.orders.other_v1", [new Engines.CheckOutcome(check, 1, Engines.CheckStatus.Passed, "elsewhere")], Cancel);

        var history = await store.GetCheckHistoryAsync("sales.orders.orders_v1", 10, Cancel);

        Assert.Equal([("run-2", "error", null), ("run-2", "passed", 5.5m), ("run-1", "failed", 0m)], history.Select(h => (h.RunId, h.Status, h.Value)));
        Assert.Equal(new CheckRecord("run-1", "sales.orders.orders_v1", "rowCount", "failed", 0m, "rowCount: 0", Time.GetUtcNow().AddHours(-1)), history[2]);
        Assert.Single(await store.GetCheckHistoryAsync("sales.orders.orders_v1", 1, Cancel));
    }

    private static Mesh LoadBaseMesh()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        var root = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found above the test's folder."), "test", "fixtures", "meshes", "base");
        var result = MeshLoader.Load(root);
        var errors = result.Diagnostics.ToSortedList().Where(d => d.Severity == Severity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        return result.Mesh;
    }
}
