using System.Globalization;
using System.Net;
using System.Text;
using GraphShape;
using GraphShape.Algorithms.Layout;
using Meshwork.Model;
using Meshwork.Platform.Catalog;
using QuikGraph;

namespace Meshwork.Web.Views;

/// <summary>A node of a lineage graph: a product of the catalog, or an operational source feeding one.</summary>
public sealed record LineageNode(string Id, string Label, string Detail, string? Href, bool IsFocus, bool IsSource);

/// <summary>
/// A product's lineage: every product upstream of it (transitively, with the sources they read) and every
/// product downstream, laid out in layers left to right by GraphShape's Sugiyama algorithm and drawn as SVG
/// on the server. Product nodes link to their pages.
/// </summary>
public sealed class LineageGraph
{
    private const double NodeWidth = 200;
    private const double NodeHeight = 48;
    private const double Margin = 12;

    private readonly BidirectionalGraph<LineageNode, Edge<LineageNode>> _graph;

    private LineageGraph(BidirectionalGraph<LineageNode, Edge<LineageNode>> graph, IReadOnlyList<string> upstream, IReadOnlyList<string> downstream)
    {
        _graph = graph;
        Upstream = upstream;
        Downstream = downstream;
    }

    /// <summary>Product keys upstream of the focus, nearest first.</summary>
    public IReadOnlyList<string> Upstream { get; }

    /// <summary>Product keys downstream of the focus, nearest first.</summary>
    public IReadOnlyList<string> Downstream { get; }

    public int NodeCount => _graph.VertexCount;

    public static LineageGraph Of(Mesh mesh, CatalogIndex catalog, string focusKey)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(catalog);
        // Product edges: an input port reading a contract another product publishes.
        var parents = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in catalog.Entries)
        {
            foreach (var input in entry.Product.InputPorts)
            {
                if (mesh.FindPublisher(input.ContractId)?.Product.Key is { } upstream && upstream != entry.Product.Key)
                {
                    Add(parents, entry.Product.Key, upstream);
                    Add(children, upstream, entry.Product.Key);
                }
            }
        }

        var above = Walk(focusKey, parents);
        var below = Walk(focusKey, children);
        var keys = new HashSet<string>([focusKey, .. above, .. below], StringComparer.Ordinal);

        var graph = new BidirectionalGraph<LineageNode, Edge<LineageNode>>();
        var nodes = new Dictionary<string, LineageNode>(StringComparer.Ordinal);
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            var entry = catalog.Find(key);
            var node = new LineageNode(key, entry?.Product.Title ?? key, key, entry is null ? null : $"/products/{key}", key == focusKey, false);
            nodes[key] = node;
            graph.AddVertex(node);
        }

        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            foreach (var upstream in parents.GetValueOrDefault(key) ?? [])
            {
                if (keys.Contains(upstream))
                {
                    graph.AddEdge(new Edge<LineageNode>(nodes[upstream], nodes[key]));
                }
            }

            // Operational sources (files, databases) of the products on the upstream side.
            if (key == focusKey || above.Contains(key))
            {
                foreach (var input in catalog.Find(key)?.Product.InputPorts ?? [])
                {
                    if (mesh.FindPublisher(input.ContractId) is null)
                    {
                        var source = new LineageNode($"source:{key}:{input.Name}", input.Name, "source · " + SourceKind(mesh.FindContract(input.ContractId)), null, false, true);
                        graph.AddVertex(source);
                        graph.AddEdge(new Edge<LineageNode>(source, nodes[key]));
                    }
                }
            }
        }

        return new LineageGraph(graph, above, below);
    }

    /// <summary>The graph as an SVG element (no XML prolog), sized to its layout.</summary>
    public string ToSvg(string title)
    {
        var sizes = _graph.Vertices.ToDictionary(v => v, _ => new Size(NodeWidth, NodeHeight));
        var parameters = new SugiyamaLayoutParameters { Direction = LayoutDirection.LeftToRight, LayerGap = 64, SliceGap = 20 };
        var layout = new SugiyamaLayoutAlgorithm<LineageNode, Edge<LineageNode>, BidirectionalGraph<LineageNode, Edge<LineageNode>>>(_graph, sizes, parameters);
        layout.Compute();

        // GraphShape gives centres; shift everything so the drawing starts at the margin.
        var positions = layout.VerticesPositions;
        var minX = positions.Values.Min(p => p.X) - (NodeWidth / 2) - Margin;
        var minY = positions.Values.Min(p => p.Y) - (NodeHeight / 2) - Margin;
        var width = positions.Values.Max(p => p.X) - minX + (NodeWidth / 2) + Margin;
        var height = positions.Values.Max(p => p.Y) - minY + (NodeHeight / 2) + Margin;
        Point At(LineageNode node) => new(positions[node].X - minX, positions[node].Y - minY);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg class="lineage" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {N(width)} {N(height)}" width="{N(width)}" height="{N(height)}" role="group" aria-label="{E(title)}">""");
        svg.Append("""<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" class="arrow-head"/></marker></defs>""");
        foreach (var edge in _graph.Edges)
        {
            var from = At(edge.Source);
            var to = At(edge.Target);
            var (x1, y1, x2, y2) = (from.X + (NodeWidth / 2), from.Y, to.X - (NodeWidth / 2), to.Y);
            var bend = Math.Max(24, (x2 - x1) / 2);
            svg.Append(CultureInfo.InvariantCulture, $"""<path class="edge" d="M{N(x1)} {N(y1)} C{N(x1 + bend)} {N(y1)} {N(x2 - bend)} {N(y2)} {N(x2)} {N(y2)}" marker-end="url(#arrow)"/>""");
        }

        foreach (var node in _graph.Vertices)
        {
            var centre = At(node);
            var (x, y) = (centre.X - (NodeWidth / 2), centre.Y - (NodeHeight / 2));
            var css = node.IsFocus ? "node focus" : node.IsSource ? "node source" : "node";
            var body = new StringBuilder();
            body.Append(CultureInfo.InvariantCulture, $"""<rect x="{N(x)}" y="{N(y)}" width="{N(NodeWidth)}" height="{N(NodeHeight)}" rx="8"/>""");
            body.Append(CultureInfo.InvariantCulture, $"""<text x="{N(x + 12)}" y="{N(y + 20)}" class="node-label">{E(Clip(node.Label, 26))}</text>""");
            body.Append(CultureInfo.InvariantCulture, $"""<text x="{N(x + 12)}" y="{N(y + 37)}" class="node-detail">{E(Clip(node.Detail, 30))}</text>""");
            if (node.Href is { } href && !node.IsFocus)
            {
                // The link's name is its visible text (label and address); the title shows both in full on hover.
                svg.Append(CultureInfo.InvariantCulture, $"""<a href="{E(href)}" class="{css}" data-node="{E(node.Id)}"><title>{E($"{node.Label} ({node.Detail})")}</title>{body}</a>""");
            }
            else
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<g class="{css}" data-node="{E(node.Id)}"><title>{E($"{node.Label} ({node.Detail})")}</title>{body}</g>""");
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Add(Dictionary<string, List<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }

    /// <summary>Everything reachable from <paramref name="start"/>, breadth first (nearest first), without it.</summary>
    private static List<string> Walk(string start, Dictionary<string, List<string>> next)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var order = new List<string>();
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var key))
        {
            foreach (var other in next.GetValueOrDefault(key) ?? [])
            {
                if (seen.Add(other))
                {
                    order.Add(other);
                    queue.Enqueue(other);
                }
            }
        }

        return order;
    }

    private static string SourceKind(Contract? contract) =>
        contract?.Servers.FirstOrDefault()?.Type ?? "external";

    private static string Clip(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
