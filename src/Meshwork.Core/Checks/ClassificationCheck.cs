using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>Every property's classification is one of those mesh.yaml allows (policies select columns by it).</summary>
internal sealed class ClassificationCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        var allowed = mesh.Settings.Classifications.ToHashSet(StringComparer.Ordinal);
        var list = string.Join(", ", mesh.Settings.Classifications);
        foreach (var contract in mesh.Contracts)
        {
            foreach (var obj in contract.Schema)
            {
                foreach (var (path, property) in ModelWalk.AllProperties(obj.Properties))
                {
                    if (property.Classification is { } classification && !allowed.Contains(classification))
                    {
                        diagnostics.Report(Rules.UnknownClassification, property.ClassificationLocation,
                            $"Column '{obj.Name}.{path}' has classification '{classification}', which is not one of: {list}.",
                            $"Use one of {list}, or add '{classification}' to classifications in mesh.yaml.");
                    }
                }
            }
        }
    }
}
