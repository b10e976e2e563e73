using System.Text.RegularExpressions;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Planning;

/// <summary>
/// Who reads a dataset, and which of its columns: a product through an input port (the columns its transform
/// SQL names; <see cref="Columns"/> null when it may use every column), or a principal or product through an
/// active access agreement (the agreement's columns, or all).
/// </summary>
public sealed record DatasetConsumer(string Id, string Via, IReadOnlySet<string>? Columns)
{
    /// <summary>Whether a change of the dataset's schema touches what this consumer reads.</summary>
    public bool Uses(SchemaChange change) =>
        change.Column == "*" || Columns is null || Columns.Contains(change.Column);

    public override string ToString() =>
        Columns is null ? $"{Id} ({Via}; all columns)" : $"{Id} ({Via}; uses {string.Join(", ", Columns.Order(StringComparer.Ordinal))})";
}

/// <summary>The live consumers of published datasets, for plans and <c>mesh diff</c> (one notion of "who breaks").</summary>
public static partial class Consumers
{
    /// <summary>
    /// The consumers of dataset <paramref name="address"/> (published under <paramref name="contractId"/> with
    /// the given <paramref name="columns"/>): products whose input ports reference the contract, and active agreements on it.
    /// </summary>
    public static IReadOnlyList<DatasetConsumer> Of(Mesh mesh, string contractId, string address, IReadOnlyCollection<string> columns,
        IReadOnlyList<Agreement> agreements, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(agreements);
        var found = new List<DatasetConsumer>();
        foreach (var product in mesh.Products.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var input in product.InputPorts.Where(i => i.ContractId == contractId))
            {
                found.Add(new DatasetConsumer(product.Key, $"input port '{input.Name}'", ColumnsUsed(mesh, product, columns)));
            }
        }

        foreach (var agreement in agreements.Where(a => a.Dataset == address && a.IsActive(today)).OrderBy(a => a.Consumer, StringComparer.Ordinal))
        {
            if (found.Any(f => Principal.ProductPrefix + f.Id == agreement.Consumer))
            {
                continue; // the product's input port already says what it reads
            }

            found.Add(new DatasetConsumer(agreement.Consumer, $"agreement {agreement.Id}: {agreement.Purpose}",
                agreement.Columns is { } only ? only.ToHashSet(StringComparer.Ordinal) : null));
        }

        return found;
    }

    /// <summary>
    /// The dataset's columns a product's transforms name (a <c>*</c> uses them all); with no transform, the
    /// columns its output contracts take over by name.
    /// </summary>
    private static HashSet<string>? ColumnsUsed(Mesh mesh, DataProduct product, IReadOnlyCollection<string> columns)
    {
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (product.Transforms.IsEmpty)
        {
            foreach (var port in product.OutputPorts)
            {
                if (port.ContractId is not null && mesh.FindContract(port.ContractId) is { } contract)
                {
                    words.UnionWith(contract.Schema.SelectMany(o => o.Properties).Select(p => p.Name));
                }
            }
        }
        else
        {
            foreach (var transform in product.Transforms)
            {
                var path = Path.Combine(mesh.RootPath, transform.File);
                var sql = File.Exists(path) ? File.ReadAllText(path) : "*";
                if (Star().IsMatch(sql))
                {
                    return null;
                }

                words.UnionWith(Identifier().Matches(sql).Select(m => m.Value));
            }
        }

        return columns.Where(words.Contains).ToHashSet(StringComparer.Ordinal);
    }

    // A bare or qualified star in a select list ("SELECT *", "p.*"), not a multiplication or COUNT(*).
    [GeneratedRegex(@"(?:\bSELECT\s+(?:DISTINCT\s+)?|,\s*|\.)\*(?!\s*\))", RegexOptions.IgnoreCase)]
    private static partial Regex Star();

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
}
