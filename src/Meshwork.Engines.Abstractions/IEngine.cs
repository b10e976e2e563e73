using System.Data.Common;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines;

/// <summary>
/// A compute engine for one pipeline run (a session): it reads sources and upstream datasets, runs the
/// transform, enforces the contract on write, publishes snapshots and runs checks. Relations are named in
/// the engine's SQL: input ports by their port name, datasets by their address (<c>domain.product.object_vN</c>).
/// One conformance suite (<c>EngineConformanceTests</c>) runs against every implementation.
/// </summary>
public interface IEngine : IAsyncDisposable
{
    /// <summary>The engine's name as mesh.yaml and domain.yaml write it (<c>duckdb</c>, <c>postgres</c>).</summary>
    string Name { get; }

    /// <summary>The columns of a relation, in order, with the engine's type names.</summary>
    Task<IReadOnlyList<RelationColumn>> IntrospectAsync(string relation, CancellationToken cancellationToken = default);

    /// <summary>Creates what a dataset address needs to be a SQL name (catalog, schema).</summary>
    Task ProvisionAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>Makes a source file readable as <paramref name="relation"/> (an input port's name).</summary>
    Task LoadAsync(SourceFile source, string relation, CancellationToken cancellationToken = default);

    /// <summary>Makes a published snapshot readable by its dataset address.</summary>
    Task AttachAsync(string address, string snapshotPath, CancellationToken cancellationToken = default);

    /// <summary>Runs a transform (one SELECT) into the session relation <paramref name="relation"/>.</summary>
    Task TransformAsync(string sql, string relation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks every row of <paramref name="input"/> against the dataset's row rules inside the engine, and
    /// splits it into <see cref="ValidationOutcome.ValidRelation"/> (typed, projected onto the contract's
    /// columns) and <see cref="ValidationOutcome.QuarantineRelation"/> (run id, reasons, raw text of each column).
    /// </summary>
    Task<ValidationOutcome> ValidateAsync(DatasetSpec spec, string input, string runId, CancellationToken cancellationToken = default);

    /// <summary>Writes a relation as an immutable snapshot into <paramref name="folder"/> (which must not exist yet).</summary>
    Task<SnapshotInfo> PublishAsync(string relation, string folder, CancellationToken cancellationToken = default);

    /// <summary>Runs the dataset's quality checks over <paramref name="relation"/>.</summary>
    Task<IReadOnlyList<CheckOutcome>> RunChecksAsync(DatasetSpec spec, string relation, CancellationToken cancellationToken = default);

    /// <summary>Runs a read-only query; the reader streams.</summary>
    Task<DbDataReader> ReadAsync(string sql, CancellationToken cancellationToken = default);
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

public enum CheckStatus
{
    Passed,
    Failed,
    Warned,
    Error,
}

/// <summary>A check's measured value and verdict; <see cref="CheckStatus.Warned"/> is a failed warning- or info-severity check.</summary>
public sealed record CheckOutcome(QualityCheck Check, decimal? Value, CheckStatus Status, string Message);

/// <summary>An engine refused an operation; the message names the relation, file or SQL at fault.</summary>
public sealed class EngineException : Exception
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
