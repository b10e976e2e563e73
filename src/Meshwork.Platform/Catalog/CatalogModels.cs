using Meshwork.Model;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Catalog;

public sealed record DomainSummary(string Name, string? Title, string? Description, string Owner, string Engine, IReadOnlyList<string> Tags, IReadOnlyList<string> Products);

public sealed record ProductSummary(
    string Id,
    string Key,
    string Name,
    string? Title,
    string Domain,
    string Status,
    string? Description,
    IReadOnlyList<string> Tags,
    string? Owner,
    IReadOnlyList<string> Datasets,
    string Quality,
    DateTimeOffset? PublishedAt,
    string Freshness);

public sealed record ProductPage(int Total, int Offset, int Limit, IReadOnlyList<ProductSummary> Items);

public sealed record OwnerInfo(string? Team, string? Name, string? Channel, IReadOnlyList<MemberInfo> Members);

public sealed record MemberInfo(string Username, string? Name, string? Role);

public sealed record SupportInfo(string Channel, string Url, string? Tool);

public sealed record InputPortInfo(string Name, string ContractId, string? Upstream, IReadOnlyList<string> Datasets);

public sealed record CheckInfo(string Name, string Status, decimal? Value, string Message, DateTimeOffset CheckedAt, string RunId);

public sealed record SloInfo(string Slo, string Status, double? AgeSeconds, double LimitSeconds, string Message);

public sealed record DatasetInfo(
    string Address,
    string Port,
    string PortVersion,
    string ContractId,
    string ContractVersion,
    string? Description,
    IReadOnlyList<CatalogColumn> Columns,
    long? Rows,
    long? Quarantined,
    DateTimeOffset? PublishedAt,
    string Quality,
    IReadOnlyList<CheckInfo> Checks,
    IReadOnlyList<SloInfo> Slos,
    string Data);

public sealed record ContractInfo(string Id, string Version, string Status, string File);

public sealed record LineageInfo(IReadOnlyList<string> Upstream, IReadOnlyList<string> Downstream);

public sealed record ProductDetail(
    string Id,
    string Key,
    string Name,
    string? Title,
    string Domain,
    string Status,
    string? Version,
    ProductDescription Description,
    IReadOnlyList<string> Tags,
    OwnerInfo Owner,
    IReadOnlyList<SupportInfo> Support,
    IReadOnlyList<InputPortInfo> InputPorts,
    IReadOnlyList<DatasetInfo> Datasets,
    IReadOnlyList<ContractInfo> Contracts,
    LineageInfo Lineage)
{
    /// <summary>The purposes the product's data may be used for (<c>meshwork.allowedPurposes</c>); null: any.</summary>
    public IReadOnlyList<string>? AllowedPurposes { get; init; }
}

/// <summary>Maps the catalog and the published state to what the API and the web UI show.</summary>
public static class CatalogModels
{
    public static DomainSummary Domain(Mesh mesh, Domain domain, CatalogIndex catalog) =>
        new(domain.Name, domain.Title, domain.Description, domain.Owner, mesh.EngineOf(domain), domain.Tags,
            [.. catalog.Entries.Where(e => e.Product.Domain == domain.Name).Select(e => e.Product.Key)]);

    public static ProductSummary Summary(CatalogEntry entry, IReadOnlyList<DatasetStatus> statuses)
    {
        var p = entry.Product;
        var published = statuses.Select(s => s.Snapshot?.CreatedAt).Where(t => t is not null).DefaultIfEmpty(null).Min();
        return new ProductSummary(p.Id, p.Key, p.Name, p.Title, p.Domain, p.Status, p.Description.Purpose, p.Tags, p.OwnerTeam,
            [.. entry.Datasets.Select(d => d.Address)], Worst(statuses.Select(s => s.Quality)), published, Freshness(statuses));
    }

    public static ProductDetail Detail(Mesh mesh, CatalogIndex catalog, CatalogEntry entry, IReadOnlyList<DatasetStatus> statuses, IReadOnlyDictionary<string, IReadOnlyList<CheckRecord>> history)
    {
        var p = entry.Product;
        var team = p.OwnerTeam is { } id ? mesh.People.FindTeam(id) : null;
        var inputs = p.InputPorts.Select(i => new InputPortInfo(i.Name, i.ContractId, mesh.FindPublisher(i.ContractId)?.Product.Key, [.. mesh.PublishedDatasets(i.ContractId)])).ToList();
        var downstream = catalog.Entries
            .Where(e => e.Product.InputPorts.Any(i => mesh.FindPublisher(i.ContractId)?.Product.Key == p.Key))
            .Select(e => e.Product.Key).ToList();
        var datasets = entry.Datasets.Select(d =>
        {
            var status = statuses.First(s => s.Address == d.Address);
            var checks = history.TryGetValue(d.Address, out var h) ? h : status.Checks;
            return new DatasetInfo(d.Address, d.Port, d.PortVersion, d.ContractId, d.ContractVersion, d.Description, d.Columns,
                status.Snapshot?.Rows, status.Snapshot?.Quarantined, status.Snapshot?.CreatedAt, status.Quality,
                [.. checks.Select(c => new CheckInfo(c.Name, c.Status, c.Value, c.Message, c.CheckedAt, c.RunId))],
                [.. status.Slos.Select(s => new SloInfo(s.Slo, s.Status, s.Age?.TotalSeconds, s.Limit.TotalSeconds, s.Message))],
                $"/api/v1/datasets/{d.Address}/data");
        }).ToList();
        var contracts = p.OutputPorts.Select(o => o.ContractId).Concat(p.InputPorts.Select(i => i.ContractId)).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(mesh.FindContract).OfType<Contract>()
            .Select(c => new ContractInfo(c.Id, c.Version, c.Status, c.File)).ToList();
        return new ProductDetail(p.Id, p.Key, p.Name, p.Title, p.Domain, p.Status, p.Version, p.Description, p.Tags,
            new OwnerInfo(p.OwnerTeam, team?.Name, team?.Channel, [.. p.Members.Select(m => new MemberInfo(m.Username, m.Name, m.Role))]),
            [.. p.Support.Select(s => new SupportInfo(s.Channel, s.Url, s.Tool))],
            inputs, datasets, contracts,
            new LineageInfo([.. inputs.Select(i => i.Upstream).OfType<string>().Distinct(StringComparer.Ordinal)], downstream))
        {
            AllowedPurposes = Purposes.AllowedFor(p),
        };
    }

    /// <summary>fresh when every freshness SLO holds, stale when one fails, unknown without SLOs or snapshots.</summary>
    private static string Freshness(IReadOnlyList<DatasetStatus> statuses)
    {
        var slos = statuses.SelectMany(s => s.Slos).ToList();
        return slos.Count == 0 || slos.All(s => s.Status == "unknown") ? "unknown" : slos.Any(s => s.Status == "failed") ? "stale" : "fresh";
    }

    private static string Worst(IEnumerable<string> qualities)
    {
        var all = qualities.ToList();
        return all.Contains("failed") ? "failed" : all.Contains("warned") ? "warned" : all.Contains("passed") ? "passed" : "unknown";
    }
}
