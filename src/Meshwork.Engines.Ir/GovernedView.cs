using Meshwork.Engines.Ir;

namespace Meshwork.Engines;

/// <summary>
/// A dataset as one consumer may read it: its current snapshot, the columns the access plan allows with their
/// masks, and the row filter. The engine applies masks and the filter inside the view, before any consumer
/// expression can see a value.
/// </summary>
public sealed record GovernedView(string Address, string SnapshotFolder, IReadOnlyList<GovernedColumn> Columns, FilterExpr? Filter = null)
{
    /// <summary>The version the snapshot is, as an engine that keeps versions names it: the snapshot folder's name.</summary>
    public string Version => Path.GetFileName(Path.TrimEndingDirectorySeparator(SnapshotFolder));
}

/// <summary>A readable column and its mask (none: the clear value).</summary>
public sealed record GovernedColumn(string Name, ColumnMask? Mask = null);
