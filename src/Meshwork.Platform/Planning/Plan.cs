using System.Collections.Immutable;
using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Planning;

public enum ChangeKind
{
    CreateProduct,
    PublishPort,
    CompatibleChange,
    BreakingChange,
    DeprecatePort,
    DropProduct,
}

/// <summary>One step of a plan. A <see cref="ChangeKind.BreakingChange"/> on a live port version is refused, with the fix.</summary>
public sealed record PlannedChange(
    ChangeKind Kind,
    string ProductKey,
    string? Port,
    int? Major,
    string Summary,
    ImmutableArray<SchemaChange> SchemaChanges,
    string? Fix = null)
{
    public bool Refused => Kind == ChangeKind.BreakingChange;

    /// <summary>
    /// Live consumers the change concerns: for a breaking change, those it would break; for a deprecation,
    /// those that must migrate before the sunset.
    /// </summary>
    public ImmutableArray<DatasetConsumer> Consumers { get; init; } = [];

    /// <summary>When a deprecated port version stops serving.</summary>
    public DateTimeOffset? SunsetAt { get; init; }
}

/// <summary>An output port version as the repository wants it, with its compiled datasets.</summary>
public sealed record DesiredPort(DataProduct Product, OutputPort Port, int Major, Contract Contract, ImmutableArray<DatasetSpec> Datasets)
{
    public bool Deprecated => Contract.Status is "deprecated" or "retired";
}

/// <summary>Desired (files) against applied (store): what <c>mesh apply</c> would do.</summary>
public sealed record Plan(
    ImmutableArray<PlannedChange> Changes,
    ImmutableArray<DataProduct> Products,
    ImmutableArray<DesiredPort> Ports,
    ImmutableArray<LineageEdge> Lineage,
    IReadOnlyList<Diagnostic> Warnings,
    DateTimeOffset PlannedAt,
    TimeSpan SunsetGrace)
{
    public bool HasRefusals => Changes.Any(c => c.Refused);

    public bool IsEmpty => Changes.IsEmpty;

    /// <summary>Whether a port version may be recorded as desired (no refused change on it).</summary>
    public bool Allows(DesiredPort port) =>
        !Changes.Any(c => c.Refused && c.ProductKey == port.Product.Key && c.Port == port.Port.Name && c.Major == port.Major);
}
