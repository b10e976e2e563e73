using Meshwork.Engines.Ir;
using Meshwork.Model;

namespace Meshwork.Platform.Serving;

/// <summary>
/// A published dataset as one caller may read it: only the columns its access plan allows, with their types, and the
/// purpose a read must state when only an agreement for it permits the read (null otherwise).
/// </summary>
public sealed record ReadableDataset(string Address, string? Description, IReadOnlyList<ColumnSpec> Columns, string? Purpose = null);

public sealed partial class ServedMesh
{
    /// <summary>
    /// The published datasets <paramref name="principal"/> may read through <paramref name="channel"/>, in address
    /// order, each with the columns its plan allows: what a port lists as its tables or flights, so the port decides
    /// nothing and a caller never learns a column it cannot read. A dataset readable only under an active agreement
    /// comes with that agreement's purpose. Listing is not reading: nothing is audited.
    /// </summary>
    public async Task<IReadOnlyList<ReadableDataset>> ReadableDatasetsAsync(Principal principal, string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        var state = await StateAsync(cancellationToken).ConfigureAwait(false);
        // One look-up of the caller's agreements for the whole list, not one per dataset.
        var agreements = (await _store.ListAgreementsAsync(principal.Id, null, cancellationToken).ConfigureAwait(false))
            .Where(a => a.IsActive(Today)).ToLookup(a => a.Dataset, StringComparer.Ordinal);
        var readable = new List<ReadableDataset>();
        foreach (var (address, spec) in state.Specs)
        {
            var active = agreements[address].ToList();
            var plan = state.Plan(principal, address, null, channel, active);
            string? purpose = null;
            if (!plan.Allowed && active.Select(a => (a.Purpose, Plan: state.Plan(principal, address, a.Purpose, channel, active))).FirstOrDefault(p => p.Plan.Allowed) is { Plan: not null } agreed)
            {
                (purpose, plan) = agreed;
            }

            if (plan.Allowed)
            {
                readable.Add(new ReadableDataset(address, state.Catalog.FindDataset(address)?.Description, [.. spec.Columns.Where(c => plan.Columns.Contains(c.Name))], purpose));
            }
        }

        return readable;
    }

    /// <summary>Every dataset the served mesh publishes (deprecated ports included), compiled from its contract: columns and types, by address.</summary>
    private static SortedDictionary<string, DatasetSpec> SpecsOf(Mesh mesh, HashSet<string> keys)
    {
        var specs = new SortedDictionary<string, DatasetSpec>(StringComparer.Ordinal);
        foreach (var (_, spec) in Planning.PublishedDatasets.Of(mesh, keys))
        {
            specs[spec.Address] = spec;
        }

        return specs;
    }
}
