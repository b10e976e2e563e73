using System.Collections.Immutable;

namespace Meshwork.Engines.Ir;

/// <summary>
/// One dataset an output port publishes, compiled from its contract's schema object: the columns with their
/// engine-neutral types, the rules every row must pass to be published, and the quality checks run after.
/// </summary>
public sealed record DatasetSpec(
    string Address,
    string ContractId,
    string ObjectName,
    ImmutableArray<ColumnSpec> Columns,
    ImmutableArray<RowRule> Rules,
    ImmutableArray<QualityCheck> Checks)
{
    /// <summary>The quarantine dataset beside it: <c>&lt;address&gt;_quarantine</c>.</summary>
    public string QuarantineAddress => Address + "_quarantine";
}

public sealed record ColumnSpec(string Name, DataType Type, bool Required, string? Description);
