namespace Meshwork.Platform.Store;

/// <summary>A schema the registry holds, by its global id.</summary>
public sealed record RegisteredSchema(int Id, string SchemaType, string Schema, IReadOnlyList<SchemaReference> References);

/// <summary>A named reference from one schema to a subject's version (Avro named types, JSON $ref, Protobuf imports).</summary>
public sealed record SchemaReference(string Name, string Subject, int Version);

/// <summary>One version of a subject.</summary>
public sealed record SubjectVersion(string Subject, int Version, int SchemaId, bool Deleted);

/// <summary>
/// The registry's persistence, in the platform store: one id per distinct schema across subjects, versions per
/// subject numbered max + 1 (soft-deleted ones included), compatibility and mode per subject and globally.
/// </summary>
public interface IRegistryStore
{
    Task<RegisteredSchema?> GetSchemaAsync(int id, CancellationToken cancellationToken = default);

    /// <summary>The id of a schema already registered with this type, canonical form and references, if any.</summary>
    Task<int?> FindSchemaAsync(string schemaType, string canonical, IReadOnlyList<SchemaReference> references, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a schema under a subject in one transaction: an identical live version is returned as is;
    /// otherwise <paramref name="check"/> sees the subject's live versions (oldest first) and returns the
    /// reasons it is refused (nothing registered then), and a new version is added.
    /// </summary>
    Task<RegistrationOutcome> RegisterAsync(string subject, string schemaType, string schema, string canonical, IReadOnlyList<SchemaReference> references,
        Func<IReadOnlyList<RegisteredSchema>, IReadOnlyList<string>> check, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> SubjectsAsync(bool includeDeleted, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SubjectVersion>> VersionsAsync(string subject, bool includeDeleted, CancellationToken cancellationToken = default);

    /// <summary>Where a schema is used: every (subject, version), deleted ones included when asked.</summary>
    Task<IReadOnlyList<SubjectVersion>> UsagesAsync(int schemaId, bool includeDeleted, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes (or, for soft-deleted ones, permanently deletes) versions; returns their numbers.</summary>
    Task<IReadOnlyList<int>> DeleteVersionsAsync(string subject, IReadOnlyList<int> versions, bool permanent, CancellationToken cancellationToken = default);

    /// <summary>Whether any live schema references the subject's version (it may then not be deleted).</summary>
    Task<bool> IsReferencedAsync(string subject, int version, CancellationToken cancellationToken = default);

    Task<string?> GetRegistryConfigAsync(string subject, string field, CancellationToken cancellationToken = default);

    Task SetRegistryConfigAsync(string subject, string field, string? value, CancellationToken cancellationToken = default);
}

/// <summary>What a registration did.</summary>
public sealed record RegistrationOutcome(int Id, int Version, bool Created, IReadOnlyList<string> Refusals);
