using System.Collections.Immutable;
using System.Text.RegularExpressions;
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
    /// <summary>The built-in engine: embedded, always there, needing no configuration.</summary>
    public const string EmbeddedEngine = "duckdb";

    /// <summary>The engines mesh.yaml declares under <c>engines:</c>, by name (domains and products name them).</summary>
    public ImmutableArray<EngineDeclaration> Engines { get; init; } = [];

    /// <summary>The engine of this name: a declared one, else the embedded <c>duckdb</c>; null when neither.</summary>
    public EngineDeclaration? FindEngine(string name) =>
        Engines.FirstOrDefault(e => e.Name == name) ?? (name == EmbeddedEngine ? new EngineDeclaration(EmbeddedEngine, EmbeddedEngine, null, Location) : null);

    /// <summary>
    /// The dataset of objections (<c>privacy.consent</c>): subjects and the purposes each objected to; null when the mesh
    /// names none.
    /// </summary>
    public string? Consent { get; init; }

    /// <summary>Where <see cref="Consent"/> is written.</summary>
    public SourceLocation ConsentLocation { get; init; } = Location;

    /// <summary>The names a domain, a product or defaultEngine may use.</summary>
    public IEnumerable<string> EngineNames => Engines.Select(e => e.Name).Prepend(EmbeddedEngine).Distinct(StringComparer.Ordinal);

    public static ImmutableArray<string> DefaultClassifications { get; } = ["public", "internal", "confidential", "restricted"];

    /// <summary>The settings a mesh.yaml with only a name has (the defaults of mesh.schema.json).</summary>
    public static MeshSettings Defaults(string name, SourceLocation location) =>
        new(name, null, "duckdb", ".mesh", "people.yaml", "policies", DefaultClassifications, location);

    /// <summary>The engine types Meshwork knows (an engine declaration's <c>type</c>).</summary>
    public static ImmutableArray<string> EngineTypes { get; } = ["duckdb", "postgres"];
}

/// <summary>
/// An engine mesh.yaml declares: its name (what domain.yaml and <c>meshwork.engine</c> write), its type, and for a
/// server engine its connection (a PostgreSQL URI or Npgsql connection string; <c>${VAR}</c> reads the environment
/// when the engine is opened, so secrets stay out of git).
/// </summary>
public sealed partial record EngineDeclaration(string Name, string Type, string? Connection, SourceLocation Location)
{
    /// <summary>
    /// The connection with each <c>${NAME}</c> replaced by the environment variable's value (null when the engine
    /// needs none); <paramref name="missing"/> names the variables that are not set, in order, each once.
    /// </summary>
    public string? ResolveConnection(Func<string, string?> environment, out IReadOnlyList<string> missing)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var unset = new List<string>();
        var resolved = Connection is null ? null : Variable().Replace(Connection, m =>
        {
            var name = m.Groups[1].Value;
            if (environment(name) is { } value)
            {
                return value;
            }

            if (!unset.Contains(name, StringComparer.Ordinal))
            {
                unset.Add(name);
            }

            return string.Empty;
        });
        missing = unset;
        return resolved;
    }

    /// <summary>A well-formed environment reference: <c>${NAME}</c>.</summary>
    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    internal static partial Regex Variable();
}
