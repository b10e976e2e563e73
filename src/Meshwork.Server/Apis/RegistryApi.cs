using System.Text.Json.Serialization;
using Meshwork.Platform.Registry;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;

namespace Meshwork.Server.Apis;

/// <summary>A schema as Confluent's clients send it.</summary>
public sealed record RegistrySchemaBody(string? Schema, string? SchemaType, IReadOnlyList<SchemaReference>? References);

public sealed record RegistryConfigBody(string? Compatibility);

public sealed record RegistryModeBody(string? Mode);

/// <summary>
/// The schema registry under <c>/registry</c>, compatible with Confluent Schema Registry's REST API so that its
/// clients and serializers work unchanged. Errors are <c>{"error_code": N, "message": "..."}</c>.
/// </summary>
public static class RegistryApi
{
    private const string ContentType = "application/vnd.schemaregistry.v1+json";

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/registry").WithTags("Schema registry").WithBodyLimit(BodyLimit.Schema).AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (RegistryException e)
            {
                return Results.Json(new RegistryError(e.ErrorCode, e.Message), statusCode: e.Status, contentType: ContentType);
            }
        });

        api.MapGet("/schemas/types", (SchemaRegistry registry) => Json(registry.SchemaTypes));
        api.MapGet("/schemas/ids/{id:int}", async (int id, SchemaRegistry registry, CancellationToken ct) => Json(SchemaBody(await registry.SchemaAsync(id, ct))));
        api.MapGet("/schemas/ids/{id:int}/schema", async (int id, SchemaRegistry registry, CancellationToken ct) =>
            Results.Text((await registry.SchemaAsync(id, ct)).Schema, ContentType));
        api.MapGet("/schemas/ids/{id:int}/subjects", async (int id, SchemaRegistry registry, CancellationToken ct, string? deleted = null) =>
            Json((await registry.UsagesAsync(id, Flag(deleted), ct)).Select(v => v.Subject).Distinct(StringComparer.Ordinal)));
        api.MapGet("/schemas/ids/{id:int}/versions", async (int id, SchemaRegistry registry, CancellationToken ct, string? deleted = null) =>
            Json((await registry.UsagesAsync(id, Flag(deleted), ct)).Select(v => new { subject = v.Subject, version = v.Version })));

        api.MapGet("/subjects", async (SchemaRegistry registry, CancellationToken ct, string? deleted = null) => Json(await registry.SubjectsAsync(Flag(deleted), ct)));
        api.MapGet("/subjects/{subject}/versions", async (string subject, SchemaRegistry registry, CancellationToken ct, string? deleted = null) =>
            Json(await registry.VersionsAsync(subject, Flag(deleted), ct)));
        api.MapGet("/subjects/{subject}/versions/{version}", async (string subject, string version, SchemaRegistry registry, CancellationToken ct, string? deleted = null) =>
        {
            var (schema, number) = await registry.VersionAsync(subject, version, Flag(deleted), ct);
            return Json(VersionBody(subject, schema, number));
        });
        api.MapGet("/subjects/{subject}/versions/{version}/schema", async (string subject, string version, SchemaRegistry registry, CancellationToken ct) =>
            Results.Text((await registry.VersionAsync(subject, version, cancellationToken: ct)).Schema.Schema, ContentType));
        api.MapPost("/subjects/{subject}/versions", async (string subject, RegistrySchemaBody body, HttpContext context, SchemaRegistry registry, ServedMesh served, CancellationToken ct) =>
        {
            await AuthorizeWriteAsync(context, served, subject, ct);
            var outcome = await registry.RegisterAsync(subject, body.Schema ?? string.Empty, body.SchemaType, body.References, ct);
            return Json(new { id = outcome.Id, version = outcome.Version });
        });
        api.MapPost("/subjects/{subject}", async (string subject, RegistrySchemaBody body, SchemaRegistry registry, CancellationToken ct) =>
        {
            var (schema, version) = await registry.LookupAsync(subject, body.Schema ?? string.Empty, body.SchemaType, body.References, ct);
            return Json(VersionBody(subject, schema, version));
        });
        api.MapDelete("/subjects/{subject}", async (string subject, HttpContext context, SchemaRegistry registry, ServedMesh served, CancellationToken ct, string? permanent = null) =>
        {
            await AuthorizeWriteAsync(context, served, subject, ct);
            return Json(await registry.DeleteSubjectAsync(subject, Flag(permanent), ct));
        });
        api.MapDelete("/subjects/{subject}/versions/{version}", async (string subject, string version, HttpContext context, SchemaRegistry registry, ServedMesh served,
            CancellationToken ct, string? permanent = null) =>
        {
            await AuthorizeWriteAsync(context, served, subject, ct);
            return Json(await registry.DeleteVersionAsync(subject, version, Flag(permanent), ct));
        });

        api.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (string subject, string version, RegistrySchemaBody body, SchemaRegistry registry,
            CancellationToken ct, string? verbose = null) =>
        {
            var problems = await registry.TestCompatibilityAsync(subject, version, body.Schema ?? string.Empty, body.SchemaType, body.References, ct);
            return Flag(verbose)
                ? Json(new CompatibilityResult(problems.Count == 0, problems))
                : Json(new CompatibilityResult(problems.Count == 0, null));
        });

        api.MapGet("/config", async (SchemaRegistry registry, CancellationToken ct) => Json(new { compatibilityLevel = await registry.CompatibilityAsync(string.Empty, ct) }));
        api.MapPut("/config", async (RegistryConfigBody body, HttpContext context, SchemaRegistry registry, CancellationToken ct) =>
        {
            RequireAdmin(context);
            await registry.SetCompatibilityAsync(string.Empty, body.Compatibility?.ToUpperInvariant(), ct);
            return Json(new { compatibility = body.Compatibility?.ToUpperInvariant() });
        });
        api.MapGet("/config/{subject}", async (string subject, SchemaRegistry registry, CancellationToken ct, string? defaultToGlobal = null) =>
        {
            var level = await registry.SubjectCompatibilityAsync(subject, ct);
            return level is not null ? Json(new { compatibilityLevel = level })
                : Flag(defaultToGlobal) ? Json(new { compatibilityLevel = await registry.CompatibilityAsync(subject, ct) })
                : throw new RegistryException(RegistryException.SubjectCompatibilityNotConfigured, $"Subject '{subject}' does not have subject-level compatibility configured");
        });
        api.MapPut("/config/{subject}", async (string subject, RegistryConfigBody body, HttpContext context, SchemaRegistry registry, ServedMesh served, CancellationToken ct) =>
        {
            await AuthorizeWriteAsync(context, served, subject, ct);
            await registry.SetCompatibilityAsync(subject, body.Compatibility?.ToUpperInvariant(), ct);
            return Json(new { compatibility = body.Compatibility?.ToUpperInvariant() });
        });
        api.MapDelete("/config/{subject}", async (string subject, HttpContext context, SchemaRegistry registry, ServedMesh served, CancellationToken ct) =>
        {
            await AuthorizeWriteAsync(context, served, subject, ct);
            var level = await registry.CompatibilityAsync(subject, ct);
            await registry.SetCompatibilityAsync(subject, null, ct);
            return Json(new { compatibilityLevel = level });
        });
        api.MapGet("/mode", async (SchemaRegistry registry, CancellationToken ct) => Json(new { mode = await registry.ModeAsync(string.Empty, ct) }));
        api.MapPut("/mode", async (RegistryModeBody body, HttpContext context, SchemaRegistry registry, CancellationToken ct) =>
        {
            RequireAdmin(context);
            await registry.SetModeAsync(string.Empty, body.Mode?.ToUpperInvariant() ?? string.Empty, ct);
            return Json(new { mode = body.Mode?.ToUpperInvariant() });
        });
        api.MapGet("/mode/{subject}", async (string subject, SchemaRegistry registry, CancellationToken ct) => Json(new { mode = await registry.ModeAsync(subject, ct) }));
        return app;
    }

    /// <summary>Refuses a write that <see cref="SubjectWrites"/> refuses (40301), else audits it.</summary>
    private static async Task AuthorizeWriteAsync(HttpContext context, ServedMesh served, string subject, CancellationToken cancellationToken)
    {
        var principal = context.Principal();
        var state = await served.StateAsync(cancellationToken);
        if (SubjectWrites.Refusal(principal, subject, state, registering: HttpMethods.IsPost(context.Request.Method)) is { } refusal)
        {
            throw new RegistryException(40301, refusal);
        }

        await served.Store.AppendAuditAsync(new AuditEntry(principal.Id, "registry-write", subject, null, null, null, "allowed", context.Request.Method + " " + context.Request.Path),
            cancellationToken);
    }

    private static void RequireAdmin(HttpContext context)
    {
        if (!context.Principal().Roles.Contains("admin"))
        {
            throw new RegistryException(40301, "Only admins change the registry's global configuration.");
        }
    }

    private static object SchemaBody(RegisteredSchema schema) => schema.SchemaType == "AVRO" && schema.References.Count == 0
        ? new { schema = schema.Schema }
        : new { schema = schema.Schema, schemaType = schema.SchemaType, references = schema.References };

    private static object VersionBody(string subject, RegisteredSchema schema, int version) => schema.SchemaType == "AVRO"
        ? new { subject, version, id = schema.Id, schema = schema.Schema, references = schema.References }
        : new { subject, version, id = schema.Id, schemaType = schema.SchemaType, schema = schema.Schema, references = schema.References };

    private static IResult Json(object? value) => Results.Json(value, contentType: ContentType);

    /// <summary>Query booleans as Confluent reads them: case-insensitive <c>true</c>.</summary>
    private static bool Flag(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private sealed record RegistryError([property: JsonPropertyName("error_code")] int ErrorCode, [property: JsonPropertyName("message")] string Message);

    private sealed record CompatibilityResult(
        [property: JsonPropertyName("is_compatible")] bool IsCompatible,
        [property: JsonPropertyName("messages"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Messages);
}
