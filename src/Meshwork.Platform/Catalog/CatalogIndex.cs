using System.Collections.Frozen;
using Meshwork.Model;

namespace Meshwork.Platform.Catalog;

/// <summary>A column of a published dataset as consumers see it in the catalog.</summary>
public sealed record CatalogColumn(
    string Name,
    string? LogicalType,
    string? PhysicalType,
    bool Required,
    bool Unique,
    bool PrimaryKey,
    string? Classification,
    IReadOnlyList<string> Tags,
    string? Description);

/// <summary>A dataset an output port publishes: its address, contract and schema.</summary>
public sealed record CatalogDataset(
    string Address,
    string ProductKey,
    string Port,
    int Major,
    string PortVersion,
    string ContractId,
    string ContractVersion,
    string ObjectName,
    string? Description,
    string? OwnerTeam,
    IReadOnlyList<CatalogColumn> Columns);

/// <summary>One product in the catalog, with everything search matches on.</summary>
public sealed record CatalogEntry(DataProduct Product, Domain? Domain, IReadOnlyList<CatalogDataset> Datasets)
{
    public IEnumerable<string> Classifications => Datasets.SelectMany(d => d.Columns).Select(c => c.Classification).OfType<string>().Distinct(StringComparer.Ordinal);
}

/// <summary>A search: free text plus facet filters, paged.</summary>
public sealed record CatalogQuery(string? Text = null, string? Domain = null, string? Tag = null, string? Status = null, string? Classification = null, int Offset = 0, int Limit = 20);

public sealed record CatalogPage(int Total, IReadOnlyList<CatalogEntry> Items);

/// <summary>
/// The searchable catalog of the applied products. Built once per applied mesh; a search intersects, per
/// term, the products having a word that starts with the term (names, titles, descriptions, tags, column
/// names and descriptions), found by binary search in a sorted word list: no scan over products.
/// </summary>
public sealed class CatalogIndex
{
    private readonly CatalogEntry[] _entries;
    private readonly FrozenDictionary<string, CatalogEntry> _byKey;
    private readonly FrozenDictionary<string, CatalogDataset> _datasets;
    private readonly string[] _words;
    private readonly int[][] _postings;

    private CatalogIndex(CatalogEntry[] entries)
    {
        _entries = entries;
        _byKey = entries.ToFrozenDictionary(e => e.Product.Key, StringComparer.Ordinal);
        _datasets = entries.SelectMany(e => e.Datasets).DistinctBy(d => d.Address).ToFrozenDictionary(d => d.Address, StringComparer.Ordinal);
        var words = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            foreach (var word in Words(entries[i]))
            {
                if (!words.TryGetValue(word, out var set))
                {
                    words[word] = set = [];
                }

                set.Add(i);
            }
        }

        _words = [.. words.Keys];
        _postings = [.. words.Values.Select(s => s.ToArray())];
    }

    public int Count => _entries.Length;

    public IReadOnlyList<CatalogEntry> Entries => _entries;

    /// <summary>The catalog of <paramref name="mesh"/>, restricted to <paramref name="applied"/> product keys when given.</summary>
    public static CatalogIndex Build(Mesh mesh, IReadOnlySet<string>? applied = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var entries = mesh.Products
            .Where(p => applied is null || applied.Contains(p.Key))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new CatalogEntry(p, mesh.FindDomain(p.Domain), DatasetsOf(mesh, p)))
            .ToArray();
        return new CatalogIndex(entries);
    }

    public CatalogEntry? Find(string productKeyOrId) =>
        _byKey.GetValueOrDefault(productKeyOrId) ?? _entries.FirstOrDefault(e => e.Product.Id == productKeyOrId);

    public CatalogDataset? FindDataset(string address) => _datasets.GetValueOrDefault(address);

    public CatalogPage Search(CatalogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        IEnumerable<int> candidates = Enumerable.Range(0, _entries.Length);
        foreach (var term in Tokenize(query.Text ?? string.Empty).Distinct(StringComparer.Ordinal))
        {
            var matching = Matching(term);
            candidates = candidates.Where(matching.Contains);
        }

        var matches = candidates
            .Select(i => _entries[i])
            .Where(e => query.Domain is null || e.Product.Domain == query.Domain)
            .Where(e => query.Tag is null || e.Product.Tags.Contains(query.Tag, StringComparer.OrdinalIgnoreCase))
            .Where(e => query.Status is null || string.Equals(e.Product.Status, query.Status, StringComparison.OrdinalIgnoreCase))
            .Where(e => query.Classification is null || e.Classifications.Contains(query.Classification, StringComparer.OrdinalIgnoreCase))
            .ToList();
        return new CatalogPage(matches.Count, [.. matches.Skip(Math.Max(0, query.Offset)).Take(Math.Clamp(query.Limit, 0, 1000))]);
    }

    /// <summary>Products having a word that starts with <paramref name="prefix"/>.</summary>
    private HashSet<int> Matching(string prefix)
    {
        var found = new HashSet<int>();
        var start = Array.BinarySearch(_words, prefix, StringComparer.Ordinal);
        if (start < 0)
        {
            start = ~start;
        }

        for (var i = start; i < _words.Length && _words[i].StartsWith(prefix, StringComparison.Ordinal); i++)
        {
            found.UnionWith(_postings[i]);
        }

        return found;
    }

    private static IEnumerable<string> Words(CatalogEntry entry)
    {
        var p = entry.Product;
        IEnumerable<string?> texts =
        [
            p.Key, p.Id, p.Name, p.Title, p.Domain, p.Description.Purpose, p.Description.Usage, p.Description.Limitations, p.OwnerTeam,
            entry.Domain?.Title, entry.Domain?.Description, .. p.Tags,
            .. p.OutputPorts.Select(o => o.Description),
            .. entry.Datasets.SelectMany(d => new[] { d.Address, d.ObjectName, d.Description }),
            .. entry.Datasets.SelectMany(d => d.Columns).SelectMany(c => new[] { c.Name, c.Description, c.Classification }.Concat(c.Tags)),
        ];
        return texts.OfType<string>().SelectMany(Tokenize).Distinct(StringComparer.Ordinal);
    }

    /// <summary>Lower-case words; <c>customer_id</c> yields <c>customer_id</c>, <c>customer</c> and <c>id</c>.</summary>
    internal static IEnumerable<string> Tokenize(string text)
    {
        foreach (var raw in text.ToLowerInvariant().Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            yield return raw;
            if (raw.IndexOfAny(['_', '-', '.', ':']) >= 0)
            {
                foreach (var part in raw.Split(['_', '-', '.', ':'], StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return part;
                }
            }
        }
    }

    private static readonly char[] Separators = [' ', '\t', '\n', '\r', ',', ';', '(', ')', '[', ']', '{', '}', '"', '\'', '/', '!', '?', '`', '*', '#', '|'];

    private static List<CatalogDataset> DatasetsOf(Mesh mesh, DataProduct product)
    {
        var datasets = new List<CatalogDataset>();
        foreach (var port in product.OutputPorts)
        {
            if (port.ContractId is null || mesh.FindContract(port.ContractId) is not { } contract)
            {
                continue;
            }

            foreach (var obj in contract.Schema.Where(o => !o.Properties.IsEmpty))
            {
                var major = port.Major ?? 1;
                datasets.Add(new CatalogDataset(Names.DatasetAddress(product.Domain, product.Name, obj.Name, major), product.Key, port.Name, major, port.Version,
                    contract.Id, contract.Version, obj.Name, obj.Description ?? port.Description, product.OwnerTeam,
                    [.. obj.Properties.Select(c => new CatalogColumn(c.Name, c.LogicalType, c.PhysicalType, c.Required, c.Unique, c.PrimaryKey, c.Classification,
                        c.Tags, c.Description))]));
            }
        }

        return datasets;
    }
}
