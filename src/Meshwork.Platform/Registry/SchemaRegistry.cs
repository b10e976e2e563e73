using System.Collections.Concurrent;
using System.Globalization;
using Meshwork.Platform.Store;
using Meshwork.Schemas;

namespace Meshwork.Platform.Registry;

/// <summary>A registry request that fails, with Confluent's error code (HTTP status = the code's first three digits).</summary>
public sealed class RegistryException : Exception
{
    public RegistryException()
    {
    }

    public RegistryException(string message)
        : base(message)
    {
    }

    public RegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RegistryException(int errorCode, string message)
        : base(message) => ErrorCode = errorCode;

    public int ErrorCode { get; } = 50001;

    public int Status => ErrorCode < 1000 ? ErrorCode : int.Parse(ErrorCode.ToString(CultureInfo.InvariantCulture)[..3], CultureInfo.InvariantCulture);

    // Confluent's codes.
    public const int SubjectNotFound = 40401;
    public const int VersionNotFound = 40402;
    public const int SchemaNotFound = 40403;
    public const int SubjectSoftDeleted = 40404;
    public const int SubjectNotSoftDeleted = 40405;
    public const int VersionSoftDeleted = 40406;
    public const int VersionNotSoftDeleted = 40407;
    public const int SubjectCompatibilityNotConfigured = 40408;
    public const int Incompatible = 409;
    public const int InvalidSchema = 42201;
    public const int InvalidVersion = 42202;
    public const int InvalidCompatibilityLevel = 42203;
    public const int InvalidMode = 42204;
    public const int ReferenceExists = 42206;
}

/// <summary>
/// The schema registry with Confluent Schema Registry's semantics (DESIGN.md §8): subjects, versions, one id
/// per distinct schema across subjects, compatibility levels checked against live versions, soft and
/// permanent deletes, references. Schemas are AVRO (the default), JSON (JSON Schema) or PROTOBUF, each parsed and
/// checked by its <see cref="ISchemaFormat"/>; one subject holds one type. HTTP-agnostic: the server maps it to
/// Confluent's REST API.
/// </summary>
public sealed class SchemaRegistry(IRegistryStore store, SchemaFormats? formats = null)
{
    public const string DefaultCompatibility = "BACKWARD";

    /// <summary>How many times a registration is tried when the subject gains a version while its live versions are being parsed.</summary>
    private const int RegisterAttempts = 3;

    private readonly SchemaFormats _formats = formats ?? SchemaFormats.Default;

    /// <summary>Registered schemas parsed, by id: a schema id's text and references never change.</summary>
    private readonly ConcurrentDictionary<int, ParsedSchema> _parsed = new();

    /// <summary>The schema types the default registry accepts: AVRO, JSON, PROTOBUF.</summary>
    public static IReadOnlyList<string> Types => SchemaFormats.Default.Types;

    /// <summary>The schema types this registry accepts.</summary>
    public IReadOnlyList<string> SchemaTypes => _formats.Types;

    public static IReadOnlyList<string> Levels { get; } = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"];

    public async Task<RegistrationOutcome> RegisterAsync(string subject, string schema, string? schemaType, IReadOnlyList<SchemaReference>? references, CancellationToken cancellationToken = default)
    {
        var type = TypeOf(schemaType);
        var refs = references ?? [];
        var parsed = await ParseAsync(type, schema, refs, cancellationToken).ConfigureAwait(false);
        var level = await CompatibilityAsync(subject, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            // The check runs inside the store's transaction, which cannot call back into the store (references are
            // resolved there): the live versions are parsed before, and the check sees whether it got them all.
            var previous = level == "NONE" ? new Dictionary<int, ParsedSchema>() : await LiveSchemasAsync(subject, cancellationToken).ConfigureAwait(false);
            var raced = false;
            var outcome = await store.RegisterAsync(subject, type, schema, parsed.Canonical, refs, live =>
            {
                if (level != "NONE" && live.Any(l => !previous.ContainsKey(l.Id)))
                {
                    raced = true;
                    return ["the subject changed while it was being checked"];
                }

                return Check(level, parsed, live, l => previous[l.Id]);
            }, cancellationToken).ConfigureAwait(false);

            if (raced && attempt < RegisterAttempts)
            {
                continue;
            }

            return outcome.Refusals.Count > 0
                ? throw new RegistryException(RegistryException.Incompatible,
                    $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\" ({level}): {string.Join("; ", outcome.Refusals)}")
                : outcome;
        }
    }

    /// <summary>The subject's version holding this schema (POST /subjects/{subject}).</summary>
    public async Task<(RegisteredSchema Schema, int Version)> LookupAsync(string subject, string schema, string? schemaType, IReadOnlyList<SchemaReference>? references,
        CancellationToken cancellationToken = default)
    {
        var type = TypeOf(schemaType);
        var refs = references ?? [];
        var versions = await store.VersionsAsync(subject, false, cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0)
        {
            throw new RegistryException(RegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
        }

        var parsed = await ParseAsync(type, schema, refs, cancellationToken).ConfigureAwait(false);
        var id = await store.FindSchemaAsync(type, parsed.Canonical, refs, cancellationToken).ConfigureAwait(false);
        var version = versions.FirstOrDefault(v => v.SchemaId == id);
        return version is null
            ? throw new RegistryException(RegistryException.SchemaNotFound, "Schema not found.")
            : ((await store.GetSchemaAsync(version.SchemaId, cancellationToken).ConfigureAwait(false))!, version.Version);
    }

    public async Task<RegisteredSchema> SchemaAsync(int id, CancellationToken cancellationToken = default) =>
        await store.GetSchemaAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new RegistryException(RegistryException.SchemaNotFound, $"Schema {id} not found.");

    public Task<IReadOnlyList<string>> SubjectsAsync(bool deleted, CancellationToken cancellationToken = default) => store.SubjectsAsync(deleted, cancellationToken);

    public async Task<IReadOnlyList<SubjectVersion>> UsagesAsync(int id, bool deleted, CancellationToken cancellationToken = default)
    {
        await SchemaAsync(id, cancellationToken).ConfigureAwait(false);
        return await store.UsagesAsync(id, deleted, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<int>> VersionsAsync(string subject, bool deleted, CancellationToken cancellationToken = default)
    {
        var versions = await store.VersionsAsync(subject, deleted, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0
            ? throw new RegistryException(RegistryException.SubjectNotFound, $"Subject '{subject}' not found.")
            : [.. versions.Select(v => v.Version)];
    }

    /// <summary>A subject's version: a number or <c>latest</c> (or -1).</summary>
    public async Task<(RegisteredSchema Schema, int Version)> VersionAsync(string subject, string version, bool deleted = false, CancellationToken cancellationToken = default)
    {
        var versions = await store.VersionsAsync(subject, deleted, cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0)
        {
            throw new RegistryException(RegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
        }

        var wanted = VersionNumber(version);
        var found = wanted == -1 ? versions[^1] : versions.FirstOrDefault(v => v.Version == wanted)
            ?? throw new RegistryException(RegistryException.VersionNotFound, $"Version {version} not found.");
        return ((await store.GetSchemaAsync(found.SchemaId, cancellationToken).ConfigureAwait(false))!, found.Version);
    }

    /// <summary>Deletes a subject's versions: soft first; <paramref name="permanent"/> only after a soft delete.</summary>
    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent, CancellationToken cancellationToken = default)
    {
        var all = await store.VersionsAsync(subject, true, cancellationToken).ConfigureAwait(false);
        if (all.Count == 0)
        {
            throw new RegistryException(RegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
        }

        if (permanent && all.Any(v => !v.Deleted))
        {
            throw new RegistryException(RegistryException.SubjectNotSoftDeleted, $"Subject '{subject}' was not deleted first before being permanently deleted.");
        }

        if (!permanent && all.All(v => v.Deleted))
        {
            throw new RegistryException(RegistryException.SubjectSoftDeleted, $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently.");
        }

        foreach (var version in all.Where(v => !v.Deleted))
        {
            await RefuseReferencedAsync(subject, version.Version, cancellationToken).ConfigureAwait(false);
        }

        return await store.DeleteVersionsAsync(subject, [.. all.Where(v => v.Deleted == permanent).Select(v => v.Version)], permanent, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> DeleteVersionAsync(string subject, string version, bool permanent, CancellationToken cancellationToken = default)
    {
        var all = await store.VersionsAsync(subject, true, cancellationToken).ConfigureAwait(false);
        if (all.Count == 0)
        {
            throw new RegistryException(RegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
        }

        var wanted = VersionNumber(version);
        var target = (wanted == -1 ? all.LastOrDefault(v => !v.Deleted) : all.FirstOrDefault(v => v.Version == wanted))
            ?? throw new RegistryException(RegistryException.VersionNotFound, $"Version {version} not found.");
        if (permanent && !target.Deleted)
        {
            throw new RegistryException(RegistryException.VersionNotSoftDeleted, $"Subject '{subject}' Version {target.Version} was not deleted first before being permanently deleted.");
        }

        if (!permanent && target.Deleted)
        {
            throw new RegistryException(RegistryException.VersionSoftDeleted, $"Subject '{subject}' Version {target.Version} was soft deleted. Set permanent=true to delete permanently.");
        }

        await RefuseReferencedAsync(subject, target.Version, cancellationToken).ConfigureAwait(false);
        await store.DeleteVersionsAsync(subject, [target.Version], permanent, cancellationToken).ConfigureAwait(false);
        return target.Version;
    }

    /// <summary>Whether <paramref name="schema"/> is compatible with the subject's version (or all, for transitive levels with <c>latest</c>).</summary>
    public async Task<IReadOnlyList<string>> TestCompatibilityAsync(string subject, string version, string schema, string? schemaType, IReadOnlyList<SchemaReference>? references,
        CancellationToken cancellationToken = default)
    {
        var type = TypeOf(schemaType);
        var parsed = await ParseAsync(type, schema, references ?? [], cancellationToken).ConfigureAwait(false);
        var level = await CompatibilityAsync(subject, cancellationToken).ConfigureAwait(false);
        var versions = await store.VersionsAsync(subject, false, cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0)
        {
            throw new RegistryException(RegistryException.SubjectNotFound, $"Subject '{subject}' not found.");
        }

        var wanted = VersionNumber(version);
        var against = wanted == -1 ? versions : versions.Where(v => v.Version == wanted).ToList();
        if (against.Count == 0)
        {
            throw new RegistryException(RegistryException.VersionNotFound, $"Version {version} not found.");
        }

        var schemas = new List<RegisteredSchema>();
        var previous = new Dictionary<int, ParsedSchema>();
        foreach (var v in against)
        {
            var registered = (await store.GetSchemaAsync(v.SchemaId, cancellationToken).ConfigureAwait(false))!;
            schemas.Add(registered);
            previous[registered.Id] = await ParseRegisteredAsync(registered, cancellationToken).ConfigureAwait(false);
        }

        return Check(wanted == -1 ? level : level.Replace("_TRANSITIVE", string.Empty, StringComparison.Ordinal), parsed, schemas, l => previous[l.Id]);
    }

    /// <summary>The compatibility level of a subject (its own, else the global one, else BACKWARD).</summary>
    public async Task<string> CompatibilityAsync(string subject, CancellationToken cancellationToken = default) =>
        await store.GetRegistryConfigAsync(subject, "compatibility", cancellationToken).ConfigureAwait(false)
            ?? await store.GetRegistryConfigAsync(string.Empty, "compatibility", cancellationToken).ConfigureAwait(false)
            ?? DefaultCompatibility;

    public Task<string?> SubjectCompatibilityAsync(string subject, CancellationToken cancellationToken = default) =>
        store.GetRegistryConfigAsync(subject, "compatibility", cancellationToken);

    public async Task SetCompatibilityAsync(string subject, string? level, CancellationToken cancellationToken = default)
    {
        if (level is not null && !Levels.Contains(level))
        {
            throw new RegistryException(RegistryException.InvalidCompatibilityLevel, $"Invalid compatibility level '{level}'; valid: {string.Join(", ", Levels)}.");
        }

        await store.SetRegistryConfigAsync(subject, "compatibility", level, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> ModeAsync(string subject, CancellationToken cancellationToken = default) =>
        await store.GetRegistryConfigAsync(subject, "mode", cancellationToken).ConfigureAwait(false)
            ?? await store.GetRegistryConfigAsync(string.Empty, "mode", cancellationToken).ConfigureAwait(false)
            ?? "READWRITE";

    public async Task SetModeAsync(string subject, string mode, CancellationToken cancellationToken = default)
    {
        if (mode is not ("READWRITE" or "READONLY" or "IMPORT"))
        {
            throw new RegistryException(RegistryException.InvalidMode, $"Invalid mode '{mode}'; valid: READWRITE, READONLY, IMPORT.");
        }

        await store.SetRegistryConfigAsync(subject, "mode", mode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Why <paramref name="candidate"/> may not follow the live versions at <paramref name="level"/>. A version of
    /// another schema type refuses it at every level, NONE included, as Confluent's registry does.
    /// </summary>
    private static IReadOnlyList<string> Check(string level, ParsedSchema candidate, IReadOnlyList<RegisteredSchema> live, Func<RegisteredSchema, ParsedSchema> parsed)
    {
        var mismatched = live.Where(l => l.SchemaType != candidate.Type).ToList();
        if (mismatched.Count > 0)
        {
            return [.. mismatched.Select(l =>
                $"{SchemaIncompatibilityKinds.SchemaTypeMismatch} at /: Incompatible because of different schema type: the candidate is {candidate.Type}, schema {l.Id} of the subject is {l.SchemaType}")];
        }

        if (level == "NONE" || live.Count == 0)
        {
            return [];
        }

        var compatibility = Enum.Parse<CompatibilityLevel>(level.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);
        return [.. Compatibility.Check(compatibility, candidate, [.. live.Select(parsed)]).Select(i => $"{i.Kind} at {i.Location}: {i.Message}")];
    }

    /// <summary>The subject's live versions parsed, by schema id.</summary>
    private async Task<Dictionary<int, ParsedSchema>> LiveSchemasAsync(string subject, CancellationToken cancellationToken)
    {
        var parsed = new Dictionary<int, ParsedSchema>();
        foreach (var version in await store.VersionsAsync(subject, false, cancellationToken).ConfigureAwait(false))
        {
            if (parsed.ContainsKey(version.SchemaId))
            {
                continue;
            }

            if (_parsed.TryGetValue(version.SchemaId, out var known))
            {
                parsed[version.SchemaId] = known;
            }
            else if (await store.GetSchemaAsync(version.SchemaId, cancellationToken).ConfigureAwait(false) is { } registered)
            {
                parsed[version.SchemaId] = await ParseRegisteredAsync(registered, cancellationToken).ConfigureAwait(false);
            }
        }

        return parsed;
    }

    private async Task<ParsedSchema> ParseRegisteredAsync(RegisteredSchema registered, CancellationToken cancellationToken)
    {
        if (_parsed.TryGetValue(registered.Id, out var known))
        {
            return known;
        }

        try
        {
            var parsed = await ParseAsync(registered.SchemaType, registered.Schema, registered.References, cancellationToken).ConfigureAwait(false);
            _parsed.TryAdd(registered.Id, parsed);
            return parsed;
        }
        catch (RegistryException e) when (e.ErrorCode == RegistryException.InvalidSchema)
        {
            throw new RegistryException(50001, $"Registered schema {registered.Id} ({registered.SchemaType}) no longer parses: {e.Message}");
        }
    }

    /// <summary>Parses a schema with its format, after resolving its references (and theirs) to their texts, dependencies first.</summary>
    private async Task<ParsedSchema> ParseAsync(string type, string schema, IReadOnlyList<SchemaReference> references, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(schema))
        {
            throw new RegistryException(RegistryException.InvalidSchema, "Empty schema.");
        }

        var format = _formats.TryGet(type, out var found) ? found
            : throw new RegistryException(RegistryException.InvalidSchema, $"Schema type '{type}' is not supported; supported: {string.Join(", ", _formats.Types)}.");
        var resolved = new List<SchemaReferenceText>();
        var seen = new HashSet<(string, int)>();
        foreach (var reference in references)
        {
            await ResolveAsync(reference).ConfigureAwait(false);
        }

        try
        {
            return format.Parse(schema, resolved);
        }
        catch (InvalidSchemaException e)
        {
            throw new RegistryException(RegistryException.InvalidSchema, $"Invalid schema: {e.Message}");
        }

        async Task ResolveAsync(SchemaReference reference)
        {
            // Avro: the named types; JSON Schema: $ref to the reference's name; Protobuf: import "name".
            if (!seen.Add((reference.Subject, reference.Version)))
            {
                return;
            }

            var (referenced, _) = await VersionAsync(reference.Subject, reference.Version.ToString(CultureInfo.InvariantCulture), cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var nested in referenced.References)
            {
                await ResolveAsync(nested).ConfigureAwait(false);
            }

            resolved.Add(new SchemaReferenceText(reference.Name, referenced.Schema));
        }
    }

    private async Task RefuseReferencedAsync(string subject, int version, CancellationToken cancellationToken)
    {
        if (await store.IsReferencedAsync(subject, version, cancellationToken).ConfigureAwait(false))
        {
            throw new RegistryException(RegistryException.ReferenceExists, $"One or more references exist to the schema {{subject={subject},version={version}}}.");
        }
    }

    private string TypeOf(string? schemaType)
    {
        var type = string.IsNullOrEmpty(schemaType) ? "AVRO" : schemaType.ToUpperInvariant();
        return _formats.TryGet(type, out _) ? type : throw new RegistryException(RegistryException.InvalidSchema, $"Schema type '{schemaType}' is not supported; supported: {string.Join(", ", _formats.Types)}.");
    }

    private static int VersionNumber(string version) =>
        version == "latest" ? -1
        : int.TryParse(version, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && (number >= 1 || number == -1) ? number
        : throw new RegistryException(RegistryException.InvalidVersion, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
}
