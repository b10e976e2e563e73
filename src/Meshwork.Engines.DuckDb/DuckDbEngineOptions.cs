namespace Meshwork.Engines.DuckDb;

/// <summary>Settings of the embedded DuckDB engine.</summary>
public sealed class DuckDbEngineOptions
{
    /// <summary>DuckDB's memory limit for one session (DuckDB syntax, e.g. <c>4GB</c>); DuckDB's default when null.</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>Threads for one session; DuckDB's default (all cores) when null.</summary>
    public int? Threads { get; set; }

    /// <summary>Folder for spilling large sorts and joins; DuckDB's default when null.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>
    /// About how many rows one Parquet file of a published snapshot holds at most: a larger relation is written as several
    /// files, so erasing a row rewrites only the files that hold it. Without clustering the bound is kept in whole row
    /// groups (DuckDB's hold multiples of 2,048 rows) and parallel writers may pass it by a row group or two.
    /// </summary>
    public int SnapshotFileRows { get; set; } = 1_000_000;
}
