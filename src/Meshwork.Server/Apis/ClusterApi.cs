using Meshwork.Platform.Cluster;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meshwork.Server.Apis;

/// <summary>The cluster's nodes, their status, last heartbeat and the products each hosts (admins).</summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Cluster").MapGet("/cluster", ReadAsync)
            .WithSummary("The cluster's nodes: status, last heartbeat, products hosted (admins). A server without --cluster is a cluster of one.");
        return app;
    }

    private static async Task<Results<Ok<ClusterStatus>, ProblemHttpResult>> ReadAsync(HttpContext context, ClusterMonitor monitor)
    {
        var principal = context.Principal();
        if (!principal.Roles.Contains("admin"))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Access denied",
                detail: $"'{principal.Id}' may not see the cluster: it is for admins.");
        }

        return TypedResults.Ok(await monitor.ReadAsync());
    }
}
