using System.Globalization;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Model;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Privacy;

/// <summary>
/// Removes rows from everything a product keeps of its datasets (DESIGN.md §6, privacy): the current snapshot, every
/// earlier one still kept, their quarantines, and the engine's version tables. It holds the product's run lease, so no
/// run publishes meanwhile; each snapshot is rewritten into a new folder (only the files that hold a removed row are
/// written again), then the store points every rewritten snapshot at its copy in one transaction, and only then are the
/// old folders and tables deleted: a crash leaves the old snapshots or the new ones listed, never a half.
/// </summary>
internal sealed class ProductRewriter(IMetadataStore store, EngineRegistry engines, TimeProvider time, string dataFolder, ReadOnlyMemory<byte> key, TimeSpan leaseDuration)
{
    /// <summary>How long to wait for a product's running pipeline to finish before giving up on this attempt.</summary>
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Removes from each dataset the rows its <c>Data</c> condition selects (and from its quarantine those its
    /// <c>Quarantine</c> condition selects; quarantined values are raw text). With <paramref name="dryRun"/> only counts.
    /// Throws <see cref="PipelineException"/> when the product's engine or files fail, or its pipeline holds it too long.
    /// </summary>
    public async Task<IReadOnlyList<DatasetRemoval>> RemoveAsync(Mesh mesh, DataProduct product, IReadOnlyList<(DatasetPrivacy Dataset, FilterExpr? Data, FilterExpr? Quarantine)> datasets,
        string reason, bool dryRun, CancellationToken cancellationToken)
    {
        var wanted = datasets.Where(d => d.Data is not null || d.Quarantine is not null).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        var leaseId = reason + "-" + Guid.NewGuid().ToString("N");
        await using var lease = await AcquireAsync(product.Key, leaseId, cancellationToken).ConfigureAwait(false);
        var listed = await store.GetSnapshotsAsync(product.Key, lease.Token).ConfigureAwait(false);
        await using var engine = await PipelineRunner.OpenEngineAsync(engines, mesh, product, lease.Token).ConfigureAwait(false);

        var removals = new List<DatasetRemoval>();
        var replacements = new List<(SnapshotRecord Old, SnapshotReplacement New, bool Current)>();
        var written = new List<string>();
        try
        {
            foreach (var (dataset, data, quarantine) in wanted)
            {
                long inCurrent = 0, inEarlier = 0, inQuarantine = 0, bytes = 0;
                int versions = 0, filesRewritten = 0, filesKept = 0;
                foreach (var (snapshot, supersededAt) in listed.Where(l => l.Snapshot.Address == dataset.Spec.Address))
                {
                    // The one snapshot never superseded is the current one (the pointer cannot move while the lease is held).
                    var isCurrent = supersededAt is null;
                    var (dataRemoved, newData, dataRewrite) = await RewriteAsync(engine, snapshot.FolderIn(dataFolder), snapshot.Snapshot, data, dryRun, written, lease.Token)
                        .ConfigureAwait(false);
                    var (quarantineRemoved, newQuarantine, quarantineRewrite) = snapshot.QuarantineSnapshot is { } q
                        ? await RewriteAsync(engine, snapshot.QuarantineFolderIn(dataFolder)!, q, quarantine, dryRun, written, lease.Token).ConfigureAwait(false)
                        : (0L, null, null);
                    if (dataRemoved + quarantineRemoved == 0)
                    {
                        continue;
                    }

                    versions++;
                    (isCurrent ? ref inCurrent : ref inEarlier) += dataRemoved;
                    inQuarantine += quarantineRemoved;
                    foreach (var rewrite in new[] { dataRewrite, quarantineRewrite }.OfType<SnapshotRewrite>())
                    {
                        (bytes, filesRewritten, filesKept) = (bytes + rewrite.BytesWritten, filesRewritten + rewrite.FilesRewritten, filesKept + rewrite.FilesCopied);
                    }

                    if (!dryRun)
                    {
                        replacements.Add((snapshot, new SnapshotReplacement(snapshot.Address, snapshot.Snapshot, newData ?? snapshot.Snapshot,
                            newQuarantine ?? snapshot.QuarantineSnapshot, dataRewrite?.Kept ?? snapshot.Rows, quarantineRewrite?.Kept ?? snapshot.Quarantined), isCurrent));
                    }
                }

                removals.Add(new DatasetRemoval(dataset.Spec.Address, inCurrent, inEarlier, inQuarantine, versions, filesRewritten, filesKept, bytes, time.GetUtcNow()));
            }

            if (dryRun || replacements.Count == 0)
            {
                return removals;
            }

            // The engine's own copies of each rewritten version are written before the pointers move, made current after.
            var versioned = engine as IVersionedEngine;
            var moved = replacements.Where(r => r.New.NewSnapshot != r.Old.Snapshot).ToList();
            var copied = new List<(SnapshotReplacement Replacement, bool Current)>();
            if (versioned is not null)
            {
                foreach (var (old, replacement, isCurrent) in moved)
                {
                    var filter = wanted.First(w => w.Dataset.Spec.Address == old.Address).Data!;
                    if (await versioned.CopyVersionAsync(new DatasetVersion(old.Address, Version(old.Snapshot)), Version(replacement.NewSnapshot), filter, key, lease.Token)
                        .ConfigureAwait(false))
                    {
                        copied.Add((replacement, isCurrent));
                    }
                }
            }

            await store.ReplaceSnapshotsAsync(product.Key, leaseId, [.. replacements.Select(r => r.New)], lease.Token).ConfigureAwait(false);
            written.Clear(); // listed now: never deleted as leftovers

            if (versioned is not null)
            {
                try
                {
                    await versioned.MakeCurrentAsync([.. copied.Where(c => c.Current).Select(c => new DatasetVersion(c.Replacement.Address, Version(c.Replacement.NewSnapshot)))],
                        CancellationToken.None).ConfigureAwait(false);
                    await versioned.EraseVersionsAsync([.. moved.Select(m => new DatasetVersion(m.Old.Address, Version(m.Old.Snapshot)))], CancellationToken.None).ConfigureAwait(false);
                }
                catch (EngineException e)
                {
                    throw new PipelineException($"{product.Key}: the snapshots are rewritten, but the engine's version tables could not follow: {EngineMessages.Redact(e.Message)}", e);
                }
            }

            foreach (var (old, replacement, _) in replacements)
            {
                // Unlisted now: a folder the file system keeps is deleted with other leftovers by the product's next run.
                if (replacement.NewSnapshot != old.Snapshot)
                {
                    PipelineRunner.TryDeleteFolder(old.FolderIn(dataFolder));
                }

                if (replacement.NewQuarantineSnapshot != old.QuarantineSnapshot && old.QuarantineFolderIn(dataFolder) is { } folder)
                {
                    PipelineRunner.TryDeleteFolder(folder);
                }
            }

            return removals;
        }
        catch (EngineException e)
        {
            throw new PipelineException($"{product.Key}: {EngineMessages.Redact(e.Message)}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PipelineException($"{product.Key}: {e.Message}", e);
        }
        finally
        {
            foreach (var folder in written)
            {
                PipelineRunner.TryDeleteFolder(Path.Combine(dataFolder, folder));
            }
        }
    }

    /// <summary>A snapshot rewritten (or, dry, counted) without the rows <paramref name="remove"/> selects: rows removed, and the new folder (relative) with what the rewrite did.</summary>
    private async Task<(long Removed, string? Folder, SnapshotRewrite? Rewrite)> RewriteAsync(IComputeEngine engine, string full, string relative, FilterExpr? remove, bool dryRun,
        List<string> written, CancellationToken cancellationToken)
    {
        if (remove is null || !Directory.Exists(full))
        {
            return (0, null, null);
        }

        if (dryRun)
        {
            return (await engine.CountSnapshotRowsAsync(full, remove, key, cancellationToken).ConfigureAwait(false), null, null);
        }

        var target = Rewritten(relative);
        var rewrite = await engine.RewriteSnapshotAsync(full, remove, key, Path.Combine(dataFolder, target), cancellationToken).ConfigureAwait(false);
        if (rewrite.Removed == 0)
        {
            return (0, null, null);
        }

        written.Add(target);
        return (rewrite.Removed, target, rewrite);
    }

    /// <summary>
    /// A rewritten snapshot's folder: its version keeps its time and run, so it sorts where it was among the product's
    /// versions, with the time of the rewrite after it, so a later rewrite of it sorts after this one (an engine that
    /// keeps versions makes the newest current).
    /// </summary>
    private string Rewritten(string snapshot)
    {
        var version = Version(snapshot);
        var original = version.IndexOf("-p", StringComparison.Ordinal) is var at and > 0 ? version[..at] : version;
        return string.Create(CultureInfo.InvariantCulture, $"{snapshot[..^version.Length]}{original}-p{time.GetUtcNow():yyyyMMddHHmmssfffffff}");
    }

    private static string Version(string snapshot) => Path.GetFileName(Path.TrimEndingDirectorySeparator(snapshot));

    private async Task<RunLease> AcquireAsync(string productKey, string leaseId, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + LeaseWait;
        while (true)
        {
            if (await RunLease.TryAcquireAsync(store, time, dataFolder, productKey, leaseId, leaseDuration, cancellationToken).ConfigureAwait(false) is { } lease)
            {
                return lease;
            }

            if (time.GetUtcNow() >= deadline)
            {
                var holder = (await store.GetLeaseAsync(productKey, cancellationToken).ConfigureAwait(false))?.Holder.ToString();
                throw new PipelineException($"{productKey}: its pipeline ({holder ?? "another process"}) held the product for {LeaseWait.TotalSeconds:0} s; try again when it has finished.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// What was removed from one dataset: rows of the current version, of earlier versions still kept, of their quarantines,
/// how many versions were rewritten, how many of their files were written again and how many taken as they were (hard links),
/// the bytes written, and when.
/// </summary>
public sealed record DatasetRemoval(string Address, long Current, long Earlier, long Quarantined, int Versions, int FilesRewritten, int FilesKept, long BytesWritten,
    DateTimeOffset At)
{
    public long Total => Current + Earlier + Quarantined;
}
