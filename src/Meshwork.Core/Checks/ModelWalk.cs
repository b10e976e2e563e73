using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>Walks of the model shared by several checks.</summary>
internal static class ModelWalk
{
    /// <summary>Every property of an object, nested ones included, with its dotted path (<c>address.city</c>).</summary>
    public static IEnumerable<(string Path, SchemaProperty Property)> AllProperties(IEnumerable<SchemaProperty> properties, string prefix = "")
    {
        foreach (var property in properties)
        {
            var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            yield return (path, property);
            foreach (var nested in AllProperties(property.Properties, path))
            {
                yield return nested;
            }

            if (property.Items is { } items)
            {
                foreach (var nested in AllProperties(items.Properties, path))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>The contracts the mesh's output ports publish, with their publisher.</summary>
    public static IEnumerable<(DataProduct Product, OutputPort Port, Contract Contract)> Published(Mesh mesh) =>
        from product in mesh.Products
        from port in product.OutputPorts
        let contract = port.ContractId is null ? null : mesh.FindContract(port.ContractId)
        where contract is not null
        select (product, port, contract);
}
