using Meshwork.Engines;
using Meshwork.Linting;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Scaffolding;
using Meshwork.Diagnostics;
using Meshwork.Platform.Governing;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Quality;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;

namespace Meshwork.Platform;

/// <summary>What <c>mesh plan</c> found: the lint report, and the plan when the repository lints clean.</summary>
public sealed record PlanResult(LintReport Lint, Plan? Plan, string DataFolder, Mesh Mesh)
{
    /// <summary>Products an enforced rule policy refuses, with the first violation: apply skips them.</summary>
    public IReadOnlyDictionary<string, string> Refused { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The application facade the CLI, the server and tests call (DESIGN.md §5): each verb is one method here.
/// </summary>
public sealed class MeshworkPlatform(TimeProvider time, EngineRegistry engines)
{
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

        var (mesh, report, _) = MeshGovernance.Lint(path, time);
        var data = DataFolderOf(mesh, dataFolder);
        // A rule violation refuses its product only; any other error refuses the repository.
        if (report.Diagnostics.Any(d => d.Severity == Severity.Error && !MeshGovernance.RefusesProductOnly(d)))
        {
            return new PlanResult(report, null, data, mesh);
        }

        var refused = report.Diagnostics.Where(d => d.Severity == Severity.Error && MeshGovernance.RefusesProductOnly(d))
            .Select(d => (Product: mesh.Products.FirstOrDefault(p => p.File == d.File)?.Key, d.Message))
            .Where(x => x.Product is not null).DistinctBy(x => x.Product).ToDictionary(x => x.Product!, x => x.Message, StringComparer.Ordinal);

        var applied = AppliedState.Empty;
        if (SqliteMetadataStore.Exists(data))
        {
            await using var store = await SqliteMetadataStore.OpenAsync(data, time, cancellationToken).ConfigureAwait(false);
            applied = await store.GetAppliedStateAsync(cancellationToken).ConfigureAwait(false);
        }

        return new PlanResult(report, new Planner(time).Plan(mesh, applied), data, mesh) { Refused = refused };
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
        if (planned.Plan is not { } plan || plan.HasRefusals)
        {
            return new ApplyResult(planned.Lint, planned.Plan, [], [], planned.DataFolder);
        }

        var mesh = planned.Mesh;
        await using var store = await SqliteMetadataStore.OpenAsync(planned.DataFolder, time, cancellationToken).ConfigureAwait(false);
        await store.RecordPlanAsync(plan, cancellationToken).ConfigureAwait(false);
        await store.SetMetaAsync(MetaKeys.Repository, Path.GetFullPath(mesh.RootPath), cancellationToken).ConfigureAwait(false);
        await store.SetMetaAsync(MetaKeys.Applied, $"{time.GetUtcNow():O} {Guid.NewGuid():N}", cancellationToken).ConfigureAwait(false);

        var runner = new PipelineRunner(store, engines, time, planned.DataFolder);
        var datasets = new List<DatasetRun>();
        var errors = new List<string>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var product in PipelineRunner.LineageOrder(mesh))
        {
            var ports = plan.Ports.Where(p => p.Product.Key == product.Key && !p.Deprecated).ToList();
            if (ports.Count == 0)
            {
                continue;
            }

            if (planned.Refused.TryGetValue(product.Key, out var violation))
            {
                failed.Add(product.Key);
                errors.Add($"{product.Key}: refused: {violation}");
                progress?.Report($"{product.Key}: refused by a policy");
                continue;
            }

            var blocked = product.InputPorts.Select(i => mesh.FindPublisher(i.ContractId)?.Product.Key).FirstOrDefault(k => k is not null && failed.Contains(k));
            if (blocked is not null)
            {
                failed.Add(product.Key);
                errors.Add($"{product.Key}: skipped, because its upstream {blocked} failed.");
                progress?.Report($"{product.Key}: skipped (upstream {blocked} failed)");
                continue;
            }

            progress?.Report($"{product.Key}: running");
            try
            {
                var runs = await runner.RunAsync(mesh, product, ports, cancellationToken).ConfigureAwait(false);
                datasets.AddRange(runs);
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
                progress?.Report($"{product.Key}: failed: {e.Message}");
            }
        }

        return new ApplyResult(planned.Lint, plan, datasets, errors, planned.DataFolder);
    }

    /// <summary>Opens an applied data folder for serving (the server's facade).</summary>
    public Task<ServedMesh> ServeAsync(ServeOptions options, CancellationToken cancellationToken = default) =>
        ServedMesh.OpenAsync(options, time, engines, cancellationToken);

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

        if (!SqliteMetadataStore.Exists(planned.DataFolder))
        {
            throw new MeshworkException($"Nothing is applied in {planned.DataFolder}; run 'mesh apply' first.");
        }

        var ports = plan.Ports.Where(p => product is null || p.Product.Key == product || p.Product.Id == product).ToList();
        if (product is not null && ports.Count == 0)
        {
            throw new MeshworkException($"No product '{product}' with output ports in the repository.");
        }

        await using var store = await SqliteMetadataStore.OpenAsync(planned.DataFolder, time, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<TestOutcome>();
        var errors = new List<string>();
        var runId = "test-" + Guid.NewGuid().ToString("N");
        foreach (var group in ports.GroupBy(p => p.Product.Key))
        {
            await using var engine = await engines.Get(PipelineRunner.EngineOf(planned.Mesh, group.First().Product)).OpenAsync(cancellationToken).ConfigureAwait(false);
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

                    await engine.AttachAsync(spec.Address, Path.Combine(planned.DataFolder, snapshot.Snapshot), cancellationToken).ConfigureAwait(false);
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
