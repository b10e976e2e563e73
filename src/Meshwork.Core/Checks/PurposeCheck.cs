using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>A product's <c>meshwork.allowedPurposes</c> names at least one purpose: an empty list would refuse every access request.</summary>
internal sealed class PurposeCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Document;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        foreach (var product in mesh.Products)
        {
            if (Purposes.AllowedFor(product) is { Count: 0 })
            {
                var property = product.CustomProperties.First(p => p.Property == Purposes.AllowedProperty);
                diagnostics.Report(Rules.InvalidPurposes, property.Location,
                    $"{Purposes.AllowedProperty} of '{product.Key}' names no purpose ({property.Value.GetRawText()}), so every access request for its data would be refused.");
            }
        }
    }
}
