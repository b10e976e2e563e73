using System.Globalization;
using Meshwork.Engines.Ir;
using static Meshwork.Engines.Sql.SqlDialect;

namespace Meshwork.Engines.DuckDb;

/// <summary>
/// Snapshots: written as Parquet files of bounded size (<c>part-0.parquet</c>, <c>part-1.parquet</c> ...), and rows taken
/// out of relations and snapshots (retention, erasure) without touching the files that do not hold them.
/// </summary>
public sealed partial class DuckDbEngine
{
    // DuckDB's own row group size; a smaller file bound makes the row groups smaller too.
    private const int RowGroupRows = 122_880;

    public async Task<SnapshotInfo> PublishAsync(string relation, string folder, IReadOnlyList<string>? clusterBy = null, CancellationToken cancellationToken = default)
    {
        await WriteSnapshotAsync(folder, staging => clusterBy is { Count: > 0 }
            ? WriteClusteredAsync(relation, clusterBy, staging, cancellationToken)
            : ExecuteAsync(
                string.Create(CultureInfo.InvariantCulture,
                    $"COPY (SELECT * FROM {Relation(relation)}) TO {Literal(staging)} (FORMAT parquet, COMPRESSION zstd, " +
                    $"ROW_GROUP_SIZE {Math.Min(RowGroupRows, _fileRows)}, ROW_GROUPS_PER_FILE {Math.Max(1, _fileRows / RowGroupRows)}, FILENAME_PATTERN 'part-{{i}}')"),
                cancellationToken, $"Writing snapshot of {relation}")).ConfigureAwait(false);
        var files = SnapshotFiles(folder);
        return new SnapshotInfo(folder, files, await CountRowsAsync(files, "TRUE", cancellationToken).ConfigureAwait(false));
    }

    public async Task<long> RemoveRowsAsync(string relation, FilterExpr remove, ReadOnlyMemory<byte> key, string into, CancellationToken cancellationToken = default)
    {
        // Counted first: into may be relation itself.
        var before = await CountAsync(relation, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {Identifier(into)} AS SELECT * FROM {Relation(relation)} WHERE NOT coalesce({Condition(remove, key)}, FALSE)",
            cancellationToken, $"Removing rows from {relation}").ConfigureAwait(false);
        return before - await CountAsync(into, cancellationToken).ConfigureAwait(false);
    }

    public Task<long> CountSnapshotRowsAsync(string snapshotFolder, FilterExpr match, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) =>
        CountRowsAsync(SnapshotFiles(snapshotFolder), Condition(match, key), cancellationToken);

    public async Task<SnapshotRewrite> RewriteSnapshotAsync(string snapshotFolder, FilterExpr remove, ReadOnlyMemory<byte> key, string targetFolder, CancellationToken cancellationToken = default)
    {
        EnsureNewSnapshot(targetFolder);
        var files = SnapshotFiles(snapshotFolder);
        var condition = Condition(remove, key);
        // The condition alone, as DuckDB's scan can test it against each row group's min/max and skip the row groups
        // that cannot match; a row where it is NULL does not pass a WHERE, so it is kept.
        var matches = new long[files.Count];
        long rows = 0;
        for (var i = 0; i < files.Count; i++)
        {
            rows += await CountRowsAsync([files[i]], "TRUE", cancellationToken).ConfigureAwait(false);
            matches[i] = await CountRowsAsync([files[i]], condition, cancellationToken).ConfigureAwait(false);
        }

        var removed = matches.Sum();
        if (removed == 0)
        {
            return new SnapshotRewrite(0, rows, 0, 0, 0);
        }

        var (rewritten, copied, bytes) = (0, 0, 0L);
        await WriteSnapshotAsync(targetFolder, async staging =>
        {
            for (var i = 0; i < files.Count; i++)
            {
                var target = Path.Combine(staging, Path.GetFileName(files[i]));
                if (matches[i] == 0)
                {
                    // Snapshot files are never changed in place: the copy can share the file's data (a hard link).
                    if (!HardLink(files[i], target))
                    {
                        File.Copy(files[i], target);
                        bytes += new FileInfo(target).Length;
                    }

                    copied++;
                }
                else
                {
                    await ExecuteAsync($"COPY (SELECT * FROM read_parquet({Literal(files[i])}) WHERE NOT coalesce({condition}, FALSE)) TO {Literal(target)} (FORMAT parquet, COMPRESSION zstd)",
                        cancellationToken, $"Rewriting {files[i]}").ConfigureAwait(false);
                    rewritten++;
                    bytes += new FileInfo(target).Length;
                }
            }
        }).ConfigureAwait(false);
        return new SnapshotRewrite(removed, rows - removed, rewritten, copied, bytes);
    }

    /// <summary>A hard link <paramref name="link"/> to <paramref name="file"/> (POSIX <c>link</c>); false where there is none (another OS, another file system).</summary>
    private static bool HardLink(string file, string link) =>
        !OperatingSystem.IsWindows() && NativeLink(file, link) == 0;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "link", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int NativeLink(string file, string link);

    /// <summary>
    /// The rows sorted once into a session table, each file written from its slice of the table's row ids (their order):
    /// DuckDB's COPY that splits files itself writes row groups in parallel and out of order (measured), whereas a COPY
    /// into one file keeps the order of its query.
    /// </summary>
    private async Task WriteClusteredAsync(string relation, IReadOnlyList<string> clusterBy, string staging, CancellationToken cancellationToken)
    {
        var sorted = Identifier("__mw_clustered_" + Guid.NewGuid().ToString("N"));
        await ExecuteAsync($"CREATE TEMP TABLE {sorted} AS SELECT * FROM {Relation(relation)} ORDER BY {string.Join(", ", clusterBy.Select(Identifier))}",
            cancellationToken, $"Sorting {relation} by {string.Join(", ", clusterBy)}").ConfigureAwait(false);
        try
        {
            var rows = (long)await ScalarAsync($"SELECT count(*) FROM {sorted}", cancellationToken, $"Counting {relation}").ConfigureAwait(false);
            // One file at least: an empty relation is an empty snapshot, not a missing one.
            var start = 0L;
            for (var part = 0; part == 0 || start < rows; part++, start += _fileRows)
            {
                var file = Path.Combine(staging, string.Create(CultureInfo.InvariantCulture, $"part-{part}.parquet"));
                await ExecuteAsync(
                    string.Create(CultureInfo.InvariantCulture,
                        $"COPY (SELECT * FROM {sorted} WHERE rowid >= {start} AND rowid < {start + _fileRows}) TO {Literal(file)} (FORMAT parquet, COMPRESSION zstd)"),
                    cancellationToken, $"Writing snapshot of {relation}").ConfigureAwait(false);
            }
        }
        finally
        {
            await ExecuteAsync($"DROP TABLE IF EXISTS {sorted}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a snapshot into a folder beside <paramref name="folder"/> and renames it when complete: a reader or a crash
    /// never sees a partial snapshot. A failed write leaves nothing behind.
    /// </summary>
    private static async Task WriteSnapshotAsync(string folder, Func<string, Task> write)
    {
        EnsureNewSnapshot(folder);
        var staging = folder + ".writing-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            await write(staging).ConfigureAwait(false);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException e) when (Directory.Exists(folder))
            {
                // Another writer of the same snapshot finished first.
                throw new EngineException(AlreadyExists(folder), e);
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

    private static void EnsureNewSnapshot(string folder)
    {
        if (Directory.Exists(folder))
        {
            throw new EngineException(AlreadyExists(folder));
        }
    }

    private static string AlreadyExists(string folder) => $"Snapshot folder '{folder}' already exists; snapshots are immutable.";

    /// <summary>A snapshot's Parquet files in the order they were written (<c>part-2</c> before <c>part-10</c>).</summary>
    private static List<string> SnapshotFiles(string folder) => Directory.Exists(folder)
        ? [.. Directory.EnumerateFiles(folder, "*.parquet").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal)]
        : throw new EngineException($"There is no snapshot folder '{folder}'.");

    /// <summary>The rows of the files <paramref name="condition"/> is true for (none for no files: an empty snapshot).</summary>
    private async Task<long> CountRowsAsync(List<string> files, string condition, CancellationToken cancellationToken) => files.Count == 0
        ? 0
        : (long)await ScalarAsync($"SELECT count(*) FROM read_parquet([{string.Join(", ", files.Select(Literal))}]) WHERE {condition}", cancellationToken,
            "Counting snapshot rows").ConfigureAwait(false);

    private static string Condition(FilterExpr filter, ReadOnlyMemory<byte> key) => DuckDbSql.Instance.Filter(filter, new DuckDbMasks(key.Span));
}
