using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Meshwork.Engines;
using Meshwork.Engines.Postgres;
using Meshwork.Governance;
using Meshwork.Model;
using Meshwork.Platform.Governing;
using Meshwork.Platform.Lineage;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Privacy;
using Meshwork.Platform.Security;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Pipelines;

/// <summary>
/// Runs products' pipelines (DESIGN.md §4): read the input ports, run the transform, validate every row against
/// the output contract inside the engine, write valid rows and quarantined rows as new snapshots, run the quality
/// checks, then swap the pointers in one metadata transaction. A run holds its product's lease (a
/// <see cref="RunLease"/> of <paramref name="leaseDuration"/>, default <see cref="RunLease.DefaultDuration"/>), and is
/// skipped when its inputs have not changed since the published snapshots were made. Superseded snapshots stay
/// readable for <paramref name="snapshotGrace"/> (default <see cref="DefaultSnapshotGrace"/>), then a run of their
/// product deletes them, with any folder a killed run left behind. Each run that starts is reported to
/// <paramref name="lineage"/> as OpenLineage events (none when it is null or off).
/// </summary>
public sealed class PipelineRunner(IMetadataStore store, EngineRegistry engines, TimeProvider time, IKeyProvider keys, string dataFolder, TimeSpan? snapshotGrace = null,
    TimeSpan? leaseDuration = null, string? node = null, LineageEmitter? lineage = null)
{
    private readonly LineageEmitter _lineage = lineage ?? LineageEmitter.None;

    /// <summary>Long enough for any read that started on a superseded snapshot to finish (DESIGN.md §11).</summary>
    public static readonly TimeSpan DefaultSnapshotGrace = TimeSpan.FromHours(24);

    private readonly TimeSpan _leaseDuration = leaseDuration ?? RunLease.DefaultDuration;

    /// <summary>The node recorded with each run: the cluster node's name, else this machine's.</summary>
    private readonly string _node = node ?? Environment.MachineName;

    private readonly Lazy<byte[]> _maskKey = new(() => keys.Key(PlatformKey.MaskHash, dataFolder));

    private readonly Lazy<byte[]> _subjectKey = new(() => keys.Key(PlatformKey.SubjectHash, dataFolder));

    private readonly Objections _objections = new(store, engines, dataFolder);

    private (Mesh Mesh, IReadOnlyDictionary<string, DatasetPrivacy> Index)? _privacy;

    /// <summary>What privacy asks of the mesh's datasets, computed once per mesh and only when it names a consent dataset.</summary>
    private IReadOnlyDictionary<string, DatasetPrivacy> Privacy(Mesh mesh)
    {
        if (mesh.Settings.Consent is null)
        {
            return new Dictionary<string, DatasetPrivacy>();
        }

        if (_privacy is not { } known || !ReferenceEquals(known.Mesh, mesh))
        {
            _privacy = known = (mesh, DatasetPrivacy.Index(mesh));
        }

        return known.Index;
    }

    /// <summary>Products in lineage order: every upstream before its consumers.</summary>
    public static IReadOnlyList<DataProduct> LineageOrder(Mesh mesh)
    {
        var ordered = new List<DataProduct>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);

        void Visit(DataProduct product)
        {
            if (done.Contains(product.Key) || !visiting.Add(product.Key))
            {
                return; // lint refuses cycles; never loop on one here
            }

            foreach (var input in product.InputPorts)
            {
                if (mesh.FindPublisher(input.ContractId) is { } upstream && upstream.Product.Key != product.Key)
                {
                    Visit(upstream.Product);
                }
            }

            visiting.Remove(product.Key);
            done.Add(product.Key);
            ordered.Add(product);
        }

        foreach (var product in mesh.Products.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Visit(product);
        }

        return ordered;
    }

    /// <summary>The name of the engine a product runs on: its <c>meshwork.engine</c> property, else its domain's, else the mesh default.</summary>
    public static string EngineOf(Mesh mesh, DataProduct product) =>
        product.CustomProperties.FirstOrDefault(p => p.Property == "meshwork.engine")?.StringValue
            ?? (mesh.FindDomain(product.Domain) is { } domain ? mesh.EngineOf(domain) : mesh.Settings.DefaultEngine);

    /// <summary>
    /// Opens a session of the engine a product runs on. An engine that cannot be opened (not declared, of a type this
    /// platform does not run, unreachable) fails this product's run only, naming the engine and the domain.
    /// </summary>
    public static async Task<IComputeEngine> OpenEngineAsync(EngineRegistry engines, Mesh mesh, DataProduct product, CancellationToken cancellationToken)
    {
        var name = EngineOf(mesh, product);
        // Whose choice it was: the product's own meshwork.engine, else its domain's (or the mesh default, for the domain).
        var chooser = product.CustomProperties.Any(p => p.Property == "meshwork.engine") ? $"product '{product.Key}'" : $"domain '{product.Domain}'";
        var declared = mesh.Settings.FindEngine(name)
            ?? throw new PipelineException($"{product.Key}: engine '{name}' of {chooser} is not declared in mesh.yaml.");
        var connection = declared.ResolveConnection(Environment.GetEnvironmentVariable, out var missing);
        if (missing.Count > 0)
        {
            throw new PipelineException(
                $"{product.Key}: engine '{name}' of {chooser} cannot be opened: its connection reads {string.Join(", ", missing.Select(v => "${" + v + "}"))}, which {(missing.Count == 1 ? "is" : "are")} not set in the environment.");
        }

        try
        {
            return await engines.Get(declared.Type).OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            throw new PipelineException($"{product.Key}: engine '{name}' ({declared.Type}) of {chooser} cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs one product. Upstream data is read as the product's principal through its access plans (masks and
    /// row filters applied in the engine); an input it may not read refuses the run. Throws
    /// <see cref="PipelineException"/> with the port, file or SQL at fault.
    /// </summary>
    public async Task<IReadOnlyList<DatasetRun>> RunAsync(MeshGovernance governance, DataProduct product, IReadOnlyList<DesiredPort> ports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(governance);
        ArgumentNullException.ThrowIfNull(product);
        var mesh = governance.Mesh;
        var agreements = await store.ListAgreementsAsync(Principal.ForProduct(product).Id, null, cancellationToken).ConfigureAwait(false);
        var access = governance.InputAccess(product, agreements, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        RunInputs inputs;
        try
        {
            if (access.FirstOrDefault(a => !a.Plan.Allowed) is { } denied)
            {
                throw new PipelineException(denied.Describe());
            }

            inputs = await ReadInputsAsync(mesh, product, ports, access, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineException e) when (_lineage.Enabled)
        {
            // Refused before it could start (an input it may not read, a source it cannot read): a failed run to lineage all the same.
            var refused = new RunLineage(_lineage, time, mesh, product, ports, dataFolder, Guid.NewGuid());
            refused.Start();
            refused.Fail(e.Message);
            throw;
        }

        try
        {
            return await RunWithInputsAsync(mesh, product, ports, inputs, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            inputs.DeleteScratch();
        }
    }

    private async Task<IReadOnlyList<DatasetRun>> RunWithInputsAsync(Mesh mesh, DataProduct product, IReadOnlyList<DesiredPort> ports, RunInputs inputs, CancellationToken cancellationToken)
    {
        var inputHash = inputs.Hash;
        var datasets = ports.SelectMany(p => p.Datasets).ToList();
        var current = new List<SnapshotRecord?>();
        foreach (var dataset in datasets)
        {
            current.Add(await store.GetCurrentSnapshotAsync(dataset.Address, cancellationToken).ConfigureAwait(false));
        }

        var runId = Guid.NewGuid().ToString("N");
        if (datasets.Count > 0 && current.All(c => c?.InputHash == inputHash && SnapshotDrift.Problem(dataFolder, c) is null))
        {
            // Nothing changed since the published snapshots were made, and they are all there: re-running would reproduce them. Expired
            // snapshots are still removed, when no other run holds the product.
            await using (var idle = await RunLease.TryAcquireAsync(store, time, dataFolder, product.Key, runId, _leaseDuration, cancellationToken).ConfigureAwait(false))
            {
                if (idle is not null)
                {
                    await RemoveExpiredSnapshotsAsync(mesh, product, ports, idle.Token).ConfigureAwait(false);
                }
            }

            return [.. current.Select(c => new DatasetRun(c!.Address, c.Rows, c.Quarantined, 0, 0, 0, Unchanged: true))];
        }

        await using var lease = await RunLease.TryAcquireAsync(store, time, dataFolder, product.Key, runId, _leaseDuration, cancellationToken).ConfigureAwait(false)
            ?? throw new PipelineException($"{product.Key}: another process ({(await store.GetLeaseAsync(product.Key, cancellationToken).ConfigureAwait(false))?.Holder}) is running this product; try again when it has finished.");
        await store.StartRunAsync(runId, product.Key, _node, cancellationToken).ConfigureAwait(false);
        // The run ledger's id is the OpenLineage run id: a run in Marquez and in 'mesh runs' is the same run.
        var lineage = _lineage.Enabled ? new RunLineage(_lineage, time, mesh, product, ports, dataFolder, Guid.ParseExact(runId, "N"), inputs.Transforms) : null;
        lineage?.Start();
        IReadOnlyList<DatasetRun> runs;
        try
        {
            runs = await RunLeasedAsync(mesh, product, ports, runId, inputs, lineage, lease.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LeaseLostException || (lease.IsLost && e is OperationCanceledException or EngineException or PipelineException or IOException))
        {
            // Its lease lapsed (a stalled heartbeat) and may be another run's now: this run stops and publishes nothing.
            const string failure = "the run lost its lease (its heartbeat could not renew it in time, so another process may run the product now); nothing was published";
            await store.FinishRunAsync(runId, succeeded: false, failure, CancellationToken.None).ConfigureAwait(false);
            lineage?.Fail($"{product.Key}: {failure}.");
            throw new PipelineException($"{product.Key}: {failure}.", e);
        }
        catch (Exception e) when (e is EngineException or PipelineException or IOException)
        {
            // Every principal may list runs: an engine's text is stored (and shown) without the values it quotes.
            var failure = e as PipelineException ?? new PipelineException($"{product.Key}: {(e is EngineException engine ? Describe(mesh, engine) : e.Message)}", e);
            await store.FinishRunAsync(runId, succeeded: false, failure.Message, CancellationToken.None).ConfigureAwait(false);
            lineage?.Fail(failure.Message);
            throw failure;
        }
        catch (OperationCanceledException)
        {
            // Stopped by its caller (a shutdown): ended, so that it never shows as running.
            await store.FinishRunAsync(runId, succeeded: false, "cancelled before it finished; nothing was published", CancellationToken.None).ConfigureAwait(false);
            lineage?.Abort();
            throw;
        }
        catch (StorageUnavailableException e)
        {
            // The store failed mid-run (out of connections, say): ended now if it answers again, rather than left running
            // until a sweep ends it later, which would show it overlapping the product's next run.
            var failure = new PipelineException($"{product.Key}: the metadata store failed during the run; nothing was published. {e.Message}", e);
            lineage?.Fail(failure.Message);
            try
            {
                await store.FinishRunAsync(runId, succeeded: false, failure.Message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StorageUnavailableException)
            {
                // Still failing: the sweep of abandoned runs ends it.
            }

            throw failure;
        }

        await store.FinishRunAsync(runId, succeeded: true, null, CancellationToken.None).ConfigureAwait(false);
        lineage?.Complete();
        try
        {
            await RemoveExpiredSnapshotsAsync(mesh, product, ports, lease.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lease.IsLost)
        {
            // Published already; the product's next run removes what is left.
        }

        return runs;
    }

    private async Task<IReadOnlyList<DatasetRun>> RunLeasedAsync(Mesh mesh, DataProduct product, IReadOnlyList<DesiredPort> ports, string runId, RunInputs inputs,
        RunLineage? lineage, CancellationToken cancellationToken)
    {
        await using var engine = await OpenEngineAsync(engines, mesh, product, cancellationToken).ConfigureAwait(false);

        var inputRelations = await LoadInputsAsync(mesh, product, inputs, engine, runId, cancellationToken).ConfigureAwait(false);
        var suppressed = await store.GetSuppressedSubjectsAsync(cancellationToken).ConfigureAwait(false);
        var version = string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{runId[..8]}");
        var snapshots = new List<SnapshotRecord>();
        var runs = new List<DatasetRun>();
        var checks = new List<(string Address, IReadOnlyList<CheckOutcome> Outcomes)>();
        foreach (var port in ports)
        {
            var relation = await TransformAsync(product, port, inputs, engine, inputRelations, cancellationToken).ConfigureAwait(false);
            foreach (var spec in port.Datasets)
            {
                var outcome = await engine.ValidateAsync(spec, relation, runId, cancellationToken).ConfigureAwait(false);
                var privacy = DatasetPrivacy.Of(port.Contract, spec);
                var (valid, published, quarantine, quarantined) = await RemovePrivateRowsAsync(engine, product, privacy, outcome, suppressed, runId, cancellationToken).ConfigureAwait(false);
                var folder = Path.Combine(DatasetFolder(product, port, spec), version);
                // Rows of one subject are kept together, so erasing one rewrites few files.
                var subjectKeys = privacy.SubjectKeys.Select(c => c.Name).ToList();
                await engine.PublishAsync(valid, Path.Combine(dataFolder, folder), subjectKeys.Count > 0 ? subjectKeys : null, cancellationToken).ConfigureAwait(false);
                if (engine is IVersionedEngine versioned)
                {
                    await versioned.PublishVersionAsync(valid, spec.Address, version, cancellationToken).ConfigureAwait(false);
                }

                string? quarantineFolder = null;
                if (quarantined > 0)
                {
                    quarantineFolder = Path.Combine(DatasetFolder(product, port, spec) + "_quarantine", version);
                    await engine.PublishAsync(quarantine, Path.Combine(dataFolder, quarantineFolder), null, cancellationToken).ConfigureAwait(false);
                }

                var results = await engine.RunChecksAsync(spec, valid, cancellationToken).ConfigureAwait(false);
                checks.Add((spec.Address, results));
                var snapshot = new SnapshotRecord(spec.Address, folder.Replace('\\', '/'), runId, published, quarantineFolder?.Replace('\\', '/'), quarantined, inputs.Hash, time.GetUtcNow());
                snapshots.Add(snapshot);
                lineage?.Published(port, spec, snapshot, results);
                runs.Add(new DatasetRun(spec.Address, published, quarantined,
                    results.Count(r => r.Status == CheckStatus.Passed), results.Count(r => r.Status is CheckStatus.Failed or CheckStatus.Error),
                    results.Count(r => r.Status == CheckStatus.Warned), Unchanged: false));
            }
        }

        // The schemas go to the registry before the pointers move: a schema the registry refuses publishes nothing.
        var schemas = new Registry.SchemaRegistry(store.Registry);
        foreach (var spec in ports.SelectMany(p => p.Datasets))
        {
            try
            {
                await schemas.RegisterAsync(Registry.DatasetSubjects.Avro(spec.Address), Schemas.Export.AvroExporter.FromDataset(spec), "AVRO", null, cancellationToken).ConfigureAwait(false);
                await schemas.RegisterAsync(Registry.DatasetSubjects.Json(spec.Address), Schemas.Export.JsonSchemaExporter.FromDataset(spec), "JSON", null, cancellationToken).ConfigureAwait(false);
            }
            catch (Registry.RegistryException e)
            {
                throw new PipelineException($"{product.Key}: the schema registry refuses {spec.Address}'s schema: {e.Message}", e);
            }
        }

        // Every snapshot is written: move all of the product's pointers at once.
        await store.PublishAsync(product.Key, runId, snapshots, cancellationToken).ConfigureAwait(false);
        foreach (var (address, outcomes) in checks)
        {
            // Published: its checks are recorded even if the run is stopped now.
            await store.RecordChecksAsync(runId, address, outcomes, CancellationToken.None).ConfigureAwait(false);
        }

        // The engine's own tables follow the pointers, never lead them: a run that lost its lease published nothing above.
        if (engine is IVersionedEngine tables)
        {
            try
            {
                await tables.MakeCurrentAsync([.. snapshots.Select(s => new DatasetVersion(s.Address, version))], CancellationToken.None).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                throw new PipelineException(
                    $"{product.Key}: published, but the engine's tables still show the previous version (the next run switches them): {Describe(mesh, e)}", e);
            }
        }

        return runs;
    }

    /// <summary>
    /// Deletes a product's snapshots superseded longer ago than the grace period, as a run does after it publishes (the
    /// retention job calls it for products that do not run). False, deleting nothing, while a run holds the product.
    /// </summary>
    public async Task<bool> RemoveExpiredAsync(Mesh mesh, DataProduct product, IReadOnlyList<DesiredPort> ports, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(product);
        await using var lease = await RunLease.TryAcquireAsync(store, time, dataFolder, product.Key, "expiry-" + Guid.NewGuid().ToString("N"), _leaseDuration, cancellationToken)
            .ConfigureAwait(false);
        if (lease is null)
        {
            return false;
        }

        await RemoveExpiredSnapshotsAsync(mesh, product, ports, lease.Token).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Leaves out, before publishing, the rows past the dataset's retention and the rows (and quarantined rows) of erased
    /// subjects (the suppression list), each removal audited. Returns the relations to publish and their counts.
    /// </summary>
    private async Task<(string Valid, long Published, string Quarantine, long Quarantined)> RemovePrivateRowsAsync(IComputeEngine engine, DataProduct product,
        DatasetPrivacy privacy, ValidationOutcome outcome, IReadOnlyList<string> suppressed, string runId, CancellationToken cancellationToken)
    {
        var (valid, published, quarantine, quarantined) = (outcome.ValidRelation, outcome.Valid, outcome.QuarantineRelation, outcome.Quarantined);
        var suffix = privacy.Spec.Address.Replace('.', '_');
        if (privacy.Expired(time.GetUtcNow()) is { } expired)
        {
            var removed = await engine.RemoveRowsAsync(valid, expired, _subjectKey.Value, $"__mw_retention_{suffix}", cancellationToken).ConfigureAwait(false);
            (valid, published) = ($"__mw_retention_{suffix}", published - removed);
            await AuditRemovedAsync(product, "retention", privacy, removed, $"run {runId}: rows older than the retention left out", cancellationToken).ConfigureAwait(false);
        }

        if (privacy.OfSuppressed(suppressed) is { } erased)
        {
            long removed = 0;
            if (await HoldsSuppressedAsync(engine, privacy, valid, erased, cancellationToken).ConfigureAwait(false))
            {
                removed = await engine.RemoveRowsAsync(valid, erased, _subjectKey.Value, $"__mw_suppression_{suffix}", cancellationToken).ConfigureAwait(false);
                (valid, published) = ($"__mw_suppression_{suffix}", published - removed);
            }

            if (quarantined > 0)
            {
                var removedQuarantine = await engine.RemoveRowsAsync(quarantine, erased, _subjectKey.Value, $"__mw_suppression_{suffix}_quarantine", cancellationToken).ConfigureAwait(false);
                (quarantine, quarantined, removed) = ($"__mw_suppression_{suffix}_quarantine", quarantined - removedQuarantine, removed + removedQuarantine);
            }

            await AuditRemovedAsync(product, "suppression", privacy, removed, $"run {runId}: rows of erased subjects left out", cancellationToken).ConfigureAwait(false);
        }

        return (valid, published, quarantine, quarantined);
    }

    /// <summary>Records rows a run left out for privacy (none: nothing recorded).</summary>
    private Task AuditRemovedAsync(DataProduct product, string action, DatasetPrivacy privacy, long removed, string detail, CancellationToken cancellationToken) =>
        removed > 0
            ? store.AppendAuditAsync(new AuditEntry(Principal.ForProduct(product).Id, action, privacy.Spec.Address, null, null, removed, "removed", detail), cancellationToken)
            : Task.CompletedTask;

    /// <summary>
    /// Whether the rows to publish hold a suppressed subject: the keyed hash is computed over the distinct subject keys
    /// only (far fewer than rows: orders of a customer), so a run pays for it once per subject, not per row.
    /// </summary>
    private async Task<bool> HoldsSuppressedAsync(IComputeEngine engine, DatasetPrivacy privacy, string valid, Engines.Ir.FilterExpr suppressed, CancellationToken cancellationToken)
    {
        var keys = "__mw_subject_keys_" + privacy.Spec.Address.Replace('.', '_');
        var columns = string.Join(", ", privacy.SubjectKeys.Select(c => Engines.Sql.SqlDialect.Identifier(c.Name)));
        await engine.TransformAsync($"SELECT DISTINCT {columns} FROM {Engines.Sql.SqlDialect.Relation(valid)}", keys, cancellationToken).ConfigureAwait(false);
        return await engine.RemoveRowsAsync(keys, suppressed, _subjectKey.Value, keys, cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Where a dataset's snapshots live, relative to the data folder; its quarantine's folder adds <c>_quarantine</c>.</summary>
    private static string DatasetFolder(DataProduct product, DesiredPort port, Engines.Ir.DatasetSpec spec) =>
        Path.Combine("data", product.Domain, product.Name, spec.ObjectName + "_v" + port.Major.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Deletes snapshots superseded longer ago than the grace period, and snapshot folders no listed snapshot
    /// names (a run killed before its pointer swap left them). Called only while holding the product's lease.
    /// A folder that cannot be deleted now stays listed and is tried again by the next run.
    /// </summary>
    private async Task RemoveExpiredSnapshotsAsync(Mesh mesh, DataProduct product, IReadOnlyList<DesiredPort> ports, CancellationToken cancellationToken)
    {
        var listed = await store.GetSnapshotsAsync(product.Key, cancellationToken).ConfigureAwait(false);
        var cutoff = time.GetUtcNow() - (snapshotGrace ?? DefaultSnapshotGrace);
        var due = listed.Where(l => l.SupersededAt is { } at && at <= cutoff).Select(l => l.Snapshot).ToList();
        if (due.Count > 0 && !await DropVersionsAsync(mesh, product, due, cancellationToken).ConfigureAwait(false))
        {
            return; // kept, snapshots and tables alike, until the engine can drop its tables
        }

        var expired = new List<SnapshotRecord>();
        foreach (var snapshot in due)
        {
            if (TryDelete(snapshot.Snapshot) && (snapshot.QuarantineSnapshot is null || TryDelete(snapshot.QuarantineSnapshot)))
            {
                expired.Add(snapshot);
            }
        }

        await store.ForgetSnapshotsAsync(expired, cancellationToken).ConfigureAwait(false);

        var kept = listed.Select(l => l.Snapshot).Except(expired)
            .SelectMany(s => new[] { s.Snapshot, s.QuarantineSnapshot }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var datasetFolder in ports.SelectMany(p => p.Datasets.SelectMany(d => new[] { DatasetFolder(product, p, d), DatasetFolder(product, p, d) + "_quarantine" })))
        {
            var full = Path.Combine(dataFolder, datasetFolder);
            if (!Directory.Exists(full))
            {
                continue;
            }

            foreach (var version in Directory.EnumerateDirectories(full))
            {
                var relative = Path.GetRelativePath(dataFolder, version).Replace('\\', '/');
                if (!kept.Contains(relative))
                {
                    TryDelete(relative);
                }
            }
        }
    }

    /// <summary>Drops the engine's tables of expired versions, when its engine keeps them; false when the engine cannot now.</summary>
    private async Task<bool> DropVersionsAsync(Mesh mesh, DataProduct product, IReadOnlyList<SnapshotRecord> due, CancellationToken cancellationToken)
    {
        try
        {
            await using var engine = await OpenEngineAsync(engines, mesh, product, cancellationToken).ConfigureAwait(false);
            if (engine is IVersionedEngine tables)
            {
                await tables.DropVersionsAsync([.. due.Select(s => new DatasetVersion(s.Address, Path.GetFileName(s.Snapshot)))], cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (e is PipelineException or EngineException)
        {
            return false;
        }
    }

    private bool TryDelete(string snapshotFolder) => TryDeleteFolder(Path.Combine(dataFolder, snapshotFolder));

    /// <summary>Deletes a snapshot folder (one already gone counts as deleted); false when the file system refuses now.</summary>
    internal static bool TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Sources become relations named by their input port; upstream datasets are attached by address.</summary>
    private async Task<List<string>> LoadInputsAsync(Mesh mesh, DataProduct product, RunInputs inputs, IComputeEngine engine, string runId, CancellationToken cancellationToken)
    {
        var relations = new List<string>();
        foreach (var input in product.InputPorts)
        {
            var contract = mesh.FindContract(input.ContractId) ?? throw new PipelineException($"{product.Key}: input port '{input.Name}' references unknown contract '{input.ContractId}'.");
            if (mesh.FindPublisher(input.ContractId) is not null)
            {
                foreach (var address in mesh.PublishedDatasets(input.ContractId))
                {
                    var snapshot = inputs.Upstream[address]
                        ?? throw new PipelineException($"{product.Key}: input port '{input.Name}' reads {address}, which has not been published yet.");
                    var folder = snapshot.FolderIn(dataFolder);
                    if (inputs.Access.TryGetValue(address, out var plan))
                    {
                        // Read for the agreement's purpose: subjects who objected to it are left out, as from any read.
                        var purpose = inputs.Purposes.GetValueOrDefault(address, InputAccess.DefaultPurpose);
                        var (view, objectors) = await _objections.ApplyAsync(mesh, Privacy(mesh), plan.View(folder), purpose, cancellationToken).ConfigureAwait(false);
                        // A pipeline's read of another product's data is a read like any other: on record before it happens.
                        await store.AppendAuditAsync(new AuditEntry(Principal.ForProduct(product).Id, "pipeline-read", address, purpose, plan.Digest, null, "allowed",
                            objectors > 0 ? $"run {runId}; objections: the rows of {objectors} subject(s) who objected to '{purpose}' left out" : $"run {runId}"),
                            cancellationToken).ConfigureAwait(false);
                        await engine.AttachGovernedAsync(view, _maskKey.Value, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await engine.AttachAsync(address, folder, cancellationToken).ConfigureAwait(false); // the product's own output
                    }

                    relations.Add(address);
                }

                continue;
            }

            if (inputs.Sources.TryGetValue(input.Name, out var exported))
            {
                await engine.LoadAsync(new SourceFile(exported, SourceFormat.Csv), input.Name, cancellationToken).ConfigureAwait(false);
                relations.Add(input.Name);
                continue;
            }

            var server = contract.Servers.FirstOrDefault(s => s.Type == "local")
                ?? throw new PipelineException($"{product.Key}: input port '{input.Name}': contract '{contract.Id}' has no local or postgres server to read.");
            var format = server.Format switch
            {
                "csv" => SourceFormat.Csv,
                "parquet" => SourceFormat.Parquet,
                "json" => SourceFormat.Json,
                _ => throw new PipelineException($"{product.Key}: input port '{input.Name}': format '{server.Format}' is not readable."),
            };
            var path = Path.GetFullPath(Path.Combine(mesh.SourcesRoot, contract.Folder, server.Path ?? string.Empty));
            try
            {
                await engine.LoadAsync(new SourceFile(path, format), input.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException e)
            {
                throw new PipelineException($"{product.Key}: input port '{input.Name}' cannot read {Path.GetRelativePath(mesh.SourcesRoot, path)}: {Describe(mesh, e)}", e);
            }

            relations.Add(input.Name);
        }

        return relations;
    }

    /// <summary>An engine's error as a run failure: without the values it quotes, its paths relative to the mesh repository.</summary>
    private static string Describe(Mesh mesh, EngineException e) =>
        EngineMessages.Redact(e.Message).Replace(Path.TrimEndingDirectorySeparator(mesh.SourcesRoot) + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);

    /// <summary>Runs the port's transform file, or projects the single input onto the contract when there is none.</summary>
    private static async Task<string> TransformAsync(DataProduct product, DesiredPort port, RunInputs run, IComputeEngine engine, List<string> inputs, CancellationToken cancellationToken)
    {
        var transform = product.Transforms.FirstOrDefault(t => t.Name == port.Port.Name) ?? product.Transforms.FirstOrDefault(t => t.Name == "transform");
        if (transform is null)
        {
            return inputs.Count == 1
                ? inputs[0]
                : throw new PipelineException($"{product.Key}: output port '{port.Port.Name}' has no transform and {inputs.Count} inputs.");
        }

        var relation = "__mw_out_" + port.Port.Name;
        try
        {
            await engine.TransformAsync(run.Transforms[transform.Name], relation, cancellationToken).ConfigureAwait(false);
        }
        catch (EngineException e)
        {
            // The engine numbers lines of the SQL as written in the file (the statement wrapper adds no line).
            var line = System.Text.RegularExpressions.Regex.Match(e.Message, @"LINE (\d+):", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            var where = line.Success ? $"{transform.File}:{line.Groups[1].Value}" : transform.File;
            throw new PipelineException($"{product.Key}: {where}: {EngineMessages.Redact(e.Message)}", e);
        }

        return relation;
    }

    /// <summary>What a run reads, read once: the transforms' SQL and the upstream snapshots it will attach.</summary>
    private sealed record RunInputs(IReadOnlyDictionary<string, string> Transforms, IReadOnlyDictionary<string, SnapshotRecord?> Upstream,
        IReadOnlyDictionary<string, AccessPlan> Access, string Hash)
    {
        /// <summary>The purpose each upstream dataset is read for: its agreement's, else <see cref="InputAccess.DefaultPurpose"/>.</summary>
        public IReadOnlyDictionary<string, string> Purposes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Source tables read for this run, by input port: CSV files in <see cref="Scratch"/>.</summary>
        public Dictionary<string, string> Sources { get; init; } = new(StringComparer.Ordinal);

        public string? Scratch { get; init; }

        public void DeleteScratch()
        {
            if (Scratch is not null && Directory.Exists(Scratch))
            {
                Directory.Delete(Scratch, recursive: true);
            }
        }
    }

    /// <summary>
    /// Reads the run's inputs and hashes everything its result depends on: the contracts, the transforms, the
    /// source files (size and time), the upstream snapshots and the access plans they are read through. Equal hashes mean a re-run would publish the same
    /// data; the run then uses exactly the snapshots that were hashed, even if an upstream publishes meanwhile.
    /// </summary>
    private async Task<RunInputs> ReadInputsAsync(Mesh mesh, DataProduct product, IReadOnlyList<DesiredPort> ports, IReadOnlyList<InputAccess> access, CancellationToken cancellationToken)
    {
        var text = new StringBuilder().Append("meshwork-run/1\n").Append(product.Key).Append('\n');
        // A product moved to another engine runs again (on the embedded default, hashes stay as they were before engines).
        if (mesh.Settings.FindEngine(EngineOf(mesh, product)) is { Name: not MeshSettings.EmbeddedEngine } engine)
        {
            text.Append("engine ").Append(engine.Name).Append(':').Append(engine.Type).Append('\n');
        }

        foreach (var port in ports)
        {
            text.Append(port.Port.Name).Append(port.Major).Append(port.Contract.Document.GetRawText()).Append('\n');
        }

        var transforms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var transform in product.Transforms)
        {
            transforms[transform.Name] = await File.ReadAllTextAsync(Path.Combine(mesh.RootPath, transform.File), cancellationToken).ConfigureAwait(false);
            text.Append(transform.Name).Append(transforms[transform.Name]).Append('\n');
        }

        var upstream = new Dictionary<string, SnapshotRecord?>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        string? scratch = null;
        foreach (var input in product.InputPorts)
        {
            text.Append(input.Name).Append(input.ContractId).Append('\n');
            if (mesh.FindContract(input.ContractId) is not { } contract)
            {
                continue;
            }

            if (mesh.FindPublisher(input.ContractId) is not null)
            {
                foreach (var address in mesh.PublishedDatasets(input.ContractId))
                {
                    upstream[address] = await store.GetCurrentSnapshotAsync(address, cancellationToken).ConfigureAwait(false);
                    text.Append(address).Append('=').Append(upstream[address]?.Snapshot).Append('\n');
                    foreach (var read in access.Where(a => a.Dataset == address))
                    {
                        text.Append("plan ").Append(read.Plan.Digest).Append('\n');
                    }
                }
            }
            else
            {
                text.Append(contract.Document.GetRawText()).Append('\n');
                if (!contract.Servers.Any(s => s.Type == "local") && contract.Servers.FirstOrDefault(s => PostgresTableSource.Types.Contains(s.Type)) is { } database)
                {
                    // The table is read now, once: the run loads exactly what was hashed.
                    scratch ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "meshwork-sources-" + Guid.NewGuid().ToString("N"))).FullName;
                    var file = Path.Combine(scratch, input.Name + ".csv");
                    try
                    {
                        text.Append("table ").Append(await PostgresTableSource.ExportAsync(contract, database, file, cancellationToken).ConfigureAwait(false)).Append('\n');
                    }
                    catch (EngineException e)
                    {
                        Directory.Delete(scratch, recursive: true);
                        throw new PipelineException($"{product.Key}: input port '{input.Name}' cannot read {e.Message}", e);
                    }

                    sources[input.Name] = file;
                }

                foreach (var server in contract.Servers.Where(s => s.Type == "local" && s.Path is not null))
                {
                    var path = Path.GetFullPath(Path.Combine(mesh.SourcesRoot, contract.Folder, server.Path!));
                    var directory = Path.GetDirectoryName(path)!;
                    var files = Directory.Exists(directory) ? Directory.EnumerateFiles(directory, Path.GetFileName(path)).Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
                    foreach (var file in files.Select(f => new FileInfo(f)))
                    {
                        text.Append(file.Name).Append(file.Length).Append(file.LastWriteTimeUtc.Ticks).Append('\n');
                    }
                }
            }
        }

        // Objections change what upstream reads return: a new consent snapshot runs the products again.
        if (mesh.Settings.Consent is { } consent)
        {
            text.Append("consent ").Append((await store.GetCurrentSnapshotAsync(consent, cancellationToken).ConfigureAwait(false))?.Snapshot).Append('\n');
        }

        var distinct = access.DistinctBy(a => a.Dataset).ToList();
        return new RunInputs(transforms, upstream, distinct.ToDictionary(a => a.Dataset, a => a.Plan, StringComparer.Ordinal), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))))
        {
            Purposes = distinct.ToDictionary(a => a.Dataset, a => a.Agreement?.Purpose ?? InputAccess.DefaultPurpose, StringComparer.Ordinal),
            Sources = sources,
            Scratch = scratch,
        };
    }
}

/// <summary>A pipeline could not run; the message names the product and the port, file or SQL at fault.</summary>
public sealed class PipelineException : Exception
{
    public PipelineException(string message)
        : base(message)
    {
    }

    public PipelineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PipelineException()
    {
    }
}
