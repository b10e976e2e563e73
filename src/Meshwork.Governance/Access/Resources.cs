using Meshwork.Model;

namespace Meshwork.Governance;

/// <summary>A column as policies see it: selected by tags and classification, never by name.</summary>
public sealed record ColumnResource(string Name, string? LogicalType, IReadOnlyList<string> Tags, string? Classification);

/// <summary>A dataset as policies see it.</summary>
public sealed record DatasetResource(
    string Address,
    string Domain,
    string ProductKey,
    string Port,
    string? OwnerTeam,
    string Status,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ColumnResource> Columns);

/// <summary>The datasets and products of a mesh as policy resources.</summary>
public static class Resources
{
    public static IEnumerable<DatasetResource> Datasets(Mesh mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        foreach (var product in mesh.Products)
        {
            foreach (var dataset in Datasets(mesh, product))
            {
                yield return dataset;
            }
        }
    }

    public static IEnumerable<DatasetResource> Datasets(Mesh mesh, DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(product);
        foreach (var port in product.OutputPorts)
        {
            if (port.ContractId is null || mesh.FindContract(port.ContractId) is not { } contract)
            {
                continue;
            }

            foreach (var obj in contract.Schema.Where(o => !o.Properties.IsEmpty))
            {
                yield return new DatasetResource(Names.DatasetAddress(product.Domain, product.Name, obj.Name, port.Major ?? 1), product.Domain, product.Key, port.Name,
                    product.OwnerTeam, product.Status, product.Tags,
                    [.. obj.Properties.Select(p => new ColumnResource(p.Name, p.LogicalType, p.Tags, p.Classification))]);
            }
        }
    }

    /// <summary>A product's attributes for rule policies (<see cref="Cel.PolicyDeclarations.ProductFields"/>).</summary>
    public static Dictionary<string, object> Product(Mesh mesh, DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(product);
        var contracts = product.OutputPorts.Select(p => p.ContractId).OfType<string>().Select(mesh.FindContract).OfType<Contract>().ToList();
        var columns = contracts.SelectMany(c => c.Schema).SelectMany(o => o.Properties).ToList();
        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["domain"] = product.Domain,
            ["product"] = product.Key,
            ["owner"] = product.OwnerTeam ?? string.Empty,
            ["status"] = product.Status,
            ["description"] = product.Description.Purpose ?? string.Empty,
            ["tags"] = product.Tags.Cast<object>().ToList(),
            ["column_tags"] = columns.SelectMany(c => c.Tags).Distinct(StringComparer.Ordinal).Cast<object>().ToList(),
            ["classifications"] = columns.Select(c => c.Classification).OfType<string>().Distinct(StringComparer.Ordinal).Cast<object>().ToList(),
            ["sla"] = contracts.SelectMany(c => c.Sla).Select(s => s.Property).Distinct(StringComparer.Ordinal).Cast<object>().ToList(),
            ["version"] = product.Version ?? string.Empty,
        };
    }
}
