using Meshwork.Engines;
using Meshwork.Linting;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Scaffolding;
using Meshwork.Diagnostics;
using Meshwork.Platform.Governing;
using Meshwork.Platform.Lineage;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Quality;
using Meshwork.Platform.Security;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Meshwork.Platform;

/// <summary>What <c>mesh plan</c> found: the lint report, and the plan when the repository lints clean.</summary>
public sealed record PlanResult(LintReport Lint, Plan? Plan, string DataFolder, Mesh Mesh)
{
    /// <summary>
    /// Products apply skips, with the first reason: an enforced rule policy refuses them, or an input port reads
    /// upstream data its product may not read (no agreement, or a policy denies it).
    /// </summary>
    public IReadOnlyDictionary<string, string> Refused { get; init; } = new Dictionary<string, string>();

    /// <summary>How every product's pipeline reads its upstream datasets, under the agreements recorded so far.</summary>
    public IReadOnlyList<InputAccess> Access { get; init; } = [];

    /// <summary>The compiled policies (null when the repository does not lint clean).</summary>
    public MeshGovernance? Governance { get; init; }

    /// <summary>Published datasets whose data is not where the store says: apply runs their products again.</summary>
    public IReadOnlyList<DriftFinding> Drift { get; init; } = [];
}

/// <summary>
/// The application facade the CLI, the server and tests call (DESIGN.md §5): each verb is one method here.
/// Composed by <see cref="MeshworkServiceCollectionExtensions.AddMeshwork"/>, the one place that chooses the
/// engines and the metadata store.
/// </summary>
public sealed class MeshworkPlatform(TimeProvider time, EngineRegistry engines, IMetadataStoreProvider stores, IKeyProvider keys, LineageEmitter lineage)
{
    /// <summary>Where pipeline runs report their OpenLineage events (off unless configured).</summary>
    public LineageEmitter Lineage => lineage;

    /// <summary>A platform composed with <see cref="MeshworkServiceCollectionExtensions.AddMeshwork"/> (the embedded defaults unless configured).</summary>
    public static MeshworkPlatform Create(Action<MeshworkBuilder>? configure = null) =>
        new ServiceCollection().AddMeshwork(configure).BuildServiceProvider().GetRequiredService<MeshworkPlatform>();

    /// <summary>The metadata store of <paramref name="dataFolder"/>, of the kind this platform was composed with.</summary>
    public Task<IMetadataStore> OpenStoreAsync(string dataFolder, CancellationToken cancellationToken = default) =>
        stores.OpenAsync(Path.GetFullPath(dataFolder), time, cancellationToken);

    /// <summary>The data folder: the one given, else mesh.yaml's <c>dataFolder</c> inside the repository.</summary>
    public static string DataFolderOf(Mesh mesh, string? dataFolder) =>
        Path.GetFullPath(dataFolder ?? Path.Combine(mesh.RootPath, mesh.Settings.DataFolder));

    /// <summary>Checks a mesh repository (files, model and policies), or one contract or product file (<c>mesh lint</c>).</summary>
    public LintReport Lint(string path) => Directory.Exists(path) ? MeshGovernance.Lint(path, time).Report : MeshLinter.Lint(path);

    /// <summary>
    /// Creates a mesh repository from the template in <paramref name="target"/> (new or empty), all or nothing;
    /// returns the files written, relative to it.
    /// </summary>
    public static IReadOnlyList<string> Init(string target, MeshTemplateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (what, value) in new[] { ("domain", options.Domain), ("product", options.Product) })
        {
            if (!Names.IsValid(value))
            {
                throw new MeshworkException($"The {what} name '{value}' does not match [a-z][a-z0-9_]* (lowercase letters, digits, underscores).");
            }
        }

        var files = MeshTemplate.Render(options);
        WriteAll(target, files);
        return [.. files.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Lints the repository and, when it is clean, plans it against the applied state (read only).</summary>
    public async Task<PlanResult> PlanAsync(string path, string? dataFolder, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(path))
        {
            throw new MeshworkException($"'{path}' is not a folder; plan works on a mesh repository folder.");
        }

        var (mesh, report, governance) = MeshGovernance.Lint(path, time);
        var data = DataFolderOf(mesh, dataFolder);
        // A rule violation refuses its product only; any other error refuses the repository.
        if (governance is null || report.Diagnostics.Any(d => d.Severity == Severity.Error && !MeshGovernance.RefusesProductOnly(d)))
        {
            return new PlanResult(report, null, data, mesh);
        }

        var refused = report.Diagnostics.Where(d => d.Severity == Severity.Error && MeshGovernance.RefusesProductOnly(d))
            .Select(d => (Product: mesh.Products.FirstOrDefault(p => p.File == d.File)?.Key, d.Message))
            .Where(x => x.Product is not null).DistinctBy(x => x.Product).ToDictionary(x => x.Product!, x => x.Message, StringComparer.Ordinal);

        var (applied, agreements, drift) = await ReadAppliedAsync(data, cancellationToken).ConfigureAwait(false);

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var access = mesh.Products.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => governance.InputAccess(p, agreements, today)).ToList();
        foreach (var denied in access.Where(a => !a.Plan.Allowed))
        {
            refused.TryAdd(denied.Product, denied.Describe());
        }

        return new PlanResult(report, new Planner(time).Plan(mesh, applied, agreements), data, mesh) { Refused = refused, Access = access, Governance = governance, Drift = drift };
    }

    /// <summary>
    /// Plans, records the plan when nothing is refused, then runs every product's pipeline in lineage order. A
    /// product that fails is reported and its consumers are skipped; the others still run.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(string path, string? dataFolder, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        await ApplyAsync(await PlanAsync(path, dataFolder, cancellationToken).ConfigureAwait(false), progress, cancellationToken).ConfigureAwait(false);

    /// <summary>Applies a plan made by <see cref="PlanAsync"/> (the one a person just reviewed), then runs the pipelines.</summary>
    public async Task<ApplyResult> ApplyAsync(PlanResult planned, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planned);
        if (planned.Plan is not { } plan || plan.HasRefusals || planned.Governance is not { } governance)
        {
            return new ApplyResult(planned.Lint, planned.Plan, [], [], planned.DataFolder);
        }

        var mesh = planned.Mesh;
        await using var store = await stores.OpenAsync(planned.DataFolder, time, cancellationToken).ConfigureAwait(false);
        await RunLease.EndAbandonedRunsAsync(store, planned.DataFolder, cancellationToken).ConfigureAwait(false);
        await store.RecordPlanAsync(plan, cancellationToken).ConfigureAwait(false);
        // The repository as applied goes into the store: servers serve and run it from there, not from this checkout.
        await store.RecordAppliedMeshAsync(AppliedMesh.Capture(mesh, $"{time.GetUtcNow():O} {Guid.NewGuid():N}", time.GetUtcNow()), cancellationToken).ConfigureAwait(false);

        var runner = new PipelineRunner(store, engines, time, keys, planned.DataFolder, lineage: lineage);
        var datasets = new List<DatasetRun>();
        var errors = new List<string>();
        var outcomes = new List<ProductOutcome>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var product in PipelineRunner.LineageOrder(mesh))
        {
            var ports = plan.Ports.Where(p => p.Product.Key == product.Key && !p.Deprecated).ToList();
            if (ports.Count == 0)
            {
                continue;
            }

            await RecordInputAgreementsAsync(store, planned.Access.Where(a => a.Product == product.Key), progress, cancellationToken).ConfigureAwait(false);
            if (planned.Refused.TryGetValue(product.Key, out var violation))
            {
                failed.Add(product.Key);
                errors.Add(violation.StartsWith(product.Key + ":", StringComparison.Ordinal) ? violation : $"{product.Key}: refused: {violation}");
                outcomes.Add(new ProductOutcome(product.Key, product.Domain, "refused", violation));
                progress?.Report($"{product.Key}: refused");
                continue;
            }

            var blocked = product.InputPorts.Select(i => mesh.FindPublisher(i.ContractId)?.Product.Key).FirstOrDefault(k => k is not null && failed.Contains(k));
            if (blocked is not null)
            {
                failed.Add(product.Key);
                errors.Add($"{product.Key}: skipped, because its upstream {blocked} failed.");
                outcomes.Add(new ProductOutcome(product.Key, product.Domain, "skipped", $"its upstream {blocked} failed"));
                progress?.Report($"{product.Key}: skipped (upstream {blocked} failed)");
                continue;
            }

            progress?.Report($"{product.Key}: running");
            try
            {
                var runs = await runner.RunAsync(governance, product, ports, cancellationToken).ConfigureAwait(false);
                datasets.AddRange(runs);
                outcomes.Add(new ProductOutcome(product.Key, product.Domain, "applied", null));
                foreach (var run in runs)
                {
                    progress?.Report(run.Unchanged
                        ? $"{run.Address}: unchanged"
                        : $"{run.Address}: {run.Published} published, {run.Quarantined} quarantined; checks {run.Passed} passed, {run.Failed} failed, {run.Warned} warned");
                }
            }
            catch (PipelineException e)
            {
                failed.Add(product.Key);
                errors.Add(e.Message);
                outcomes.Add(new ProductOutcome(product.Key, product.Domain, "failed", e.Message));
                progress?.Report($"{product.Key}: failed: {e.Message}");
            }
        }

        // A CLI apply exits next: queued events get a bounded moment to go out (never an error when the receiver is down).
        await lineage.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return new ApplyResult(planned.Lint, plan, datasets, errors, planned.DataFolder) { Products = outcomes };
    }

    /// <summary>
    /// Records the agreements a product's cross-team inputs stand on, so each is a lineage edge the owners see:
    /// an input a policy permits gets an active agreement (approved by that policy); one nobody permits gets a
    /// pending request for the owning team, filed once.
    /// </summary>
    private async Task RecordInputAgreementsAsync(IMetadataStore store, IEnumerable<InputAccess> inputs, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        foreach (var input in inputs.Where(i => i.Agreement is null && i.CrossesTeams && (i.Plan.Allowed || i.Plan.Policies.Count == 0)).DistinctBy(i => i.Dataset))
        {
            var existing = await store.ListAgreementsAsync(input.Consumer, input.Dataset, cancellationToken).ConfigureAwait(false);
            if (existing.Any(a => a.Status == AgreementStatus.Pending || a.IsActive(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))))
            {
                continue;
            }

            var now = time.GetUtcNow();
            var agreement = Agreement.Requested(input.Consumer, input.Dataset, InputAccess.DefaultPurpose, null, null, input.Plan, now);
            await store.AddAgreementAsync(agreement, cancellationToken).ConfigureAwait(false);
            await store.AppendAuditAsync(new AuditEntry("platform", "access-request", input.Dataset, InputAccess.DefaultPurpose, input.Plan.Digest, null,
                agreement.Status.ToString().ToLowerInvariant(), $"{agreement.Id}: input port '{input.InputPort}' of {input.Product}"), cancellationToken).ConfigureAwait(false);
            progress?.Report(input.Plan.Allowed
                ? $"{input.Product}: agreement {agreement.Id} on {input.Dataset} ({input.Plan.Reason})"
                : $"{input.Product}: requested access to {input.Dataset} (agreement {agreement.Id}, pending for {input.OwnerTeam ?? "the owning team"})");
        }
    }

    /// <summary>
    /// Compares two versions of a contract (<c>mesh diff</c>): each a contract file, or a contract id of the mesh
    /// (the old side: as applied, else as in the repository; the new side: as in the repository). With only
    /// <paramref name="old"/>, a contract id, the applied version is compared with the repository's. With a mesh,
    /// every breaking change names the live consumers (input ports, active agreements) it would break.
    /// </summary>
    public async Task<ContractDiffResult> DiffAsync(string old, string? @new, string? meshPath, string? dataFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(old);
        var root = meshPath ?? ".";
        Mesh? mesh = null;
        if (File.Exists(Path.Combine(root, "mesh.yaml")))
        {
            mesh = MeshLoader.Load(root).Mesh;
        }
        else if (meshPath is not null)
        {
            throw new MeshworkException($"'{meshPath}' is not a mesh repository: it has no mesh.yaml.");
        }

        var (applied, agreements, _) = mesh is null ? (AppliedState.Empty, [], []) : await ReadAppliedAsync(DataFolderOf(mesh, dataFolder), cancellationToken).ConfigureAwait(false);

        Contract InMesh(string id) =>
            mesh?.FindContract(id) ?? throw new MeshworkException(mesh is null
                ? $"'{id}' is not a file, and there is no mesh here to find a contract id in (give --mesh PATH)."
                : $"'{id}' is neither a contract file nor a contract id of the mesh at {mesh.RootPath}.");

        ContractVersion Repository(string id)
        {
            var contract = InMesh(id);
            return ContractVersion.Of($"{contract.File} (repository)", contract, mesh!.FindPublisher(id)?.Port.Major);
        }

        ContractVersion Resolve(string argument, bool oldSide) =>
            File.Exists(argument) ? ContractVersion.Of(argument, ContractDiff.ReadFile(argument))
            : oldSide ? Applied(mesh, applied, InMesh(argument).Id) ?? Repository(argument)
            : Repository(argument);

        ContractVersion before, after;
        if (@new is null)
        {
            if (File.Exists(old))
            {
                throw new MeshworkException($"Give two contract files to compare, or one contract id to compare what is applied with the repository; '{old}' is a file.");
            }

            after = Repository(old);
            before = Applied(mesh, applied, after.ContractId)
                ?? throw new MeshworkException($"Contract '{old}' is not applied{(mesh is null ? string.Empty : $" in {DataFolderOf(mesh, dataFolder)}")}: nothing to compare the repository with.");
        }
        else
        {
            before = Resolve(old, oldSide: true);
            after = Resolve(@new, oldSide: false);
        }

        var consumers = new Dictionary<string, IReadOnlyList<DatasetConsumer>>(StringComparer.Ordinal);
        if (mesh?.FindPublisher(before.ContractId) is { } publisher)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            foreach (var (name, schema) in before.Objects)
            {
                var address = Names.DatasetAddress(publisher.Product.Domain, publisher.Product.Name, name, before.Major);
                consumers[name] = Consumers.Of(mesh, before.ContractId, address, [.. schema.Columns.Select(c => c.Name)], agreements, today);
            }
        }

        return ContractDiff.Compare(before, after, consumers);
    }

    /// <summary>What a data folder has applied and the agreements recorded there; nothing when no store exists yet (read only).</summary>
    private async Task<(AppliedState Applied, IReadOnlyList<Agreement> Agreements, IReadOnlyList<DriftFinding> Drift)> ReadAppliedAsync(string dataFolder, CancellationToken cancellationToken)
    {
        if (!stores.Exists(dataFolder))
        {
            return (AppliedState.Empty, [], []);
        }

        await using var store = await stores.OpenAsync(dataFolder, time, cancellationToken).ConfigureAwait(false);
        var applied = await store.GetAppliedStateAsync(cancellationToken).ConfigureAwait(false);
        return (applied, await store.ListAgreementsAsync(null, null, cancellationToken).ConfigureAwait(false),
            await SnapshotDrift.FindAsync(store, applied, dataFolder, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The newest live version of a contract as applied: the schemas consumers rely on now; null when not applied.</summary>
    private static ContractVersion? Applied(Mesh? mesh, AppliedState applied, string contractId)
    {
        if (mesh?.FindPublisher(contractId) is not { } publisher)
        {
            return null;
        }

        var port = applied.Ports.Where(p => p.ProductKey == publisher.Product.Key && p.Name == publisher.Port.Name && p.ContractId == contractId && p.Status == PortStatus.Live)
            .MaxBy(p => p.Major);
        if (port is null)
        {
            return null;
        }

        var suffix = $"_v{port.Major}";
        var objects = applied.Datasets.Where(d => d.ProductKey == port.ProductKey && d.PortName == port.Name && d.Major == port.Major)
            .ToDictionary(d => d.Address.Split('.')[^1] is var last && last.EndsWith(suffix, StringComparison.Ordinal) ? last[..^suffix.Length] : last, d => d.Schema, StringComparer.Ordinal);
        return new ContractVersion($"{contractId} as applied (port {port.Name} v{port.Version})", contractId, port.Version, port.Major, objects);
    }

    /// <summary>Opens an applied data folder for serving (the server's facade).</summary>
    public Task<ServedMesh> ServeAsync(ServeOptions options, CancellationToken cancellationToken = default) =>
        ServedMesh.OpenAsync(options, time, engines, stores, keys, lineage, cancellationToken);

    /// <summary>A bearer token for a principal of the applied repository's people.yaml, signed with the data folder's key.</summary>
    public async Task<string> IssueTokenAsync(string dataFolder, string principal, TimeSpan? lifetime, CancellationToken cancellationToken = default)
    {
        if (lifetime is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new MeshworkException("--ttl must be a positive duration (for example 30m, 12h, 7d).");
        }

        await using var served = await ServeAsync(new ServeOptions { DataFolder = dataFolder }, cancellationToken).ConfigureAwait(false);
        var people = (await served.StateAsync(cancellationToken).ConfigureAwait(false)).Mesh.People;
        if (people.FindPrincipal(principal) is null)
        {
            throw new MeshworkException($"No principal '{principal}' in people.yaml; principals: {string.Join(", ", people.Principals.Select(p => p.Id))}.");
        }

        return served.Tokens.Issue(principal, lifetime);
    }

    /// <summary>
    /// Runs the contracts' quality checks and SLOs (freshness, retention) on the datasets as published, without
    /// re-running pipelines; results join the check history.
    /// </summary>
    public async Task<TestResult> TestAsync(string path, string? dataFolder, string? product, CancellationToken cancellationToken = default)
    {
        var planned = await PlanAsync(path, dataFolder, cancellationToken).ConfigureAwait(false);
        if (planned.Plan is not { } plan)
        {
            return new TestResult(planned.Lint, [], []);
        }

        if (!stores.Exists(planned.DataFolder))
        {
            throw new MeshworkException($"Nothing is applied in {planned.DataFolder}; run 'mesh apply' first.");
        }

        var ports = plan.Ports.Where(p => product is null || p.Product.Key == product || p.Product.Id == product).ToList();
        if (product is not null && ports.Count == 0)
        {
            throw new MeshworkException($"No product '{product}' with output ports in the repository.");
        }

        await using var store = await stores.OpenAsync(planned.DataFolder, time, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<TestOutcome>();
        var errors = new List<string>();
        var runId = "test-" + Guid.NewGuid().ToString("N");
        foreach (var group in ports.GroupBy(p => p.Product.Key))
        {
            IComputeEngine engine;
            try
            {
                engine = await PipelineRunner.OpenEngineAsync(engines, planned.Mesh, group.First().Product, cancellationToken).ConfigureAwait(false);
            }
            catch (PipelineException e)
            {
                errors.Add(e.Message);
                continue;
            }

            await using var session = engine;
            foreach (var port in group)
            {
                foreach (var spec in port.Datasets)
                {
                    var snapshot = await store.GetCurrentSnapshotAsync(spec.Address, cancellationToken).ConfigureAwait(false);
                    if (snapshot is null)
                    {
                        errors.Add($"{spec.Address}: not published yet; run 'mesh apply'.");
                        continue;
                    }

                    if (SnapshotDrift.Problem(planned.DataFolder, snapshot) is { } drift)
                    {
                        errors.Add($"{spec.Address}: {drift}; run 'mesh apply' to publish it again.");
                        continue;
                    }

                    await engine.AttachAsync(spec.Address, snapshot.FolderIn(planned.DataFolder), cancellationToken).ConfigureAwait(false);
                    var checks = await engine.RunChecksAsync(spec, spec.Address, cancellationToken).ConfigureAwait(false);
                    await store.RecordChecksAsync(runId, spec.Address, checks, cancellationToken).ConfigureAwait(false);
                    outcomes.AddRange(checks.Select(c => new TestOutcome(spec.Address, c.Check.Name, c.Status.ToString().ToLowerInvariant(),
                        c.Check.Severity.ToString().ToLowerInvariant(), c.Message)));
                    foreach (var slo in Slo.Of(port.Contract, spec.ObjectName))
                    {
                        outcomes.Add(await slo.EvaluateAsync(engine, spec.Address, snapshot, time.GetUtcNow(), cancellationToken).ConfigureAwait(false));
                    }
                }
            }
        }

        return new TestResult(planned.Lint, outcomes, errors);
    }

    /// <summary>
    /// Writes the files into a fresh sibling folder and moves them into place only when all are written,
    /// so a failure leaves no half-made repository behind.
    /// </summary>
    private static void WriteAll(string target, IReadOnlyDictionary<string, string> files)
    {
        if (File.Exists(target))
        {
            throw new MeshworkException($"'{target}' is a file; give a folder that does not exist or is empty.");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new MeshworkException($"'{target}' is not empty; mesh init never overwrites. Give a new or empty folder.");
        }

        var parent = Path.GetDirectoryName(target) ?? throw new MeshworkException($"'{target}' has no parent folder.");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.mesh-init-{Guid.NewGuid():N}");
        try
        {
            foreach (var (relative, content) in files)
            {
                var path = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }

            if (Directory.Exists(target))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging))
                {
                    var destination = Path.Combine(target, Path.GetFileName(entry));
                    if (Directory.Exists(entry))
                    {
                        Directory.Move(entry, destination);
                    }
                    else
                    {
                        File.Move(entry, destination);
                    }
                }

                Directory.Delete(staging, recursive: true);
            }
            else
            {
                Directory.Move(staging, target);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
