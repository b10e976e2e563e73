using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meshwork.Server.Apis;

/// <summary>The audit log: admins see every record; a product owner sees the records about their team's datasets.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Audit").MapGet("/audit", ListAsync).WithSummary("Recent audit records, newest first (admins: all; owners: their team's datasets).");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditRecord>>, ProblemHttpResult>> ListAsync(HttpContext context, ServedMesh served, CancellationToken cancellationToken, int limit = 100)
    {
        var principal = context.Principal();
        var admin = principal.Roles.Contains("admin");
        if (!admin && !principal.Roles.Contains("owner"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Access denied",
                detail: $"'{principal.Id}' may not read the audit log: it is for admins and product owners.");
        }

        var state = await served.StateAsync(cancellationToken);
        var owned = state.Catalog.Entries.Where(e => e.Product.OwnerTeam == principal.Team).SelectMany(e => e.Datasets).Select(d => d.Address).ToHashSet(StringComparer.Ordinal);
        var records = await served.Store.GetAuditAsync(admin ? Math.Clamp(limit, 1, 10_000) : 10_000, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AuditRecord>>(admin ? records
            : [.. records.Where(r => r.Entry.Resource.Split(',').Any(owned.Contains)).Take(Math.Clamp(limit, 1, 10_000))]);
    }
}
