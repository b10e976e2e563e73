using Meshwork.Platform.Privacy;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meshwork.Server.Apis;

/// <summary>A request to erase a data subject: its value in the subject-key columns, and why.</summary>
public sealed record ErasureBody(string? Subject, string? Reason);

/// <summary>
/// An erasure as the API shows it: the subject only as the start of its keyed hash, where it stands, and its report
/// (every product in lineage order, what was removed per dataset and when, the sources that still hold it).
/// </summary>
public sealed record ErasureInfo(string Id, string Subject, string Reason, string RequestedBy, string Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt,
    IReadOnlyList<ProductErasure> Products);

/// <summary>Erasure of data subjects along lineage (admins and the privacy role): request, then follow its report.</summary>
public static class PrivacyApi
{
    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/erasures").WithTags("Privacy");
        api.MapPost("/", RequestAsync)
            .WithSummary("Request the erasure of a data subject from every product along lineage (admins, privacy role); it runs in the background: follow its report. Submitting an unfinished subject again resumes it.");
        api.MapGet("/", ListAsync).WithSummary("Erasure requests, newest first (admins, privacy role).");
        api.MapGet("/{id}", ReadAsync).WithSummary("An erasure request and its report (admins, privacy role).");
        return app;
    }

    private static async Task<Accepted<ErasureInfo>> RequestAsync(ErasureBody body, HttpContext context, ServedMesh served, CancellationToken cancellationToken)
    {
        var erasure = await served.StartErasureAsync(context.Principal(), body.Subject ?? string.Empty, body.Reason ?? string.Empty, cancellationToken);
        return TypedResults.Accepted($"/api/v1/erasures/{erasure.Id}", Info(erasure));
    }

    private static async Task<Ok<IReadOnlyList<ErasureInfo>>> ListAsync(HttpContext context, ServedMesh served, CancellationToken cancellationToken, int limit = 100) =>
        TypedResults.Ok<IReadOnlyList<ErasureInfo>>([.. (await served.ListErasuresAsync(context.Principal(), Math.Clamp(limit, 1, 1000), cancellationToken)).Select(Info)]);

    private static async Task<Results<Ok<ErasureInfo>, ProblemHttpResult>> ReadAsync(string id, HttpContext context, ServedMesh served, CancellationToken cancellationToken) =>
        await served.GetErasureAsync(context.Principal(), id, cancellationToken) is { } erasure
            ? TypedResults.Ok(Info(erasure))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No erasure request '{id}'.");

    private static ErasureInfo Info(ErasureRecord e) =>
        new(e.Id, PrivacyJobs.ShortHash(e.SubjectHash), e.Reason, e.RequestedBy, e.Status, e.RequestedAt, e.CompletedAt, PrivacyJobs.ReportOf(e).Products);
}
