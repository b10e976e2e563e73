using Meshwork.Linting;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;

namespace Meshwork.Platform;

/// <summary>What <c>mesh plan</c> found: the lint report, and the plan when the repository lints clean.</summary>
public sealed record PlanResult(LintReport Lint, Plan? Plan, string DataFolder);

/// <summary>
/// The application facade the CLI, the server and tests call (DESIGN.md §5): each verb is one method here.
/// </summary>
public sealed class MeshworkPlatform(TimeProvider time)
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
}
