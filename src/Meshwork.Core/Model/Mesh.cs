using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Meshwork.Model;

/// <summary>
/// The whole mesh repository as one immutable value: settings, people, domains, products, contracts and
/// policies, with lookups by id. Built by <c>MeshLoader</c>; never changed after.
/// </summary>
public sealed class Mesh
{
    private readonly FrozenDictionary<string, Domain> _domains;
    private readonly FrozenDictionary<string, DataProduct> _products;
    private readonly FrozenDictionary<string, Contract> _contracts;
    private readonly FrozenDictionary<string, (DataProduct Product, OutputPort Port)> _publishers;

    public Mesh(
        string rootPath,
        MeshSettings settings,
        People people,
        ImmutableArray<Domain> domains,
        ImmutableArray<DataProduct> products,
        ImmutableArray<Contract> contracts,
        ImmutableArray<PolicyFile> policies)
    {
        RootPath = rootPath;
        Settings = settings;
        People = people;
        Domains = domains;
        Products = products;
        Contracts = contracts;
        Policies = policies;
        // Duplicates are reported by the checks; lookups keep the first one.
        _domains = domains.DistinctBy(d => d.Name).ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);
        _products = products.DistinctBy(p => p.Key).ToFrozenDictionary(p => p.Key, StringComparer.Ordinal);
        _contracts = contracts.Where(c => c.Id.Length > 0).DistinctBy(c => c.Id).ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        // When two products publish one contract (a lint error), the one whose folder holds it is its publisher.
        _publishers = products
            .SelectMany(p => p.OutputPorts.Where(o => !string.IsNullOrEmpty(o.ContractId)).Select(o => (Product: p, Port: o)))
            .GroupBy(x => x.Port.ContractId!, StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.FirstOrDefault(x => _contracts.TryGetValue(g.Key, out var c) && c.Folder == x.Product.Folder) is { Product: not null } owner ? owner : g.First(),
                StringComparer.Ordinal);
    }

    /// <summary>The absolute path of the repository folder (where mesh.yaml is).</summary>
    public string RootPath { get; }

    public MeshSettings Settings { get; }

    public People People { get; }

    public ImmutableArray<Domain> Domains { get; }

    public ImmutableArray<DataProduct> Products { get; }

    public ImmutableArray<Contract> Contracts { get; }

    public ImmutableArray<PolicyFile> Policies { get; }

    /// <summary>
    /// Where a local source's relative path resolves: the repository folder, or, for a mesh loaded from the applied
    /// copy in the store, the repository it was applied from (source data stays where it is; only the mesh is copied).
    /// </summary>
    public string SourcesRoot
    {
        get => _sourcesRoot ?? RootPath;
        init => _sourcesRoot = value;
    }

    private readonly string? _sourcesRoot;

    /// <summary>The repository files the model was read from (relative paths with forward slashes; mesh.yaml first), readable or not.</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    /// <summary>Files of the repository that could not be parsed; checks skip findings that would only echo them.</summary>
    public ImmutableHashSet<string> UnreadableFiles { get; init; } = [];

    public Domain? FindDomain(string name) => _domains.GetValueOrDefault(name);

    /// <summary>A product by its key <c>domain.product</c>.</summary>
    public DataProduct? FindProduct(string key) => _products.GetValueOrDefault(key);

    public Contract? FindContract(string id) => _contracts.GetValueOrDefault(id);

    /// <summary>The engine a domain's products run on: the domain's own, else the mesh default.</summary>
    public string EngineOf(Domain domain) => domain.Engine ?? Settings.DefaultEngine;

    /// <summary>The product whose output port publishes <paramref name="contractId"/>, with that port.</summary>
    public (DataProduct Product, OutputPort Port)? FindPublisher(string contractId) =>
        _publishers.TryGetValue(contractId, out var publisher) ? publisher : null;

    /// <summary>
    /// The dataset addresses published under a contract (one per schema object with properties), empty when no
    /// product publishes it: what an input port referencing the contract reads.
    /// </summary>
    public IEnumerable<string> PublishedDatasets(string contractId) =>
        FindPublisher(contractId) is { } publisher && FindContract(contractId) is { } contract
            ? contract.Schema.Where(o => !o.Properties.IsEmpty)
                .Select(o => Names.DatasetAddress(publisher.Product.Domain, publisher.Product.Name, o.Name, publisher.Port.Major ?? 1))
            : [];

    /// <summary>Whether a contract is consumed as an operational source: referenced by an input port, published by no product.</summary>
    public bool IsSource(Contract contract) => !_publishers.ContainsKey(contract.Id);
}
