using Meshwork.Engines.Ir;
using Meshwork.Model;

namespace Meshwork.Platform.Planning;

/// <summary>The datasets a mesh's products publish, each compiled from its output port's contract.</summary>
internal static class PublishedDatasets
{
    /// <summary>Every published dataset with its contract; only the products in <paramref name="products"/> when given.</summary>
    public static IEnumerable<(Contract Contract, DatasetSpec Spec)> Of(Mesh mesh, IReadOnlySet<string>? products = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        foreach (var product in mesh.Products.Where(p => products is null || products.Contains(p.Key)))
        {
            foreach (var port in product.OutputPorts)
            {
                if (port.ContractId is { } id && mesh.FindContract(id) is { } contract)
                {
                    foreach (var spec in ContractCompiler.Compile(product, port, contract, new Diagnostics.DiagnosticBag()))
                    {
                        yield return (contract, spec);
                    }
                }
            }
        }
    }
}
