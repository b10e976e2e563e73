using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Meshwork.Platform.Catalog;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Serving.Formats;
using Meshwork.Platform.Store;
using Meshwork.Server.Hosting;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Meshwork.Server.Ports.Mcp;

/// <summary>
/// The MCP port for AI agents (<c>/mcp</c>, streamable HTTP, a bearer token required): tools to search the catalog,
/// describe a product, query and request access, and each product's description as a resource
/// (<c>meshwork://products/{id}</c>) an agent can browse. Like every port it authenticates and encodes; each call is
/// the caller's own governed read or request through <see cref="ServedMesh"/>, with the channel <c>mcp</c> so policies
/// can treat agents apart, and audited there. Product descriptions are catalog metadata (no rows), which every
/// authenticated caller sees, as in the catalog API.
/// </summary>
public static class McpPort
{
    /// <summary>The most rows a query tool call returns (an agent reads them in its context).</summary>
    public const int MaxRows = 1000;

    /// <summary>The scheme and path of a product's resource URI: <c>meshwork://products/{id}</c>, the id being <c>domain.product</c>.</summary>
    public const string ProductUriPrefix = "meshwork://products/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddMeshworkMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        // Stateless: every call is a request of its own, authenticated by its bearer token; nothing is kept between calls.
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "meshwork", Version = typeof(McpPort).Assembly.GetName().Version?.ToString() ?? "1.0.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<MeshworkTools>()
            // The template reads any product; the list handler names the catalog's products, which change with each apply.
            .WithResources<MeshworkResources>()
            .WithListResourcesHandler(MeshworkResources.ListProductsAsync);
        return services;
    }

    public static IEndpointRouteBuilder MapMeshworkMcp(this IEndpointRouteBuilder app)
    {
        app.MapMcp("/mcp").RequireAuthorization();
        return app;
    }

    /// <summary>
    /// A product's description as <c>describe_product</c> and the product resource give it, as JSON: the catalog's
    /// detail of the product (datasets and columns, contract, quality, owner, allowed purposes); null when the catalog
    /// has no such product. Catalog metadata only: it reads no rows, so it decides nothing about access.
    /// </summary>
    internal static async Task<string?> DescribeAsync(ServedMesh served, string product, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken);
        if (state.Catalog.Find(product) is not { } entry)
        {
            return null;
        }

        var history = new Dictionary<string, IReadOnlyList<CheckRecord>>(StringComparer.Ordinal);
        return JsonSerializer.Serialize(CatalogModels.Detail(state.Mesh, state.Catalog, entry, await served.StatusAsync(entry, cancellationToken), history), Json);
    }

    private static string UnknownProduct(string product) =>
        $"No product '{product}' in the catalog; search_products or resources/list name the products (domain.product).";

    /// <summary>The tools an agent calls; each acts as the principal of the call's token.</summary>
    [McpServerToolType]
    public sealed class MeshworkTools(ServedMesh served, IHttpContextAccessor http)
    {
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
        public async Task<string> DescribeProductAsync([Description("The product id (domain.product).")] string product, CancellationToken cancellationToken = default) =>
            await DescribeAsync(served, product, cancellationToken) ?? throw new McpException(UnknownProduct(product));

        /// <summary>
        /// The rows as JSON lines in one text block; when the read was cut at <paramref name="maxRows"/> while more rows
        /// were there, a second block says so, so that an agent does not take a sample for the whole result.
        /// </summary>
        [McpServerTool(Name = "query", ReadOnly = true), Description("Run one SQL SELECT over datasets named by their address (domain.product.object_vN), as the caller may read them (masks and row filters applied). Returns the rows as JSON lines; when the result has more rows than maxRows, a second text block says it was cut.")]
        public async Task<CallToolResult> QueryAsync([Description("One SELECT statement.")] string sql,
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
                var content = new List<ContentBlock> { new TextContentBlock { Text = Encoding.UTF8.GetString(output.ToArray()) } };
                if (result.Truncated)
                {
                    content.Add(new TextContentBlock { Text = TruncationNote(result.Rows) });
                }

                return new CallToolResult { Content = content };
            }
            catch (ServingException e)
            {
                throw new McpException(e.Message, e);
            }
        }

        /// <summary>What an agent is told when its query was cut: the rows are a sample, and how to get the answer whole.</summary>
        internal static string TruncationNote(long rows) =>
            $"Only the first {rows:N0} rows are shown; the result has more. Add a WHERE, an aggregate or a LIMIT"
            + (rows < MaxRows ? $", or raise maxRows (at most {MaxRows:N0})." : ".");

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

    /// <summary>
    /// Product descriptions as resources: the template <c>meshwork://products/{id}</c> reads one, and
    /// <see cref="ListProductsAsync"/> lists one per product of the catalog so an agent can browse them.
    /// </summary>
    [McpServerResourceType]
    public sealed class MeshworkResources(ServedMesh served)
    {
        [McpServerResource(UriTemplate = ProductUriPrefix + "{id}", Name = "product", Title = "Data product", MimeType = "application/json")]
        [Description("A data product's description, as describe_product gives it: its datasets with their columns and types, its contract, quality, owner, and the purposes its data may be used for.")]
        public async Task<string> ReadProductAsync([Description("The product id (domain.product).")] string id, CancellationToken cancellationToken = default) =>
            await DescribeAsync(served, id, cancellationToken) ?? throw new McpProtocolException(UnknownProduct(id), McpErrorCode.ResourceNotFound);

        /// <summary>
        /// <c>resources/list</c>: one resource per product of the served catalog, named by its id, titled and described
        /// as the catalog shows it. A handler rather than attributes, because the products change with each apply.
        /// </summary>
        public static async ValueTask<ListResourcesResult> ListProductsAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var served = (request.Services ?? throw new InvalidOperationException("An MCP request without services.")).GetRequiredService<ServedMesh>();
            var state = await served.StateAsync(cancellationToken);
            return new ListResourcesResult
            {
                Resources = [.. state.Catalog.Entries.Select(e => new Resource
                {
                    Uri = ProductUriPrefix + e.Product.Key,
                    Name = e.Product.Key,
                    Title = e.Product.Title ?? e.Product.Name,
                    Description = e.Product.Description.Purpose,
                    MimeType = "application/json",
                })],
            };
        }
    }
}
