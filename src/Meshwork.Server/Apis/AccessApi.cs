using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meshwork.Server.Apis;

/// <summary>Asking for a dataset: which one, why, which columns, until when; for the caller, or for a product of the caller's team (its pipeline's input).</summary>
public sealed record AccessRequestBody(string? Dataset, string? Purpose, IReadOnlyList<string>? Columns, DateOnly? EndsOn, string? Product = null);

/// <summary>An owner's decision, and why.</summary>
public sealed record DecisionBody(string? Reason);

/// <summary>An agreement as the API shows it, with its state today (pending, active, expired, rejected, revoked).</summary>
public sealed record AgreementInfo(string Id, string Consumer, string Dataset, string Purpose, IReadOnlyList<string>? Columns, DateOnly? EndsOn, string State,
    DateTimeOffset RequestedAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? Reason);

/// <summary>Access agreements: request, approve or reject (owning team, admins), revoke, list.</summary>
public static class AccessApi
{
    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/access-requests").WithTags("Access");
        api.MapPost("/", RequestAsync).WithSummary("Request access to a dataset with a purpose; approved at once when a policy already permits the caller, else pending for the owning team.");
        api.MapGet("/", ListAsync).WithSummary("Agreements the caller may see: their own, and those on their team's datasets (admins: all).");
        api.MapPost("/{id}/approve", (string id, DecisionBody? body, HttpContext context, ServedMesh served, TimeProvider time, CancellationToken cancellationToken) =>
            DecideAsync(id, AgreementStatus.Active, body, context, served, time, cancellationToken)).WithSummary("Approve a pending request (owning team, admins).");
        api.MapPost("/{id}/reject", (string id, DecisionBody? body, HttpContext context, ServedMesh served, TimeProvider time, CancellationToken cancellationToken) =>
            DecideAsync(id, AgreementStatus.Rejected, body, context, served, time, cancellationToken)).WithSummary("Reject a pending request, with a reason (owning team, admins).");
        api.MapPost("/{id}/revoke", (string id, DecisionBody? body, HttpContext context, ServedMesh served, TimeProvider time, CancellationToken cancellationToken) =>
            DecideAsync(id, AgreementStatus.Revoked, body, context, served, time, cancellationToken)).WithSummary("Revoke an active agreement (its consumer, the owning team, admins).");
        return app;
    }

    private static async Task<Created<AgreementInfo>> RequestAsync(AccessRequestBody body, HttpContext context, ServedMesh served, TimeProvider time, CancellationToken cancellationToken)
    {
        var agreement = await served.RequestAccessAsync(context.Principal(), body.Dataset ?? string.Empty, body.Purpose, body.Columns, body.EndsOn, body.Product, cancellationToken);
        return TypedResults.Created($"/api/v1/access-requests/{agreement.Id}", Info(agreement, time));
    }

    private static async Task<Ok<IReadOnlyList<AgreementInfo>>> ListAsync(HttpContext context, ServedMesh served, TimeProvider time, CancellationToken cancellationToken, string? state = null)
    {
        var agreements = await served.AgreementsAsync(context.Principal(), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AgreementInfo>>([.. agreements.Select(a => Info(a, time)).Where(a => state is null || a.State == state)]);
    }

    private static async Task<Ok<AgreementInfo>> DecideAsync(string id, AgreementStatus decision, DecisionBody? body, HttpContext context, ServedMesh served, TimeProvider time,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(Info(await served.DecideAsync(context.Principal(), id, decision, body?.Reason, cancellationToken), time));

    internal static AgreementInfo Info(Agreement a, TimeProvider time) =>
        new(a.Id, a.Consumer, a.Dataset, a.Purpose, a.Columns, a.EndsOn, a.State(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)), a.RequestedAt, a.DecidedBy, a.DecidedAt, a.Reason);
}
