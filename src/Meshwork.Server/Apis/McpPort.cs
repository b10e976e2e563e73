using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Meshwork.Platform.Catalog;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Serving.Formats;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Meshwork.Server.Apis;

/// <summary>
/// The MCP port for AI agents (<c>/mcp</c>, streamable HTTP, a bearer token required): tools to search the catalog,
/// describe a product, query and request access. Like every port it authenticates and encodes; each call is the caller's
/// own governed read or request through <see cref="ServedMesh"/>, with the channel <c>mcp</c> so policies can treat
/// agents apart, and audited there.
/// </summary>
public static class McpPort
{
    /// <summary>The most rows a query tool call returns (an agent reads them in its context).</summary>
    public const int MaxRows = 1000;

    public static IServiceCollection AddMeshworkMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        // Stateless: every call is a request of its own, authenticated by its bearer token; nothing is kept between calls.
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "meshwork", Version = typeof(McpPort).Assembly.GetName().Version?.ToString() ?? "1.0.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<MeshworkTools>();
        return services;
    }

    public static IEndpointRouteBuilder MapMeshworkMcp(this IEndpointRouteBuilder app)
    {
        app.MapMcp("/mcp").RequireAuthorization();
        return app;
    }

    /// <summary>The tools an agent calls; each acts as the principal of the call's token.</summary>
    [McpServerToolType]
    public sealed class MeshworkTools(ServedMesh served, IHttpContextAccessor http)
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

        private Model.Principal Caller => (http.HttpContext ?? throw new InvalidOperationException("An MCP call outside a request.")).Principal();

        [McpServerTool(Name = "search_products", ReadOnly = true), Description("Search the data products of the mesh by words in their names, descriptions, tags and columns. Returns each product's id, name, domain, description and datasets.")]
        public async Task<string> SearchProductsAsync([Description("Words to look for; empty lists every product.")] string? query = null,
            [Description("How many products at most (1-100).")] int limit = 20, CancellationToken cancellationToken = default)
        {
            var state = await served.StateAsync(cancellationToken);
            var page = state.Catalog.Search(new CatalogQuery(query, null, null, null, null, 0, Math.Clamp(limit, 1, 100)));
            var items = new List<ProductSummary>();
            foreach (var entry in page.Items)
            {
                items.Add(CatalogModels.Summary(entry, await served.StatusAsync(entry, cancellationToken)));
            }

            return JsonSerializer.Serialize(new { total = page.Total, products = items }, Json);
        }

        [McpServerTool(Name = "describe_product", ReadOnly = true), Description("Describe a data product: its datasets with their columns and types, its contract, quality, owner, and the purposes its data may be used for.")]
        public async Task<string> DescribeProductAsync([Description("The product id (domain.product).")] string product, CancellationToken cancellationToken = default)
        {
            var state = await served.StateAsync(cancellationToken);
            var entry = state.Catalog.Find(product) ?? throw new McpException($"No product '{product}'.");
            var history = new Dictionary<string, IReadOnlyList<CheckRecord>>(StringComparer.Ordinal);
            return JsonSerializer.Serialize(CatalogModels.Detail(state.Mesh, state.Catalog, entry, await served.StatusAsync(entry, cancellationToken), history), Json);
        }

        [McpServerTool(Name = "query", ReadOnly = true), Description("Run one SQL SELECT over datasets named by their address (domain.product.object_vN), as the caller may read them (masks and row filters applied). Returns the rows as JSON lines.")]
        public async Task<string> QueryAsync([Description("One SELECT statement.")] string sql,
            [Description("What the data is used for; reads under an agreement must state a purpose it covers.")] string? purpose = null,
            [Description("How many rows at most (1-1000).")] int maxRows = 100, CancellationToken cancellationToken = default)
        {
            try
            {
                var request = ReadRequest.Query(Caller, ReadChannels.Mcp, sql) with { Purpose = purpose, Limits = new ReadLimits(FirstRows: Math.Clamp(maxRows, 1, MaxRows)) };
                await using var result = await served.ReadAsync(request, cancellationToken);
                var schema = await result.StartAsync(cancellationToken);
                using var output = new MemoryStream();
                await DataFormats.WriteAsync(DataFormat.Ndjson, schema, result.ReadAsync(cancellationToken), result.Bounded(output), cancellationToken);
                return Encoding.UTF8.GetString(output.ToArray());
            }
            catch (ServingException e)
            {
                throw new McpException(e.Message, e);
            }
        }

        [McpServerTool(Name = "request_access"), Description("Request access to a dataset for a purpose: granted at once when a policy permits it, else pending for the owning team.")]
        public async Task<string> RequestAccessAsync([Description("The dataset address (domain.product.object_vN).")] string dataset,
            [Description("What the data will be used for.")] string purpose, CancellationToken cancellationToken = default)
        {
            try
            {
                var agreement = await served.RequestAccessAsync(Caller, dataset, purpose, null, null, cancellationToken);
                return JsonSerializer.Serialize(new { agreement.Id, agreement.Dataset, agreement.Purpose, state = agreement.State(DateOnly.FromDateTime(served.Time.GetUtcNow().UtcDateTime)) }, Json);
            }
            catch (ServingException e)
            {
                throw new McpException(e.Message, e);
            }
        }
    }
}
