using Meshwork.Engines.Ir;
using Meshwork.Model;

namespace Meshwork.Platform.Serving;

/// <summary>A published dataset as one caller may read it: only the columns its access plan allows, with their types.</summary>
public sealed record ReadableDataset(string Address, string? Description, IReadOnlyList<ColumnSpec> Columns);

public sealed partial class ServedMesh
{
    /// <summary>
    /// The published datasets <paramref name="principal"/> may read through <paramref name="channel"/> (with no
    /// purpose stated), each with the columns its plan allows: what a port lists as its tables, flights or
    /// catalog, so a caller never learns a column it cannot read. Listing is not reading: nothing is audited.
    /// </summary>
    public async Task<IReadOnlyList<ReadableDataset>> ReadableDatasetsAsync(Principal principal, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        var readable = new List<ReadableDataset>();
        foreach (var (address, spec) in state.Specs)
        {
            var plan = state.Plan(principal, address, null, channel, await ActiveAgreementsAsync(principal, address, cancellationToken).ConfigureAwait(false));
            if (plan.Allowed)
            {
                readable.Add(new ReadableDataset(address, state.Catalog.FindDataset(address)?.Description, [.. spec.Columns.Where(c => plan.Columns.Contains(c.Name))]));
            }
        }

        return readable;
    }

    /// <summary>Every dataset the served mesh publishes (deprecated ports included), compiled from its contract: columns and types, by address.</summary>
    private static SortedDictionary<string, DatasetSpec> SpecsOf(Mesh mesh, HashSet<string> keys)
    {
        var specs = new SortedDictionary<string, DatasetSpec>(StringComparer.Ordinal);
        foreach (var product in mesh.Products.Where(p => keys.Contains(p.Key)))
        {
            foreach (var port in product.OutputPorts)
            {
                if (port.ContractId is { } id && mesh.FindContract(id) is { } contract)
                {
                    foreach (var spec in ContractCompiler.Compile(product, port, contract, new Diagnostics.DiagnosticBag()))
                    {
                        specs[spec.Address] = spec;
                    }
                }
            }
        }

        return specs;
    }
}
