using Meshwork.Platform.Catalog;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meshwork.Server.Apis;

/// <summary>The catalog: domains, product search and detail (also as JSON-LD), dataset schemas and check history.</summary>
public static class CatalogApi
{
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Catalog");
        api.MapGet("/domains", ListDomainsAsync).WithSummary("Every domain, with its owner, engine and products.");
        api.MapGet("/domains/{name}", GetDomainAsync).WithSummary("One domain.");
        api.MapGet("/products", SearchAsync)
            .WithSummary("Search products: q matches names, descriptions, tags, column names and descriptions; filter by domain, tag, status, classification.");
        api.MapGet("/products/{id}", GetProductAsync)
            .WithSummary("A product: spec, owners, datasets with schema, quality and SLOs, lineage. JSON-LD (DCAT 3, schema.org) with Accept: application/ld+json.");
        api.MapGet("/datasets/{address}", GetDatasetAsync).WithSummary("A dataset's schema and published state.");
        api.MapGet("/datasets/{address}/checks", GetChecksAsync).WithSummary("A dataset's quality check history, newest first.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DomainSummary>>> ListDomainsAsync(ServedMesh served, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DomainSummary>>([.. state.Mesh.Domains.OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => CatalogModels.Domain(state.Mesh, d, state.Catalog))]);
    }

    private static async Task<Results<Ok<DomainSummary>, ProblemHttpResult>> GetDomainAsync(string name, ServedMesh served, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        return state.Mesh.FindDomain(name) is { } domain
            ? TypedResults.Ok(CatalogModels.Domain(state.Mesh, domain, state.Catalog))
            : NotFound($"No domain '{name}'.");
    }

    private static async Task<Results<Ok<ProductPage>, ProblemHttpResult>> SearchAsync(ServedMesh served, CancellationToken cancellationToken,
        string? q = null, string? domain = null, string? tag = null, string? status = null, string? classification = null, int offset = 0, int limit = 20)
    {
        if (offset < 0 || limit is < 1 or > 200)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: "offset must be ≥ 0 and limit between 1 and 200.");
        }

        var state = await served.StateAsync(cancellationToken);
        var page = state.Catalog.Search(new CatalogQuery(q, domain, tag, status, classification, offset, limit));
        var items = new List<ProductSummary>();
        foreach (var entry in page.Items)
        {
            items.Add(CatalogModels.Summary(entry, await served.StatusAsync(entry, cancellationToken)));
        }

        return TypedResults.Ok(new ProductPage(page.Total, offset, limit, items));
    }

    private static async Task<IResult> GetProductAsync(string id, HttpContext context, ServedMesh served, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        if (state.Catalog.Find(id) is not { } entry)
        {
            return NotFound($"No product '{id}'.");
        }

        var statuses = await served.StatusAsync(entry, cancellationToken);
        var history = new Dictionary<string, IReadOnlyList<CheckRecord>>(StringComparer.Ordinal);
        foreach (var dataset in entry.Datasets)
        {
            history[dataset.Address] = await served.Store.GetCheckHistoryAsync(dataset.Address, 50, cancellationToken);
        }

        var detail = CatalogModels.Detail(state.Mesh, state.Catalog, entry, statuses, history);
        var accept = context.Request.GetTypedHeaders().Accept;
        if (accept.Any(a => a.MediaType.Equals(JsonLd.MediaType, StringComparison.OrdinalIgnoreCase)))
        {
            var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
            return TypedResults.Text(JsonLd.Product(detail, baseUrl).ToJsonString(), JsonLd.MediaType);
        }

        return TypedResults.Ok(detail);
    }

    private static async Task<Results<Ok<DatasetInfo>, ProblemHttpResult>> GetDatasetAsync(string address, ServedMesh served, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        if (state.Catalog.FindDataset(address) is not { } dataset || state.Catalog.Find(dataset.ProductKey) is not { } entry)
        {
            return NotFound($"No dataset '{address}' is published.");
        }

        var detail = CatalogModels.Detail(state.Mesh, state.Catalog, entry, await served.StatusAsync(entry, cancellationToken), new Dictionary<string, IReadOnlyList<CheckRecord>>());
        return TypedResults.Ok(detail.Datasets.Single(d => d.Address == address));
    }

    private static async Task<Results<Ok<IReadOnlyList<CheckInfo>>, ProblemHttpResult>> GetChecksAsync(string address, ServedMesh served, CancellationToken cancellationToken, int limit = 100)
    {
        var state = await served.StateAsync(cancellationToken);
        if (state.Catalog.FindDataset(address) is null)
        {
            return NotFound($"No dataset '{address}' is published.");
        }

        var history = await served.Store.GetCheckHistoryAsync(address, Math.Clamp(limit, 1, 1000), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<CheckInfo>>([.. history.Select(c => new CheckInfo(c.Name, c.Status, c.Value, c.Message, c.CheckedAt, c.RunId))]);
    }

    internal static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
}
