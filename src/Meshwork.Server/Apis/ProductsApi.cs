using Meshwork.Model;
using Meshwork.Platform.Catalog;
using Meshwork.Platform.Products;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meshwork.Server.Apis;

public sealed record ProductHealth(string Product, string Status, string Quality, string Freshness, RunRecord? LastRun, IReadOnlyList<DatasetHealth> Datasets);

public sealed record DatasetHealth(string Address, long? Rows, long? Quarantined, DateTimeOffset? PublishedAt, string Quality, IReadOnlyList<SloInfo> Slos);


/// <summary>A product's control port (runs) and observability port (health).</summary>
public static class ProductsApi
{
    public static IEndpointRouteBuilder MapProductsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/products/{id}").WithTags("Products");
        api.MapPost("/runs", RunAsync).WithSummary("Run the product's pipeline now (its owning team, admins and the pipeline role).");
        api.MapGet("/runs", ListRunsAsync).WithSummary("The product's pipeline runs, newest first.");
        api.MapGet("/health", HealthAsync).WithSummary("The product's health: last run, quality and freshness of each dataset.");
        return app;
    }

    private static async Task<Results<Ok<ProductRunResult>, ProblemHttpResult>> RunAsync(string id, HttpContext context, ServedMesh served, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        if (state.Catalog.Find(id) is not { } entry)
        {
            return CatalogApi.NotFound($"No product '{id}'.");
        }

        var principal = context.Principal();
        if (!MayOperate(principal, entry.Product))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Access denied",
                detail: $"'{principal.Id}' may not run {entry.Product.Key}: only its owning team ({entry.Product.OwnerTeam}), admins and the pipeline role run products.");
        }

        // Through the product's grain: one run at a time per product, and downstream products follow.
        var result = await grains.GetGrain<IDataProductGrain>(entry.Product.Key).RunAsync($"manual by {principal.Id}");
        return result.Error switch
        {
            null => TypedResults.Ok(result),
            var e when e.Contains("not applied", StringComparison.Ordinal) || e.Contains("another process", StringComparison.Ordinal) =>
                TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: e),
            var e => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Run failed", detail: e),
        };
    }

    private static async Task<Results<Ok<IReadOnlyList<RunRecord>>, ProblemHttpResult>> ListRunsAsync(string id, ServedMesh served, CancellationToken cancellationToken, int limit = 50)
    {
        var state = await served.StateAsync(cancellationToken);
        return state.Catalog.Find(id) is { } entry
            ? TypedResults.Ok(await served.Store.GetRunsAsync(entry.Product.Key, Math.Clamp(limit, 1, 1000), cancellationToken))
            : CatalogApi.NotFound($"No product '{id}'.");
    }

    private static async Task<Results<Ok<ProductHealth>, ProblemHttpResult>> HealthAsync(string id, ServedMesh served, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        if (state.Catalog.Find(id) is not { } entry)
        {
            return CatalogApi.NotFound($"No product '{id}'.");
        }

        var statuses = await served.StatusAsync(entry, cancellationToken);
        var summary = CatalogModels.Summary(entry, statuses);
        var runs = await served.Store.GetRunsAsync(entry.Product.Key, 1, cancellationToken);
        var lastRun = runs.Count > 0 ? runs[0] : null;
        var healthy = summary.Quality != "failed" && summary.Freshness != "stale" && lastRun?.Status != "failed" && statuses.All(s => s.Snapshot is not null);
        return TypedResults.Ok(new ProductHealth(entry.Product.Key, healthy ? "healthy" : "unhealthy", summary.Quality, summary.Freshness, lastRun,
            [.. statuses.Select(s => new DatasetHealth(s.Address, s.Snapshot?.Rows, s.Snapshot?.Quarantined, s.Snapshot?.CreatedAt, s.Quality,
                [.. s.Slos.Select(o => new SloInfo(o.Slo, o.Status, o.Age?.TotalSeconds, o.Limit.TotalSeconds, o.Message))]))]));
    }

    internal static bool MayOperate(Principal principal, DataProduct product) =>
        principal.Roles.Contains("admin") || principal.Roles.Contains("pipeline") || (principal.Team is not null && principal.Team == product.OwnerTeam);
}
