using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// Published contracts: their major version is the port's, their objects are valid dataset names with
/// columns and types, and no two ports publish the same dataset address.
/// </summary>
internal sealed class PortCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        var addresses = new Dictionary<string, (DataProduct Product, OutputPort Port)>(StringComparer.Ordinal);
        // Ports declared twice are reported as duplicate-port, contracts published by a product that does not
        // own them as contract-owned-twice; look at each port once, and only at its owner's.
        var published = ModelWalk.Published(mesh)
            .DistinctBy(p => (p.Product.Key, p.Port.Name, p.Port.Version))
            .Where(p => mesh.FindPublisher(p.Contract.Id)?.Product.Key == p.Product.Key);
        foreach (var (product, port, contract) in published)
        {
            if (port.Major is { } portMajor && contract.Major is { } contractMajor && portMajor != contractMajor)
            {
                diagnostics.Report(Rules.VersionMismatch, contract.VersionLocation,
                    $"Contract '{contract.Id}' is version {contract.Version} but output port '{port.Name}' of '{product.Key}' that publishes it is version {port.Version}; their major versions must agree.");
            }

            if (contract.Domain is { } domain && domain != product.Domain)
            {
                diagnostics.Report(Rules.DomainMismatch, contract.DomainLocation,
                    $"Contract '{contract.Id}' declares domain '{domain}' but is published by '{product.Key}' in domain '{product.Domain}'.",
                    $"Set 'domain: {product.Domain}'.");
            }

            if (contract.DataProduct is { } dataProduct && dataProduct != product.Name && dataProduct != product.Id)
            {
                diagnostics.Report(Rules.DomainMismatch, contract.DataProductLocation,
                    $"Contract '{contract.Id}' declares dataProduct '{dataProduct}' but is published by '{product.Key}'.",
                    $"Set 'dataProduct: {product.Name}'.");
            }

            if (!contract.Schema.Any(o => !o.Properties.IsEmpty))
            {
                diagnostics.Report(Rules.EmptySchema, contract.Location, $"Contract '{contract.Id}' is published by '{product.Key}' but describes no schema object with properties.");
            }

            foreach (var obj in contract.Schema)
            {
                if (!Model.Names.IsValid(obj.Name))
                {
                    diagnostics.Report(Rules.InvalidName, obj.Location,
                        $"Schema object '{obj.Name}' is published as a dataset, so its name must match [a-z][a-z0-9_]*.");
                    continue;
                }

                foreach (var (path, property) in ModelWalk.AllProperties(obj.Properties).Where(p => p.Property.LogicalType is null))
                {
                    diagnostics.Report(Rules.UnknownType, property.Location, $"Column '{obj.Name}.{path}' has no logicalType.");
                }

                if (port.Major is not { } major || !Model.Names.IsValid(product.Name))
                {
                    continue;
                }

                var address = Model.Names.DatasetAddress(product.Domain, product.Name, obj.Name, major);
                if (addresses.TryGetValue(address, out var first))
                {
                    diagnostics.Report(Rules.DuplicateDataset, port.Location,
                        $"Output port '{port.Name}' publishes dataset '{address}', which output port '{first.Port.Name}' of '{first.Product.Key}' already publishes.");
                }
                else
                {
                    addresses[address] = (product, port);
                }
            }
        }
    }
}
