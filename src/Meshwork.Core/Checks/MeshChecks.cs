using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>The semantic checks <c>mesh lint</c> runs, in order.</summary>
public static class MeshChecks
{
    public static IReadOnlyList<IMeshCheck> All { get; } =
    [
        new ProductShapeCheck(),
        new ContractShapeCheck(),
        new IdentityCheck(),
        new ReferenceCheck(),
        new PortCheck(),
        new LineageCheck(),
        new ClassificationCheck(),
        new SourceCheck(),
        new TransformCheck(),
        new EngineCheck(),
        new PurposeCheck(),
        new ConsentCheck(),
        new LinkCheck(),
    ];

    /// <summary>Runs every check of the given scope (document checks always run).</summary>
    public static void Run(Mesh mesh, DiagnosticBag diagnostics, bool wholeMesh)
    {
        // Checks only read the immutable model and report into a concurrent bag: they run side by side.
        Parallel.ForEach(All.Where(c => wholeMesh || c.Scope == CheckScope.Document), check => check.Run(mesh, diagnostics));
    }
}
