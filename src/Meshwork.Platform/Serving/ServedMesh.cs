using System.Globalization;
using Meshwork.Engines;
using Meshwork.Governance;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Catalog;
using Meshwork.Platform.Governing;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Quality;
using Meshwork.Platform.Security;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Serving;

/// <summary>The applied mesh as served at one moment: the model, the catalog, the access planner.</summary>
public sealed record ServedState(Mesh Mesh, CatalogIndex Catalog, MeshGovernance Governance, string AppliedStamp)
{
    /// <summary>What privacy asks of each served dataset (subject keys, retention), by address; empty when the mesh names no consent dataset.</summary>
    public IReadOnlyDictionary<string, Privacy.DatasetPrivacy> Privacy { get; init; } = new Dictionary<string, Privacy.DatasetPrivacy>();

    /// <summary>Every served dataset compiled from its contract (columns and their types), by address in order.</summary>
    public IReadOnlyDictionary<string, Engines.Ir.DatasetSpec> Specs { get; init; } = new Dictionary<string, Engines.Ir.DatasetSpec>();

    /// <summary>
    /// The access plan of one principal reading one published dataset for a purpose. An active agreement whose purpose
    /// is that purpose permits the read; when it names columns, only those are readable.
    /// </summary>
    public AccessPlan Plan(Principal principal, string address, string? purpose, string channel, IReadOnlyList<Agreement>? active = null) =>
        Governance.Plan(principal, address, new AccessRequest(purpose, channel), active ?? [])
            ?? throw new ServingException(ServingError.NotFound, $"No dataset '{address}' is published.");
}

/// <summary>The ports a read comes through, as policies see them in <c>request.channel</c> (DESIGN.md §6).</summary>
public static class ReadChannels
{
    public const string Http = "http";
    public const string Sql = "sql";
    public const string PgWire = "pgwire";
    public const string Flight = "flight";
    public const string Mcp = "mcp";
    public const string Ui = "ui";
}

/// <summary>A dataset's published state: its current snapshot, latest checks and SLOs.</summary>
public sealed record DatasetStatus(
    string Address,
    SnapshotRecord? Snapshot,
    IReadOnlyList<CheckRecord> Checks,
    IReadOnlyList<SloStatus> Slos)
{
    /// <summary>passed, failed, warned, or unknown (never checked).</summary>
    public string Quality => Checks.Count == 0 ? "unknown"
        : Checks.Any(c => c.Status is "failed" or "error") ? "failed"
        : Checks.Any(c => c.Status == "warned") ? "warned" : "passed";
}

public sealed record SloStatus(string Slo, string Status, TimeSpan? Age, TimeSpan Limit, string Message);

/// <summary>
/// The facade the server calls (DESIGN.md §5): the applied mesh served read-mostly, loaded from the metadata store
/// (never from a checkout). Any number of servers and CLIs may use one store and data folder at once; the served
/// state follows the latest apply, reloaded in the background (a request never waits for a load).
/// </summary>
public sealed partial class ServedMesh : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly EngineRegistry _engines;
    private readonly TimeProvider _time;
    private readonly ServeOptions _options;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly byte[] _maskKey;
    private readonly Privacy.Objections _objections;
    private readonly IKeyProvider _keys;
    private readonly Lineage.LineageEmitter? _lineage;
    private readonly ReadLimiter _reads;
    private readonly ConsumerLimits _limits;
    private Registry.SchemaRegistry? _registry;
    private readonly ITimer _refresher;
    private volatile ServedState _state;
    private volatile bool _disposed;

    private ServedMesh(IMetadataStore store, EngineRegistry engines, IKeyProvider keys, TimeProvider time, ServeOptions options, TokenService tokens, ServedState state,
        Lineage.LineageEmitter? lineage)
    {
        _lineage = lineage;
        _store = store;
        _engines = engines;
        _time = time;
        _options = options;
        Tokens = tokens;
        _state = state;
        _keys = keys;
        _maskKey = keys.Key(PlatformKey.MaskHash, options.DataFolder);
        _objections = new Privacy.Objections(store, engines, options.DataFolder);
        _reads = new ReadLimiter(options.MaxConcurrentReads, options.MaxConcurrentReadsPerPrincipal);
        _limits = new ConsumerLimits
        {
            MemoryBytes = options.SessionMemoryBytes, Threads = options.SessionThreads, MaxGeneratedRows = options.MaxGeneratedRows, Timeout = options.ReadTimeout,
        };
        _refresher = time.CreateTimer(_ => _ = RefreshInBackgroundAsync(), null, options.RefreshInterval, options.RefreshInterval);
    }

    public string DataFolder => _options.DataFolder;

    /// <summary>Seconds a caller refused for too many reads at once should wait before retrying.</summary>
    public static int RetryAfterSeconds => (int)ReadLimiter.RetryAfter.TotalSeconds;

    /// <summary>Why the last background reload failed (the previous state is still served), or null when it did not.</summary>
    public string? RefreshFailure { get; private set; }

    public TokenService Tokens { get; }

    public IMetadataStore Store => _store;

    /// <summary>The schema registry, kept in the same store.</summary>
    public Registry.SchemaRegistry Registry => _registry ??= new Registry.SchemaRegistry(_store.Registry);

    public TimeProvider Time => _time;

    /// <summary>
    /// Opens the applied mesh of a store and data folder; fails with a clear message when nothing was applied there. The
    /// product runs it starts report to <paramref name="lineage"/> (none when null).
    /// </summary>
    public static async Task<ServedMesh> OpenAsync(ServeOptions options, TimeProvider time, EngineRegistry engines, IMetadataStoreProvider stores, IKeyProvider keys,
        Lineage.LineageEmitter? lineage = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = Path.GetFullPath(options.DataFolder);
        if (!stores.Exists(data))
        {
            throw new MeshworkException($"Nothing is applied in '{data}'; run 'mesh apply' (or 'mesh up') on a repository first.");
        }

        options = options with { DataFolder = data };
        foreach (var (name, value) in new (string, long)[]
        {
            (nameof(options.MaxConcurrentReads), options.MaxConcurrentReads), (nameof(options.MaxConcurrentReadsPerPrincipal), options.MaxConcurrentReadsPerPrincipal),
            (nameof(options.SessionMemoryBytes), options.SessionMemoryBytes), (nameof(options.SessionThreads), options.SessionThreads),
            (nameof(options.MaxGeneratedRows), options.MaxGeneratedRows), (nameof(options.MaxRows), options.MaxRows), (nameof(options.MaxBytes), options.MaxBytes),
        })
        {
            if (value < 1)
            {
                throw new MeshworkException($"Meshwork:{name} must be at least 1 (it is {value}); see docs/security.md for its default.");
            }
        }

        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            throw new MeshworkException($"Meshwork:RefreshInterval must be more than zero (it is {options.RefreshInterval}); the default is {new ServeOptions { DataFolder = data }.RefreshInterval}.");
        }

        if (options.LeaseDuration < RunLease.MinimumDuration)
        {
            throw new MeshworkException($"The run lease duration must be at least {RunLease.MinimumDuration.TotalSeconds:0} s (it is {options.LeaseDuration}); the default is {RunLease.DefaultDuration.TotalSeconds:0} s.");
        }

        var store = await stores.OpenAsync(data, time, cancellationToken).ConfigureAwait(false);
        try
        {
            // Runs of a process that died (this server before a restart, often with the same PID) end now, and their products run again.
            await RunLease.EndAbandonedRunsAsync(store, data, cancellationToken).ConfigureAwait(false);
            var state = await LoadAsync(store, data, time, cancellationToken).ConfigureAwait(false);
            return new ServedMesh(store, engines, keys, time, options, TokenService.Open(keys, data, time), state, lineage);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The served state: the applied mesh as last loaded (checked for a newer apply every <see cref="ServeOptions.RefreshInterval"/>).</summary>
    public Task<ServedState> StateAsync(CancellationToken cancellationToken = default) => Task.FromResult(_state);

    /// <summary>
    /// Loads the newest apply now when the served state is older, and returns the served state. A failed load keeps
    /// the previous state served and says why in <see cref="RefreshFailure"/>.
    /// </summary>
    /// <exception cref="MeshworkException">The newest apply cannot be loaded.</exception>
    public async Task<ServedState> RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stamp = await _store.GetMetaAsync(MetaKeys.Applied, cancellationToken).ConfigureAwait(false) ?? string.Empty;
            if (stamp != _state.AppliedStamp)
            {
                _state = await LoadAsync(_store, DataFolder, _time, cancellationToken).ConfigureAwait(false);
            }

            RefreshFailure = null;
            return _state;
        }
        catch (Exception e) when (e is MeshworkException or StorageUnavailableException)
        {
            RefreshFailure = e.Message;
            throw;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The timer's refresh: skipped while one runs; a failure is kept in <see cref="RefreshFailure"/>, never thrown.</summary>
    private async Task RefreshInBackgroundAsync()
    {
        if (_refresh.CurrentCount == 0 || _disposed)
        {
            return;
        }

        try
        {
            await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MeshworkException or StorageUnavailableException or ObjectDisposedException)
        {
            // Kept in RefreshFailure (health reports it); the previous state goes on being served.
        }
    }

    /// <summary>The principal of people.yaml with this id, or null.</summary>
    public async Task<Principal?> FindPrincipalAsync(string id, CancellationToken cancellationToken = default) =>
        (await StateAsync(cancellationToken).ConfigureAwait(false)).Mesh.People.FindPrincipal(id);

    /// <summary>
    /// Whether <paramref name="principal"/> may read the per-dataset metrics: exact row, quarantine and served counts
    /// of every dataset (rows a row filter hides included) and the runs of every product. Admins and principals with
    /// the <c>metrics</c> role (the monitoring service that scrapes) may; process and HTTP metrics are for anyone.
    /// </summary>
    public static bool MayReadDatasetMetrics(Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.Roles.Contains("admin") || principal.Roles.Contains("metrics");
    }

    /// <summary>A dataset's rows as <paramref name="principal"/> may see them over HTTP: a governed read of selected columns, paged.</summary>
    public Task<GovernedResult> ReadDatasetAsync(Principal principal, string address, IReadOnlyList<string>? columns, long? limit, long? offset, string? purpose,
        CancellationToken cancellationToken = default) =>
        ReadAsync(ReadRequest.Read(principal, ReadChannels.Http, address) with { Columns = columns, Limit = limit, Offset = offset, Purpose = purpose }, cancellationToken);

    /// <summary>A consumer's SQL over datasets (<see cref="ReadRequest.Query"/>) through the SQL port.</summary>
    public Task<GovernedResult> QueryAsync(Principal principal, string sql, string? purpose, CancellationToken cancellationToken = default) =>
        ReadAsync(ReadRequest.Query(principal, ReadChannels.Sql, sql) with { Purpose = purpose }, cancellationToken);

    /// <summary>
    /// The governed reader every port calls: it decides everything about a read (the caller's access plan for each
    /// dataset, agreement and purpose, the limits, where it runs, its audit record) and returns it ready to stream.
    /// A query is parsed by the engine (one SELECT, no table functions) and every dataset it names is planned; the
    /// read runs in a session holding only the governed views. The port authenticates and encodes, nothing more.
    /// </summary>
    public async Task<GovernedResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limits = LimitsOf(request.Limits);
        return request.Dataset is { } address
            ? await ReadDatasetAsync(request, address, limits, cancellationToken).ConfigureAwait(false)
            : await QueryAsync(request, limits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The limits of one read: the server's, lowered where the port asks for less.</summary>
    private ReadLimits LimitsOf(ReadLimits asked)
    {
        foreach (var (name, value) in new (string, long?)[] { ("rows", asked.MaxRows), ("bytes", asked.MaxBytes), ("first rows", asked.FirstRows) })
        {
            if (value < 1)
            {
                throw new ServingException(ServingError.BadRequest, $"A read's limit of {name} must be at least 1 (it is {value}).");
            }
        }

        if (asked.Timeout <= TimeSpan.Zero)
        {
            throw new ServingException(ServingError.BadRequest, $"A read's time limit must be more than zero (it is {asked.Timeout}).");
        }

        return new ReadLimits(
            Math.Min(asked.MaxRows ?? long.MaxValue, _options.MaxRows),
            Math.Min(asked.MaxBytes ?? long.MaxValue, _options.MaxBytes),
            asked.Timeout is { } t && t < _options.ReadTimeout ? t : _options.ReadTimeout,
            asked.FirstRows);
    }

    private async Task<GovernedResult> ReadDatasetAsync(ReadRequest request, string address, ReadLimits limits, CancellationToken cancellationToken)
    {
        var principal = request.Principal;
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var dataset = state.Catalog.FindDataset(address) ?? throw new ServingException(ServingError.NotFound, $"No dataset '{address}' is published.");
        var plan = state.Plan(principal, address, request.Purpose, request.Channel, await ActiveAgreementsAsync(principal, address, cancellationToken).ConfigureAwait(false));
        if (!plan.Allowed)
        {
            await AuditDeniedAsync(principal, "read", address, request.Purpose, plan, cancellationToken).ConfigureAwait(false);
            throw new ServingException(ServingError.Forbidden, plan.Reason);
        }

        var selected = request.Columns is { Count: > 0 } columns ? columns : plan.Columns;
        var unknown = selected.Where(c => !dataset.Columns.Any(d => d.Name == c)).ToList();
        if (unknown.Count > 0)
        {
            throw new ServingException(ServingError.BadRequest, $"{address} has no column {string.Join(", ", unknown.Select(u => $"'{u}'"))}; its columns are {string.Join(", ", dataset.Columns.Select(c => c.Name))}.");
        }

        if (request.Limit < 0 || request.Offset < 0)
        {
            throw new ServingException(ServingError.BadRequest, "limit and offset must not be negative.");
        }

        // Only columns the plan allows are in the governed view; asking for another is the same as a missing one.
        var hidden = selected.Where(c => !plan.Columns.Contains(c)).ToList();
        if (hidden.Count > 0)
        {
            throw new ServingException(ServingError.Forbidden, $"The access plan does not allow column {string.Join(", ", hidden.Select(h => $"'{h}'"))} of {address}.");
        }

        var sql = $"SELECT {string.Join(", ", selected.Select(Quote))} FROM {string.Join('.', address.Split('.').Select(Quote))}"
            + (request.Limit is { } l ? string.Create(CultureInfo.InvariantCulture, $" LIMIT {l}") : string.Empty)
            + (request.Offset is { } o ? string.Create(CultureInfo.InvariantCulture, $" OFFSET {o}") : string.Empty);
        return await OpenAsync(state, request, "read", sql, sql, [plan], limits, _reads.Acquire(principal.Id), null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<GovernedResult> QueryAsync(ReadRequest request, ReadLimits limits, CancellationToken cancellationToken)
    {
        var (principal, purpose, sql) = (request.Principal, request.Purpose, request.Sql);
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ServingException(ServingError.BadRequest, "The query is empty; send {\"sql\": \"SELECT ...\"}.");
        }

        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var permit = _reads.Acquire(principal.Id);
        IQueryEngine? session = null;
        try
        {
            // One session parses the query and then serves it: the views are added once the query is known.
            session = await OpenEngineAsync(cancellationToken).ConfigureAwait(false);
            QueryInspection inspection;
            try
            {
                inspection = await session.InspectQueryAsync(sql, _limits, cancellationToken).ConfigureAwait(false);
            }
            catch (QueryRefusedException e)
            {
                throw await RefusedAsync(principal, purpose, e.Message, e, cancellationToken).ConfigureAwait(false);
            }

            if (inspection.Datasets.Count == 0)
            {
                throw await RefusedAsync(principal, purpose, "The query reads no dataset: name at least one by its address (domain.product.object_vN).", null, cancellationToken)
                    .ConfigureAwait(false);
            }

            var plans = new List<AccessPlan>();
            foreach (var address in inspection.Datasets)
            {
                _ = state.Catalog.FindDataset(address) ?? throw new ServingException(ServingError.NotFound, $"No dataset '{address}' is published.");
                var plan = state.Plan(principal, address, purpose, request.Channel, await ActiveAgreementsAsync(principal, address, cancellationToken).ConfigureAwait(false));
                if (!plan.Allowed)
                {
                    await AuditDeniedAsync(principal, "query", address, purpose, plan, cancellationToken).ConfigureAwait(false);
                    throw new ServingException(ServingError.Forbidden, plan.Reason);
                }

                plans.Add(plan);
            }

            return await OpenAsync(state, request, "query", sql, inspection.Sql, plans, limits, permit, session, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            permit.Dispose();
            throw;
        }
    }

    /// <summary>Records a refused query (nothing was read: the record says what was refused and why, never that a read of nothing happened).</summary>
    private async Task<ServingException> RefusedAsync(Principal principal, string? purpose, string reason, Exception? inner, CancellationToken cancellationToken)
    {
        await _store.AppendAuditAsync(new AuditEntry(principal.Id, "query", "(refused)", purpose, null, null, "refused", reason), cancellationToken).ConfigureAwait(false);
        return new ServingException(ServingError.BadRequest, reason, inner);
    }

    /// <summary>Each dataset's published state: snapshot, latest checks, SLOs measured on the publish time.</summary>
    public async Task<IReadOnlyList<DatasetStatus>> StatusAsync(CatalogEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var statuses = new List<DatasetStatus>();
        foreach (var dataset in entry.Datasets)
        {
            var snapshot = await _store.GetCurrentSnapshotAsync(dataset.Address, cancellationToken).ConfigureAwait(false);
            var history = await _store.GetCheckHistoryAsync(dataset.Address, 200, cancellationToken).ConfigureAwait(false);
            var latest = history.Count == 0 ? [] : history.Where(h => h.RunId == history[0].RunId).ToList();
            var slos = new List<SloStatus>();
            if (state.Mesh.FindContract(dataset.ContractId) is { } contract)
            {
                foreach (var slo in Slo.Of(contract, dataset.ObjectName).Where(s => s.Property == "freshness"))
                {
                    var age = snapshot is null ? (TimeSpan?)null : _time.GetUtcNow() - snapshot.CreatedAt;
                    var status = age is null ? "unknown" : age <= slo.Limit ? "passed" : "failed";
                    slos.Add(new SloStatus(slo.Text, status, age, slo.Limit,
                        age is { } a ? $"published {Slo.Show(a)} ago (limit {Slo.Show(slo.Limit)})" : "not published yet"));
                }
            }

            statuses.Add(new DatasetStatus(dataset.Address, snapshot, latest, slos));
        }

        return statuses;
    }

    /// <summary>
    /// Runs one product's pipeline now (the product's control port). Refused while the repository has changes
    /// that are not applied: a run publishes what was applied, never unreviewed edits.
    /// </summary>
    public async Task<IReadOnlyList<DatasetRun>> RunProductAsync(string productKey, CancellationToken cancellationToken = default)
    {
        // A run runs the newest apply, even one the timer has not loaded yet; never an older one when the newest does not load.
        ServedState state;
        try
        {
            state = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MeshworkException e)
        {
            throw new ServingException(ServingError.Conflict, $"{productKey} cannot run now: {e.Message}", e);
        }

        var product = state.Mesh.FindProduct(productKey) ?? throw new ServingException(ServingError.NotFound, $"No product '{productKey}'.");
        var plan = await PlanAsync(state, cancellationToken).ConfigureAwait(false);
        if (plan.Changes.Any(c => c.ProductKey == product.Key))
        {
            throw new ServingException(ServingError.Conflict,
                $"{product.Key} is applied differently from the applied mesh: an apply is under way (try again when it has finished) or stopped midway (run 'mesh apply' again).");
        }

        var ports = plan.Ports.Where(p => p.Product.Key == product.Key && !p.Deprecated).ToList();
        var runner = new PipelineRunner(_store, _engines, _time, _keys, DataFolder, leaseDuration: _options.LeaseDuration, node: _options.Node, lineage: _lineage);
        try
        {
            return await runner.RunAsync(state.Governance, product, ports, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineException e) when (e.Message.Contains("another process", StringComparison.Ordinal))
        {
            throw new ServingException(ServingError.Conflict, e.Message, e);
        }
    }

    /// <summary>The served mesh planned against what the store has applied: the ports pipelines and privacy jobs act on.</summary>
    private async Task<Plan> PlanAsync(ServedState state, CancellationToken cancellationToken) =>
        new Planner(_time).Plan(state.Mesh, await _store.GetAppliedStateAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Ends as failed the runs whose process is gone (their lease lapsed, or their holder on this machine died); how many.</summary>
    public Task<int> EndAbandonedRunsAsync(CancellationToken cancellationToken = default) => RunLease.EndAbandonedRunsAsync(_store, DataFolder, cancellationToken);

    /// <summary>
    /// Requests access to a dataset for a purpose (optionally some columns, until a date). Approved at once when
    /// the principal may already read it (owning team, admin, or an access policy); pending for the owning team
    /// otherwise.
    /// </summary>
    public Task<Agreement> RequestAccessAsync(Principal principal, string address, string? purpose, IReadOnlyList<string>? columns, DateOnly? endsOn,
        CancellationToken cancellationToken = default) =>
        RequestAccessAsync(principal, address, purpose, columns, endsOn, null, cancellationToken);

    /// <summary>
    /// Requests access like <see cref="RequestAccessAsync(Principal, string, string?, IReadOnlyList{string}?, DateOnly?, CancellationToken)"/>;
    /// with <paramref name="forProduct"/> the consumer is that product (whose pipeline then reads under the
    /// agreement), and only the product's team and admins may ask.
    /// </summary>
    public async Task<Agreement> RequestAccessAsync(Principal principal, string address, string? purpose, IReadOnlyList<string>? columns, DateOnly? endsOn,
        string? forProduct, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var requester = principal;
        if (forProduct is not null)
        {
            var product = state.Mesh.FindProduct(forProduct) ?? throw new ServingException(ServingError.NotFound, $"No product '{forProduct}'.");
            if (!principal.Roles.Contains("admin") && (principal.Team is null || principal.Team != product.OwnerTeam))
            {
                throw new ServingException(ServingError.Forbidden, $"'{principal.Id}' may not request access for {product.Key}: that is for its team {product.OwnerTeam ?? "(none)"} and admins.");
            }

            principal = Principal.ForProduct(product);
        }

        var dataset = state.Catalog.FindDataset(address) ?? throw new ServingException(ServingError.NotFound, $"No dataset '{address}' is published.");
        if (string.IsNullOrWhiteSpace(purpose))
        {
            throw new ServingException(ServingError.BadRequest, "An access request needs a purpose: what will the data be used for?");
        }

        if (state.Mesh.FindProduct(dataset.ProductKey) is { } owner && Purposes.AllowedFor(owner) is { } allowed && !allowed.Any(p => Purposes.Same(p, purpose)))
        {
            throw new ServingException(ServingError.Forbidden,
                $"{owner.Key} says its data may be used for {Purposes.List(allowed)} only ({Purposes.AllowedProperty}); '{purpose.Trim()}' is not one of them.");
        }

        var unknown = (columns ?? []).Where(c => dataset.Columns.All(d => d.Name != c)).ToList();
        if (unknown.Count > 0)
        {
            throw new ServingException(ServingError.BadRequest, $"{address} has no column {string.Join(", ", unknown.Select(u => $"'{u}'"))}.");
        }

        var today = Today;
        if (endsOn is { } end && end < today)
        {
            throw new ServingException(ServingError.BadRequest, $"The end date {end:yyyy-MM-dd} is in the past.");
        }

        var plan = state.Plan(principal, address, purpose, "agreement");
        var now = _time.GetUtcNow();
        var agreement = Agreement.Requested(principal.Id, address, purpose.Trim(), columns, endsOn, plan, now);
        await _store.AddAgreementAsync(agreement, cancellationToken).ConfigureAwait(false);
        await _store.AppendAuditAsync(new AuditEntry(requester.Id, "access-request", address, purpose, plan.Digest, null,
            agreement.Status.ToString().ToLowerInvariant(), requester == principal ? agreement.Id : $"{agreement.Id} for {principal.Id}"), cancellationToken).ConfigureAwait(false);
        return agreement;
    }

    /// <summary>The agreements a principal may see: admins all; others their own, their team's products' and those on their team's datasets.</summary>
    public async Task<IReadOnlyList<Agreement>> AgreementsAsync(Principal principal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var all = await _store.ListAgreementsAsync(null, null, cancellationToken).ConfigureAwait(false);
        return principal.Roles.Contains("admin") ? all
            : [.. all.Where(a => a.Consumer == principal.Id || ConsumerTeam(state, a) is { } team && team == principal.Team
                || OwnerOf(state, a.Dataset) is { } owner && owner == principal.Team)];
    }

    /// <summary>
    /// Approves or rejects a pending request (the owning team or an admin), or revokes an active agreement (also
    /// its consumer). A decision someone else made first is a conflict.
    /// </summary>
    public async Task<Agreement> DecideAsync(Principal principal, string id, AgreementStatus decision, string? reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var agreement = await _store.GetAgreementAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ServingException(ServingError.NotFound, $"No access agreement '{id}'.");
        var owner = OwnerOf(state, agreement.Dataset);
        var owns = principal.Roles.Contains("admin") || (principal.Team is not null && principal.Team == owner);
        var (from, allowed) = decision switch
        {
            AgreementStatus.Active or AgreementStatus.Rejected => (AgreementStatus.Pending, owns),
            AgreementStatus.Revoked => (AgreementStatus.Active, owns || principal.Id == agreement.Consumer
                || (principal.Team is not null && ConsumerTeam(state, agreement) == principal.Team)),
            _ => throw new ServingException(ServingError.BadRequest, "A decision approves, rejects or revokes."),
        };
        var verb = decision switch { AgreementStatus.Active => "approve", AgreementStatus.Rejected => "reject", _ => "revoke" };
        if (!allowed)
        {
            throw new ServingException(ServingError.Forbidden, $"'{principal.Id}' may not {verb} agreement {id}: that is for {owner ?? "the owning team"} and admins.");
        }

        if (decision == AgreementStatus.Rejected && string.IsNullOrWhiteSpace(reason))
        {
            throw new ServingException(ServingError.BadRequest, "A rejection needs a reason the requester can act on.");
        }

        if (!await _store.DecideAgreementAsync(id, from, decision, principal.Id, reason, cancellationToken).ConfigureAwait(false))
        {
            throw new ServingException(ServingError.Conflict, $"Agreement {id} is {agreement.State(Today)}, not {from.ToString().ToLowerInvariant()}: it cannot be {verb}d.");
        }

        await _store.AppendAuditAsync(new AuditEntry(principal.Id, "access-" + verb, agreement.Dataset, agreement.Purpose, null, null,
            decision.ToString().ToLowerInvariant(), reason is null ? id : $"{id}: {reason}"), cancellationToken).ConfigureAwait(false);
        return (await _store.GetAgreementAsync(id, cancellationToken).ConfigureAwait(false))!;
    }

    private DateOnly Today => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private static string? OwnerOf(ServedState state, string address) =>
        state.Catalog.FindDataset(address)?.OwnerTeam;

    /// <summary>The team of a product consumer (whose members act for it); null for a person or service.</summary>
    private static string? ConsumerTeam(ServedState state, Agreement agreement) =>
        agreement.Consumer.StartsWith(Principal.ProductPrefix, StringComparison.Ordinal)
            ? state.Mesh.FindProduct(agreement.Consumer[Principal.ProductPrefix.Length..])?.OwnerTeam
            : null;

    private async Task<IReadOnlyList<Agreement>> ActiveAgreementsAsync(Principal principal, string address, CancellationToken cancellationToken) =>
        [.. (await _store.ListAgreementsAsync(principal.Id, address, cancellationToken).ConfigureAwait(false)).Where(a => a.IsActive(Today))];

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await _refresher.DisposeAsync().ConfigureAwait(false);
        await StopErasuresAsync().ConfigureAwait(false);
        // A background load still running finishes before the store it reads is closed.
        await _refresh.WaitAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        _refresh.Dispose();
        _reads.Dispose();
    }

    /// <summary>
    /// Makes a consumer session hold the plans' governed views: in the engine that computed the datasets when it serves
    /// reads there (<see cref="PushDownAsync"/>), else in <paramref name="session"/> (the embedded engine's, which
    /// inspected <paramref name="original"/> into <paramref name="sql"/>) or a new one. The permit (a place among the
    /// reads running at once) and the session are the result's from here; they are given back when the result is
    /// disposed, or here on failure.
    /// </summary>
    private async Task<GovernedResult> OpenAsync(ServedState state, ReadRequest request, string action, string original, string sql, IReadOnlyList<AccessPlan> plans,
        ReadLimits limits, IDisposable permit, IQueryEngine? session, CancellationToken cancellationToken)
    {
        var purpose = request.Purpose;
        var audit = new AuditEntry(request.Principal.Id, action, string.Join(",", plans.Select(p => p.Address)), purpose,
            string.Join(",", plans.Select(p => p.Digest)), null, "allowed", null);
        var engine = session;
        try
        {
            var views = new List<GovernedView>();
            var objectors = 0;
            foreach (var plan in plans)
            {
                var snapshot = await _store.GetCurrentSnapshotAsync(plan.Address, cancellationToken).ConfigureAwait(false)
                    ?? throw new ServingException(ServingError.NotFound, $"{plan.Address} is not published yet.");
                var (view, hidden) = await ObjectionsAsync(state, plan.View(snapshot.FolderIn(DataFolder)), purpose, cancellationToken).ConfigureAwait(false);
                views.Add(view);
                objectors += hidden;
            }

            if (objectors > 0)
            {
                audit = audit with { Detail = $"objections: the rows of {objectors} subject(s) who objected to '{purpose}' left out" };
            }

            if (await PushDownAsync(state, audit, original, views, cancellationToken).ConfigureAwait(false) is { } pushed)
            {
                if (session is not null)
                {
                    await session.DisposeAsync().ConfigureAwait(false);
                }

                return new GovernedResult(pushed.Engine, pushed.Sql, plans, _store, audit, limits, permit);
            }

            engine ??= await OpenEngineAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await engine.ServeAsync(views, _limits, _maskKey, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                // A damaged or missing snapshot: the platform's fault, not the caller's. Recorded, and said without the engine's text.
                await _store.AppendAuditAsync(audit with { Rows = 0, Outcome = "failed", Detail = EngineMessages.Redact(e.Message) }, CancellationToken.None).ConfigureAwait(false);
                throw new ServingException(ServingError.Failed,
                    $"{audit.Resource} could not be read: its published data is damaged or missing. The read is recorded; the owners can re-run the product.", e);
            }

            return new GovernedResult(engine, sql, plans, _store, audit, limits, permit);
        }
        catch
        {
            // A session given by the caller is the caller's to dispose; the permit is idempotent.
            if (engine is not null && session is null)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }

            permit.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A read pushed down into the engine that computed every dataset it reads, when that engine serves reads
    /// (PostgreSQL): the query runs where the data is, in that engine's SQL, under the same views. Null when the read
    /// stays on the embedded engine over the snapshots: datasets of several engines (each plan still applies), an
    /// engine that does not serve reads, or a version the engine does not hold (published before the product moved).
    /// </summary>
    private async Task<(IQueryEngine Engine, string Sql)?> PushDownAsync(ServedState state, AuditEntry audit, string original, IReadOnlyList<GovernedView> views,
        CancellationToken cancellationToken)
    {
        var names = views.Select(v => state.Catalog.FindDataset(v.Address) is { } d && state.Mesh.FindProduct(d.ProductKey) is { } p ? PipelineRunner.EngineOf(state.Mesh, p) : null)
            .Distinct().ToList();
        if (names is not [{ } name] || state.Mesh.Settings.FindEngine(name) is not { } declared || !_engines.PushesDown(declared.Type))
        {
            return null;
        }

        IQueryEngine? engine = null;
        try
        {
            var connection = declared.ResolveConnection(Environment.GetEnvironmentVariable, out var missing);
            if (missing.Count > 0)
            {
                throw new EngineException($"its connection reads {string.Join(", ", missing.Select(v => "${" + v + "}"))}, not set in this server's environment");
            }

            engine = await _engines.OpenQueryAsync(declared.Type, connection, cancellationToken).ConfigureAwait(false);
            var inspection = await engine.InspectQueryAsync(original, _limits, cancellationToken).ConfigureAwait(false);
            await engine.ServeAsync(views, _limits, _maskKey, cancellationToken).ConfigureAwait(false);
            return (engine, inspection.Sql);
        }
        catch (Exception e) when (e is EngineException or QueryRefusedException)
        {
            if (engine is not null)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
            }

            switch (e)
            {
                case VersionNotHeldException:
                    return null;
                case QueryRefusedException:
                    await _store.AppendAuditAsync(audit with { Rows = 0, Outcome = "refused", Detail = e.Message }, CancellationToken.None).ConfigureAwait(false);
                    throw new ServingException(ServingError.BadRequest, e.Message, e);
                default:
                    // The engine is down or refuses the session: that domain's reads fail, every other goes on.
                    await _store.AppendAuditAsync(audit with { Rows = 0, Outcome = "failed", Detail = EngineMessages.Redact(e.Message) }, CancellationToken.None).ConfigureAwait(false);
                    throw new ServingException(ServingError.Failed,
                        $"{audit.Resource} could not be read: engine '{name}' ({declared.Type}), which holds it, cannot serve the read now ({EngineMessages.Redact(e.Message)}). The read is recorded.", e);
            }
        }
    }

    private Task<AuditRecord> AuditDeniedAsync(Principal principal, string action, string address, string? purpose, AccessPlan plan, CancellationToken cancellationToken) =>
        _store.AppendAuditAsync(new AuditEntry(principal.Id, action, address, purpose, plan.Digest, 0, "denied", plan.Reason), cancellationToken);

    // Reads not pushed down run on the embedded engine over the Parquet snapshots, whatever engine computed them.
    private Task<IQueryEngine> OpenEngineAsync(CancellationToken cancellationToken) => _engines.OpenQueryAsync(cancellationToken);

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Loads the current applied mesh from the store: its files are written to the data folder once
    /// (<see cref="AppliedMeshFolder"/>) and read by the loader; it was linted when applied, so it is not again.
    /// </summary>
    private static async Task<ServedState> LoadAsync(IMetadataStore store, string dataFolder, TimeProvider time, CancellationToken cancellationToken)
    {
        var applied = await store.GetAppliedMeshAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new MeshworkException(await store.GetMetaAsync(MetaKeys.Applied, cancellationToken).ConfigureAwait(false) is null
                ? $"Nothing is applied in '{dataFolder}'; run 'mesh apply' (or 'mesh up') on a repository first."
                : $"The last apply into '{dataFolder}' was made by an older Meshwork that did not keep the applied mesh in the store; run 'mesh apply' again.");
        var folder = AppliedMeshFolder.Materialize(applied, dataFolder, time);
        var (mesh, diagnostics) = MeshLoader.Load(folder, sourcesRoot: applied.Origin);
        if (diagnostics.ToSortedList().FirstOrDefault(d => d.Severity == Diagnostics.Severity.Error) is { } error)
        {
            throw new MeshworkException($"The mesh applied from '{applied.Origin}' at {applied.AppliedAt:u} does not load here ({error.File}: {error.Message}); run 'mesh apply' again.");
        }

        var state = await store.GetAppliedStateAsync(cancellationToken).ConfigureAwait(false);
        var keys = state.Products.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var serving = await WithDeprecatedPortsAsync(mesh, state, store, time, cancellationToken).ConfigureAwait(false);
        // Only objections read the datasets' privacy at read time: compiled when the mesh names a consent dataset.
        return new ServedState(mesh, CatalogIndex.Build(serving, keys), MeshGovernance.Of(serving, time), applied.Stamp)
        {
            Privacy = mesh.Settings.Consent is null ? new Dictionary<string, Privacy.DatasetPrivacy>() : Meshwork.Platform.Privacy.DatasetPrivacy.Index(serving),
            Specs = SpecsOf(serving, keys),
        };
    }

    /// <summary>
    /// The mesh as it is served: the repository's, plus every deprecated port version the repository no longer
    /// declares (a breaking change moved it to a new major) that has not reached its sunset. Those keep serving
    /// their last snapshot under the contract they were applied with, marked deprecated, through the same
    /// catalog and access plans. Pipelines and plans use the repository's mesh alone.
    /// </summary>
    private static async Task<Mesh> WithDeprecatedPortsAsync(Mesh mesh, AppliedState applied, IMetadataStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var products = mesh.Products.ToDictionary(p => p.Key, StringComparer.Ordinal);
        var contracts = new List<Contract>();
        foreach (var port in applied.Ports.Where(p => p.Status == PortStatus.Deprecated && (p.SunsetAt is null || p.SunsetAt > now)))
        {
            if (!products.TryGetValue(port.ProductKey, out var product) || product.OutputPorts.Any(o => o.Name == port.Name && o.Major == port.Major)
                || await store.GetContractDocumentAsync(port.ContractId, port.Version, cancellationToken).ConfigureAwait(false) is not { } document)
            {
                continue; // a dropped product stops serving; a port the repository still declares is served from it
            }

            var id = $"{port.ContractId}@{port.Version}";
            contracts.Add(ContractReader.Parse(document, $"{port.ContractId} {port.Version} (as applied)") with { Id = id, Status = "deprecated", Folder = product.Folder });
            var until = port.SunsetAt is { } sunset ? $"; serves until {sunset:yyyy-MM-dd}" : string.Empty;
            products[product.Key] = product with
            {
                OutputPorts = product.OutputPorts.Add(new OutputPort(port.Name, port.Version, id, "tables", $"Deprecated version {port.Major}{until}: migrate to the current version.",
                    [], [], product.Location)),
            };
        }

        return contracts.Count == 0
            ? mesh
            : new Mesh(mesh.RootPath, mesh.Settings, mesh.People, mesh.Domains, [.. mesh.Products.Select(p => products[p.Key])], mesh.Contracts.AddRange(contracts), mesh.Policies)
            {
                SourcesRoot = mesh.SourcesRoot,
                Files = mesh.Files,
            };
    }
}
