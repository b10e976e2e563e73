using System.Collections.Immutable;
using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>
/// A data product: an ODPS v1.0.0 document (<c>product.odps.yaml</c>) in
/// <c>domains/&lt;domain&gt;/&lt;name&gt;/</c>, with the transform files beside it.
/// </summary>
public sealed record DataProduct(
    string Domain,
    string Name,
    string Id,
    string? Title,
    string? Version,
    string Status,
    ProductDescription Description,
    ImmutableArray<string> Tags,
    string? OwnerTeam,
    ImmutableArray<TeamMember> Members,
    ImmutableArray<InputPort> InputPorts,
    ImmutableArray<OutputPort> OutputPorts,
    ImmutableArray<SupportChannel> Support,
    ImmutableArray<CustomProperty> CustomProperties,
    ImmutableArray<TransformFile> Transforms,
    string Folder,
    string File,
    SourceLocation Location)
{
    /// <summary>The product's address: <c>domain.product</c>.</summary>
    public string Key => $"{Domain}.{Name}";

    /// <summary>The domain the ODPS document declares (may disagree with the folder; a check reports that).</summary>
    public string? DeclaredDomain { get; init; }

    /// <summary>The URLs the document gives people to follow (support channels), for the link check.</summary>
    public ImmutableArray<LinkField> Links { get; init; } = [];
}

public sealed record ProductDescription(string? Purpose, string? Limitations, string? Usage)
{
    public static ProductDescription None { get; } = new(null, null, null);
}

public sealed record TeamMember(string Username, string? Name, string? Role, SourceLocation Location);

public sealed record SupportChannel(string Channel, string Url, string? Tool, string? Scope);

public sealed record InputPort(string Name, string Version, string ContractId, ImmutableArray<string> Tags, SourceLocation Location)
{
    /// <summary>Where the contractId value sits, for findings about the reference.</summary>
    public SourceLocation ContractLocation { get; init; } = Location;
}

public sealed record OutputPort(
    string Name,
    string Version,
    string? ContractId,
    string? Type,
    string? Description,
    ImmutableArray<string> Tags,
    ImmutableArray<CustomProperty> CustomProperties,
    SourceLocation Location)
{
    public SourceLocation VersionLocation { get; init; } = Location;

    public SourceLocation ContractLocation { get; init; } = Location;

    /// <summary>The major version, when <see cref="Version"/> is a semantic version.</summary>
    public int? Major => Versions.Major(Version);
}

/// <summary>A SQL file beside the product: <c>transform.sql</c> or <c>&lt;output port&gt;.sql</c>.</summary>
public sealed record TransformFile(string Name, string File);
