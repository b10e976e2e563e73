using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>Inside one product: unique ports, semantic output versions, every output port has a contract.</summary>
internal sealed class ProductShapeCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Document;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        foreach (var product in mesh.Products)
        {
            foreach (var duplicate in product.InputPorts.GroupBy(p => (p.Name, p.Version)).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
            {
                diagnostics.Report(Rules.DuplicatePort, duplicate.Location, $"Input port '{duplicate.Name}' version {duplicate.Version} is declared twice.");
            }

            foreach (var duplicate in product.OutputPorts.GroupBy(p => (p.Name, p.Version)).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
            {
                diagnostics.Report(Rules.DuplicatePort, duplicate.Location, $"Output port '{duplicate.Name}' version {duplicate.Version} is declared twice.");
            }

            foreach (var port in product.OutputPorts)
            {
                if (!Versions.IsSemver(port.Version))
                {
                    diagnostics.Report(Rules.VersionNotSemver, port.VersionLocation,
                        $"Output port '{port.Name}' has version '{port.Version}', which is not a semantic version (MAJOR.MINOR.PATCH).");
                }

                if (string.IsNullOrEmpty(port.ContractId))
                {
                    diagnostics.Report(Rules.MissingContract, port.Location, $"Output port '{port.Name}' has no contractId.");
                }
            }
        }
    }
}
