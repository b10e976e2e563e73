using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// References resolve: ports to contracts, products to their domain, owners to teams, people to teams;
/// each contract belongs to one product and is used by a port of the product it sits beside.
/// </summary>
internal sealed class ReferenceCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        CheckPeople(mesh, diagnostics);
        foreach (var domain in mesh.Domains.Where(d => d.Owner.Length > 0 && mesh.People.FindTeam(d.Owner) is null))
        {
            diagnostics.Report(Rules.UnknownTeam, domain.Location, $"Domain '{domain.Name}' is owned by team '{domain.Owner}', which people.yaml does not declare.",
                Suggestions.Hint(domain.Owner, mesh.People.Teams.Select(t => t.Id)));
        }

        foreach (var product in mesh.Products)
        {
            CheckProduct(mesh, product, diagnostics);
        }

        // A contract belongs to the product whose folder holds it; any other product publishing it is wrong.
        foreach (var group in ModelWalk.Published(mesh).GroupBy(p => p.Contract.Id).Where(g => g.Select(x => x.Product.Key).Distinct().Count() > 1))
        {
            var owner = group.FirstOrDefault(x => x.Product.Folder == x.Contract.Folder);
            owner = owner.Product is null ? group.First() : owner;
            foreach (var other in group.Where(x => x.Product.Key != owner.Product.Key))
            {
                diagnostics.Report(Rules.ContractOwnedTwice, other.Port.ContractLocation,
                    $"Contract '{group.Key}' is already published by product '{owner.Product.Key}' (port '{owner.Port.Name}').");
            }
        }

        var referenced = mesh.Products
            .SelectMany(p => p.InputPorts.Select(i => (p.Folder, Id: i.ContractId)).Concat(p.OutputPorts.Select(o => (p.Folder, Id: o.ContractId ?? string.Empty))))
            .ToHashSet();
        var productFolders = mesh.Products.Select(p => p.Folder).ToHashSet(StringComparer.Ordinal);
        foreach (var contract in mesh.Contracts.Where(c => productFolders.Contains(c.Folder) && !referenced.Contains((c.Folder, c.Id))))
        {
            diagnostics.Report(Rules.UnusedContract, contract.Location, $"Contract '{contract.Id}' is not referenced by any port of the product in '{contract.Folder}'.");
        }
    }

    private static void CheckProduct(Mesh mesh, DataProduct product, DiagnosticBag diagnostics)
    {
        if (product.DeclaredDomain is { } declared && declared != product.Domain)
        {
            diagnostics.Report(Rules.DomainMismatch, product.Location,
                $"Product '{product.Key}' declares domain '{declared}' but sits in domains/{product.Domain}/.",
                $"Set 'domain: {product.Domain}', or move the product folder to domains/{declared}/.");
        }

        if (mesh.FindDomain(product.Domain) is null && mesh.Domains.All(d => Path.GetFileName(d.Folder) != product.Domain))
        {
            diagnostics.Report(Rules.UnknownDomain, product.Location, $"Product '{product.Key}' is in domain '{product.Domain}', which has no domain.yaml.");
        }

        if (product.OwnerTeam is null)
        {
            diagnostics.Report(Rules.MissingOwner, product.Location, $"Product '{product.Key}' names no owner team (team.name).");
        }
        else if (mesh.People.FindTeam(product.OwnerTeam) is null)
        {
            diagnostics.Report(Rules.UnknownTeam, product.Location, $"Product '{product.Key}' is owned by team '{product.OwnerTeam}', which people.yaml does not declare.",
                Suggestions.Hint(product.OwnerTeam, mesh.People.Teams.Select(t => t.Id)));
        }

        foreach (var member in product.Members.Where(m => m.Username.Length > 0 && mesh.People.FindPrincipal(m.Username) is null))
        {
            diagnostics.Report(Rules.UnknownPrincipal, member.Location, $"Team member '{member.Username}' is not a principal of people.yaml.");
        }

        foreach (var port in product.InputPorts.Where(p => p.ContractId.Length > 0 && mesh.FindContract(p.ContractId) is null))
        {
            diagnostics.Report(Rules.UnknownContract, port.ContractLocation, $"Input port '{port.Name}' references contract '{port.ContractId}', which no contract in the mesh has.",
                Suggestions.Hint(port.ContractId, mesh.Contracts.Select(c => c.Id)));
        }

        foreach (var port in product.OutputPorts.Where(p => !string.IsNullOrEmpty(p.ContractId) && mesh.FindContract(p.ContractId) is null))
        {
            diagnostics.Report(Rules.UnknownContract, port.ContractLocation, $"Output port '{port.Name}' references contract '{port.ContractId}', which no contract in the mesh has.",
                Suggestions.Hint(port.ContractId!, mesh.Contracts.Where(c => c.Folder == product.Folder).Select(c => c.Id)));
        }

        // A product publishes contracts that sit beside it (publishing another product's contract is reported as contract-owned-twice).
        foreach (var port in product.OutputPorts)
        {
            if (port.ContractId is { Length: > 0 } id && mesh.FindContract(id) is { } contract && contract.Folder != product.Folder
                && !mesh.Products.Any(p => p.Folder == contract.Folder && p.OutputPorts.Any(o => o.ContractId == id)))
            {
                diagnostics.Report(Rules.UnknownContract, port.ContractLocation,
                    $"Output port '{port.Name}' publishes contract '{id}' from '{contract.File}'; a product's output contracts sit in its own folder ({product.Folder}).");
            }
        }
    }

    private static void CheckPeople(Mesh mesh, DiagnosticBag diagnostics)
    {
        foreach (var team in mesh.People.Teams.Where(t => t.Domain is not null && mesh.FindDomain(t.Domain) is null))
        {
            diagnostics.Report(Rules.UnknownDomain, team.Location, $"Team '{team.Id}' belongs to domain '{team.Domain}', which has no domain.yaml.");
        }

        foreach (var principal in mesh.People.Principals.Where(p => p.Team is not null && mesh.People.FindTeam(p.Team) is null))
        {
            diagnostics.Report(Rules.UnknownTeam, principal.Location, $"Principal '{principal.Id}' is in team '{principal.Team}', which people.yaml does not declare.");
        }
    }
}
