using System.Collections.Immutable;
using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>mesh.yaml: the mesh's name and platform-wide settings, with their defaults applied.</summary>
public sealed record MeshSettings(
    string Name,
    string? Description,
    string DefaultEngine,
    string DataFolder,
    string PeopleFile,
    string PoliciesFolder,
    ImmutableArray<string> Classifications,
    SourceLocation Location)
{
    public static ImmutableArray<string> DefaultClassifications { get; } = ["public", "internal", "confidential", "restricted"];

    /// <summary>The settings a mesh.yaml with only a name has (the defaults of mesh.schema.json).</summary>
    public static MeshSettings Defaults(string name, SourceLocation location) =>
        new(name, null, "duckdb", ".mesh", "people.yaml", "policies", DefaultClassifications, location);

    /// <summary>The engines Meshwork knows. A domain or mesh naming another is a lint error.</summary>
    public static ImmutableArray<string> KnownEngines { get; } = ["duckdb", "postgres"];
}
