using System.Security.Cryptography;
using System.Text;
using Meshwork.Engines.Ir;

namespace Meshwork.Governance;

/// <summary>Why a principal reads: the purpose they state and the port they read through (http, sql, ui, pipeline).</summary>
public sealed record AccessRequest(string? Purpose, string Channel);

/// <summary>
/// What one principal may read of one dataset, decided once per request (DESIGN.md §4): allowed or not (with
/// the reason and how to get access), the readable columns with a mask each, and the row filter.
/// </summary>
public sealed record AccessPlan(string Address, bool Allowed, string Reason, IReadOnlyList<string> Columns)
{
    /// <summary>Masked columns (absent: clear).</summary>
    public IReadOnlyDictionary<string, ColumnMask> Masks { get; init; } = new Dictionary<string, ColumnMask>();

    /// <summary>Rows the caller may see; null: all.</summary>
    public FilterExpr? Filter { get; init; }

    /// <summary>The policies that shaped the plan, by name.</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary>The engine view that enforces this plan over a dataset's snapshot: the readable columns, masked, and the row filter.</summary>
    public Engines.GovernedView View(string snapshotFolder) =>
        Allowed
            ? new(Address, snapshotFolder, [.. Columns.Select(c => new Engines.GovernedColumn(c, Masks.GetValueOrDefault(c)))], Filter)
            : throw new InvalidOperationException($"The plan for {Address} denies the read: {Reason}");

    /// <summary>A short digest of the plan, written to the audit log with every read.</summary>
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{Address}|{Allowed}|{string.Join(",", Columns)}|{string.Join(",", Masks.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}:{m.Value.Kind}"))}|{Filter}")))[..16];
}
