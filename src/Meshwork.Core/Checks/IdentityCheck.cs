using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>Ids are unique, names are valid identifiers, and domains are named after their folders.</summary>
internal sealed class IdentityCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        foreach (var domain in mesh.Domains)
        {
            var folderName = Path.GetFileName(domain.Folder);
            if (!Model.Names.IsValid(domain.Name))
            {
                diagnostics.Report(Rules.InvalidName, domain.Location, $"Domain name '{domain.Name}' does not match [a-z][a-z0-9_]*.");
            }
            else if (domain.Name != folderName)
            {
                diagnostics.Report(Rules.DomainMismatch, domain.Location, $"Domain '{domain.Name}' is in folder '{domain.Folder}'; a domain is named after its folder.",
                    $"Rename the folder to domains/{domain.Name}, or set name: {folderName}.");
            }
        }

        foreach (var product in mesh.Products.Where(p => !Model.Names.IsValid(p.Name)))
        {
            diagnostics.Report(Rules.InvalidName, SourceLocation.StartOf(product.File),
                $"Product folder '{product.Folder}' is not a valid product name: '{product.Name}' does not match [a-z][a-z0-9_]*.");
        }

        Duplicates(mesh.Products.Where(p => p.Id.Length > 0), p => p.Id, p => p.Location, "Product id", diagnostics);
        Duplicates(mesh.Contracts.Where(c => c.Id.Length > 0), c => c.Id, c => c.Location, "Contract id", diagnostics);
        Duplicates(mesh.People.Teams, t => t.Id, t => t.Location, "Team id", diagnostics);
        Duplicates(mesh.People.Principals, p => p.Id, p => p.Location, "Principal id", diagnostics);
    }

    private static void Duplicates<T>(IEnumerable<T> items, Func<T, string> id, Func<T, SourceLocation> at, string what, DiagnosticBag diagnostics)
    {
        // Every occurrence is reported, each naming the others: which one is wrong is the author's call.
        foreach (var group in items.GroupBy(id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var locations = group.Select(at).ToList();
            foreach (var location in locations)
            {
                var others = string.Join(", ", locations.Where(l => l != location));
                diagnostics.Report(Rules.DuplicateId, location, $"{what} '{group.Key}' is also used at {others}.");
            }
        }
    }
}
