using System.Collections.Immutable;
using System.Text.Json;
using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>An ODCS v3.1.0 data contract (<c>*.odcs.yaml</c>), migrated from v3.0.x where needed.</summary>
public sealed record Contract(
    string Id,
    string? Name,
    string Version,
    string Status,
    string ApiVersion,
    string? Domain,
    string? DataProduct,
    string? Purpose,
    ImmutableArray<SchemaObject> Schema,
    ImmutableArray<Server> Servers,
    ImmutableArray<SlaProperty> Sla,
    ImmutableArray<CustomProperty> CustomProperties,
    ImmutableArray<string> Tags,
    string File,
    SourceLocation Location)
{
    /// <summary>The folder of the contract file, relative to the repository (source paths resolve against it).</summary>
    public required string Folder { get; init; }

    /// <summary>The document in its (migrated) JSON form, for exporters and the registry.</summary>
    public required JsonElement Document { get; init; }

    public SourceLocation VersionLocation { get; init; } = Location;

    public SourceLocation DomainLocation { get; init; } = Location;

    public SourceLocation DataProductLocation { get; init; } = Location;

    /// <summary>The URLs the document gives people to follow (support channels), for the link check.</summary>
    public ImmutableArray<LinkField> Links { get; init; } = [];

    public int? Major => Versions.Major(Version);
}

public sealed record SchemaObject(
    string Name,
    string? PhysicalName,
    string? PhysicalType,
    string? BusinessName,
    string? Description,
    ImmutableArray<SchemaProperty> Properties,
    ImmutableArray<QualityRule> Quality,
    ImmutableArray<Relationship> Relationships,
    ImmutableArray<string> Tags,
    ImmutableArray<CustomProperty> CustomProperties,
    SourceLocation Location);

/// <summary>A property (column) of a schema object; nested properties for logicalType object, items for array.</summary>
public sealed record SchemaProperty(
    string Name,
    string? LogicalType,
    string? PhysicalType,
    string? Description,
    bool Required,
    bool Unique,
    bool PrimaryKey,
    int PrimaryKeyPosition,
    string? Classification,
    ImmutableArray<string> Tags,
    ImmutableDictionary<string, JsonElement> LogicalTypeOptions,
    ImmutableArray<QualityRule> Quality,
    ImmutableArray<Relationship> Relationships,
    ImmutableArray<SchemaProperty> Properties,
    SchemaProperty? Items,
    ImmutableArray<CustomProperty> CustomProperties,
    SourceLocation Location)
{
    public SourceLocation ClassificationLocation { get; init; } = Location;
}

/// <summary>An ODCS quality rule: type library (metric), sql (query), text or custom, with its threshold.</summary>
public sealed record QualityRule(
    string Type,
    string? Metric,
    string? Query,
    string? Name,
    string? Description,
    string? Dimension,
    string? Severity,
    QualityThreshold? Threshold,
    ImmutableDictionary<string, JsonElement> Arguments,
    string? Unit,
    SourceLocation Location);

/// <summary>One of the ODCS operators (mustBe, mustBeGreaterThan, mustBeBetween, ...) and its operand.</summary>
public sealed record QualityThreshold(string Operator, JsonElement Value);

/// <summary>A foreign key: references are <c>object.property</c> (shorthand) or id paths.</summary>
public sealed record Relationship(string Type, ImmutableArray<string> From, ImmutableArray<string> To, SourceLocation Location);

/// <summary>An ODCS server: where a contract's data lives. Local files: <see cref="Path"/> and <see cref="Format"/>.</summary>
public sealed record Server(
    string? Name,
    string Type,
    string? Environment,
    string? Path,
    string? Format,
    string? Host,
    int? Port,
    string? Database,
    string? SchemaName,
    SourceLocation Location)
{
    public SourceLocation PathLocation { get; init; } = Location;
}

public sealed record SlaProperty(string Property, JsonElement Value, string? Unit, string? Element, SourceLocation Location);

public sealed record CustomProperty(string Property, JsonElement Value, SourceLocation Location)
{
    public string? StringValue => Value.ValueKind == JsonValueKind.String ? Value.GetString() : null;
}
