using Meshwork.Platform.Store;

namespace Meshwork.Platform.Pipelines;

/// <summary>A published dataset whose data is not where the store says it is: plan lists it, apply runs its product again.</summary>
public sealed record DriftFinding(string Address, string Product, string Problem);

/// <summary>
/// Drift between the store and the data folder: a current snapshot (or its quarantine) whose folder is gone or holds
/// no data file, as a deleted or half-restored data folder leaves it.
/// </summary>
public static class SnapshotDrift
{
    /// <summary>What is wrong with a published snapshot's files, or null when they are there.</summary>
    public static string? Problem(string dataFolder, SnapshotRecord snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var folder = snapshot.FolderIn(dataFolder);
        if (!Directory.Exists(folder))
        {
            return $"its published snapshot {snapshot.Snapshot} is missing from the data folder";
        }

        if (!Directory.EnumerateFiles(folder, "*.parquet").Any())
        {
            return $"its published snapshot {snapshot.Snapshot} holds no data file";
        }

        return snapshot.QuarantineFolderIn(dataFolder) is { } quarantine && !Directory.Exists(quarantine)
            ? $"its quarantine snapshot {snapshot.QuarantineSnapshot} is missing from the data folder"
            : null;
    }

    /// <summary>Every dataset of <paramref name="applied"/> whose current snapshot has a <see cref="Problem"/>, by address.</summary>
    public static async Task<IReadOnlyList<DriftFinding>> FindAsync(IMetadataStore store, AppliedState applied, string dataFolder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(applied);
        var findings = new List<DriftFinding>();
        foreach (var dataset in applied.Datasets.Where(d => d.CurrentSnapshot is not null))
        {
            if (await store.GetCurrentSnapshotAsync(dataset.Address, cancellationToken).ConfigureAwait(false) is { } snapshot && Problem(dataFolder, snapshot) is { } problem)
            {
                findings.Add(new DriftFinding(dataset.Address, dataset.ProductKey, problem));
            }
        }

        return findings;
    }
}
