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
}
