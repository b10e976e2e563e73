using Meshwork.Engines;
using Meshwork.Linting;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;

namespace Meshwork.Platform;

/// <summary>What <c>mesh plan</c> found: the lint report, and the plan when the repository lints clean.</summary>
public sealed record PlanResult(LintReport Lint, Plan? Plan, string DataFolder);

/// <summary>
/// The application facade the CLI, the server and tests call (DESIGN.md §5): each verb is one method here.
/// </summary>
public sealed class MeshworkPlatform(TimeProvider time, EngineRegistry engines)
{
    /// <summary>The data folder: the one given, else mesh.yaml's <c>dataFolder</c> inside the repository.</summary>
    public static string DataFolderOf(Mesh mesh, string? dataFolder) =>
        Path.GetFullPath(dataFolder ?? Path.Combine(mesh.RootPath, mesh.Settings.DataFolder));

    /// <summary>Lints the repository and, when it is clean, plans it against the applied state (read only).</summary>
    public async Task<PlanResult> PlanAsync(string path, string? dataFolder, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(path))
        {
            throw new MeshworkException($"'{path}' is not a folder; plan works on a mesh repository folder.");
        }

        var (mesh, report) = MeshLinter.LintRepository(path);
        var data = DataFolderOf(mesh, dataFolder);
        if (report.Errors > 0)
        {
            return new PlanResult(report, null, data);
        }

        var applied = AppliedState.Empty;
        if (SqliteMetadataStore.Exists(data))
        {
            await using var store = await SqliteMetadataStore.OpenAsync(data, time, cancellationToken).ConfigureAwait(false);
            applied = await store.GetAppliedStateAsync(cancellationToken).ConfigureAwait(false);
        }

        return new PlanResult(report, new Planner(time).Plan(mesh, applied), data);
    }

    /// <summary>
    /// Plans, records the plan when nothing is refused, then runs every product's pipeline in lineage order. A
    /// product that fails is reported and its consumers are skipped; the others still run.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(string path, string? dataFolder, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var planned = await PlanAsync(path, dataFolder, cancellationToken).ConfigureAwait(false);
        if (planned.Plan is not { } plan || plan.HasRefusals)
        {
            return new ApplyResult(planned.Lint, planned.Plan, [], [], planned.DataFolder);
        }

        var mesh = MeshLinter.LintRepository(path).Mesh;
        await using var store = await SqliteMetadataStore.OpenAsync(planned.DataFolder, time, cancellationToken).ConfigureAwait(false);
        await store.RecordPlanAsync(plan, cancellationToken).ConfigureAwait(false);

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
}
