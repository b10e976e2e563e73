using System.Data.Common;
using Apache.Arrow.Ipc;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines;

/// <summary>
/// An engine's pipeline role, one session per run: it reads sources and upstream datasets, runs the transform,
/// enforces the contract on write, publishes snapshots and runs checks. Relations are named in the engine's SQL:
/// input ports by their port name, datasets by their address (<c>domain.product.object_vN</c>). One conformance
/// suite (<c>EngineConformanceTests</c>) runs against every implementation.
/// </summary>
public interface IComputeEngine : IAsyncDisposable
{
    /// <summary>The engine's type as mesh.yaml's <c>engines</c> write it (<c>duckdb</c>, <c>postgres</c>).</summary>
    string Name { get; }

    /// <summary>The columns of a relation, in order, with the engine's type names.</summary>
    Task<IReadOnlyList<RelationColumn>> IntrospectAsync(string relation, CancellationToken cancellationToken = default);

    /// <summary>Creates what a dataset address needs to be a SQL name (catalog, schema).</summary>
    Task ProvisionAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>Makes a source file readable as <paramref name="relation"/> (an input port's name).</summary>
    Task LoadAsync(SourceFile source, string relation, CancellationToken cancellationToken = default);

    /// <summary>Makes a published snapshot readable by its dataset address.</summary>
    Task AttachAsync(string address, string snapshotPath, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a published snapshot readable by its dataset address as one consumer may read it: only the view's
    /// columns, masked, and only the rows its filter lets through (a pipeline reading upstream data).
    /// </summary>
    Task AttachGovernedAsync(GovernedView view, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default);

    /// <summary>Runs a transform (one SELECT) into the session relation <paramref name="relation"/>.</summary>
    Task TransformAsync(string sql, string relation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks every row of <paramref name="input"/> against the dataset's row rules inside the engine, and
    /// splits it into <see cref="ValidationOutcome.ValidRelation"/> (typed, projected onto the contract's
    /// columns) and <see cref="ValidationOutcome.QuarantineRelation"/> (run id, reasons, raw text of each column).
    /// </summary>
    Task<ValidationOutcome> ValidateAsync(DatasetSpec spec, string input, string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a relation as an immutable snapshot into <paramref name="folder"/> (which must not exist yet), as one or
    /// more Parquet files of bounded size. With <paramref name="clusterBy"/> (columns, e.g. a dataset's subject keys) the
    /// rows are written in that order, so the rows of one value sit in few files and <see cref="RewriteSnapshotAsync"/>
    /// rewrites only those.
    /// </summary>
    Task<SnapshotInfo> PublishAsync(string relation, string folder, IReadOnlyList<string>? clusterBy = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="into"/> a session relation of the rows of <paramref name="relation"/> that
    /// <paramref name="remove"/> is not true for (a row where it is NULL is kept), and returns how many rows it left out:
    /// a run leaves out rows past their retention and rows of erased subjects. <paramref name="key"/> keys
    /// <see cref="FilterKeyedHash"/> (the engine's keyed hash, as <see cref="IQueryEngine.ServeAsync"/>'s mask key does).
    /// </summary>
    Task<long> RemoveRowsAsync(string relation, FilterExpr remove, ReadOnlyMemory<byte> key, string into, CancellationToken cancellationToken = default);

    /// <summary>How many rows of a published snapshot (or quarantine snapshot) <paramref name="match"/> is true for; nothing is written.</summary>
    Task<long> CountSnapshotRowsAsync(string snapshotFolder, FilterExpr match, ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a published snapshot again, into <paramref name="targetFolder"/> (which must not exist), without the rows
    /// <paramref name="remove"/> is true for, as atomically as <see cref="PublishAsync"/>. Only the files that hold such
    /// a row are rewritten; the others are taken as they are (a hard link, else a copy). When no row matches, nothing is written and
    /// <see cref="SnapshotRewrite.Removed"/> is 0. The snapshot read stays as it was (readers may still be on it).
    /// </summary>
    Task<SnapshotRewrite> RewriteSnapshotAsync(string snapshotFolder, FilterExpr remove, ReadOnlyMemory<byte> key, string targetFolder, CancellationToken cancellationToken = default);

    /// <summary>Runs the dataset's quality checks over <paramref name="relation"/>.</summary>
    Task<IReadOnlyList<CheckOutcome>> RunChecksAsync(DatasetSpec spec, string relation, CancellationToken cancellationToken = default);

    /// <summary>Runs a read-only query; the reader streams.</summary>
    Task<DbDataReader> ReadAsync(string sql, CancellationToken cancellationToken = default);
}

/// <summary>
/// An engine's consumer role: a session that holds only governed views and runs one consumer's checked query. One
/// conformance suite (<c>EngineQueryConformanceTests</c>) runs against every implementation.
/// </summary>
public interface IQueryEngine : IAsyncDisposable
{
    /// <summary>
    /// Checks a consumer's query with the engine's own parser: exactly one SELECT; every relation it names is a
    /// dataset address (three parts) or a common table expression visible where it is named (SQL's scoping);
    /// no table function outside the engine's allow-list (they could read files around the governed views);
    /// generators within <see cref="ConsumerLimits.MaxGeneratedRows"/>. Returns the dataset addresses it reads,
    /// and the statement as the engine's parser understood it (comments and any trailing semicolon gone).
    /// Throws <see cref="QueryRefusedException"/> naming what is refused.
    /// </summary>
    Task<QueryInspection> InspectQueryAsync(string sql, ConsumerLimits limits, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes this session a consumer session: each view becomes readable by its address, with only its columns;
    /// the session's memory and threads are limited; then file access is limited to exactly the files the views
    /// read and the configuration is locked, so the consumer's query can reach nothing else.
    /// <paramref name="maskKey"/> keys MASK_HASH (an HMAC-SHA256), so hashes join across datasets but cannot be
    /// reversed or recomputed without the key.
    /// </summary>
    Task ServeAsync(IReadOnlyList<GovernedView> views, ConsumerLimits limits, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a read-only query as Arrow: the result's schema at once (so a failing query fails here, before any
    /// output), then record batches as the engine produces them. Disposing the stream ends the query, and so does
    /// <paramref name="cancellationToken"/> at any time while the stream lives: the engine stops computing and the
    /// call or the next batch throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<IArrowArrayStream> ReadArrowAsync(string sql, CancellationToken cancellationToken = default);
}

/// <summary>An engine with both roles (the embedded DuckDB engine).</summary>
public interface IEngine : IComputeEngine, IQueryEngine
{
}

/// <summary>Limits of one consumer session, so that one read cannot take the machine.</summary>
public sealed record ConsumerLimits
{
    /// <summary>Most memory the session's query may use, in bytes; the engine's default when null.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Threads the session's query may use; the engine's default when null.</summary>
    public int? Threads { get; init; }

    /// <summary>Most values a generator (<c>range</c>, <c>generate_series</c>) may produce in one query.</summary>
    public long MaxGeneratedRows { get; init; } = 10_000_000;

    /// <summary>
    /// Most time one query may run, enforced by a server engine itself (its statement timeout) as well as by the
    /// platform's interrupt: a query keeps running on a server whose client died. None when null.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>A consumer's query as the engine parsed it: the datasets it reads and the statement rewritten from its syntax tree.</summary>
public sealed record QueryInspection(IReadOnlyList<string> Datasets, string Sql);

/// <summary>A consumer query the engine will not run, with the reason.</summary>
public sealed class QueryRefusedException : Exception
{
    public QueryRefusedException()
    {
    }

    public QueryRefusedException(string message)
        : base(message)
    {
    }

    public QueryRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A consumer session cannot be served by this engine because it does not hold a view's version (the snapshot was
/// published before the product moved to the engine): the embedded engine serves it from the snapshot instead.
/// </summary>
public sealed class VersionNotHeldException : EngineException
{
    public VersionNotHeldException()
    {
    }

    public VersionNotHeldException(string message)
        : base(message)
    {
    }

    public VersionNotHeldException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

public sealed record RelationColumn(string Name, string EngineType);

public enum SourceFormat
{
    Csv,
    Parquet,
    Json,
}

/// <summary>A local source file (a glob allowed in its last segment), as a source contract's server describes it.</summary>
public sealed record SourceFile(string Path, SourceFormat Format);

public sealed record ValidationOutcome(string ValidRelation, string QuarantineRelation, long Valid, long Quarantined);

public sealed record SnapshotInfo(string Folder, IReadOnlyList<string> Files, long Rows);

/// <summary>
/// What rewriting a snapshot did: rows removed and kept, files rewritten and files taken as they were (hard-linked where
/// the file system allows, else copied), and the bytes written (rewritten files, and copies where no link could be made).
/// </summary>
public sealed record SnapshotRewrite(long Removed, long Kept, int FilesRewritten, int FilesCopied, long BytesWritten);

public enum CheckStatus
{
    Passed,
    Failed,
    Warned,
    Error,
}

/// <summary>
/// A check's measured value and verdict; <see cref="CheckStatus.Warned"/> is a failed warning- or info-severity check.
/// The message is stored and shown to every reader of the dataset's quality: an engine error in it is redacted
/// (<see cref="EngineMessages.Redact"/>).
/// </summary>
public sealed record CheckOutcome(QualityCheck Check, decimal? Value, CheckStatus Status, string Message);

/// <summary>An engine refused an operation; the message names the relation, file or SQL at fault.</summary>
public class EngineException : Exception
{
    public EngineException(string message)
        : base(message)
    {
    }

    public EngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EngineException()
    {
    }
}
