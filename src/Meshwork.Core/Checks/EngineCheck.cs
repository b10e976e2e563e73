using System.Text.RegularExpressions;
using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// Engines: mesh.yaml's declarations are named once, of a known type, a server engine with a connection whose
/// <c>${VAR}</c> references are well formed; <c>defaultEngine</c>, a domain's <c>engine</c> and a product's
/// <c>meshwork.engine</c> name <c>duckdb</c> or a declared engine. The connection itself is checked when apply opens it.
/// </summary>
internal sealed partial class EngineCheck : IMeshCheck
{
    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        var settings = mesh.Settings;
        foreach (var engine in settings.Engines)
        {
            if (settings.Engines.First(e => e.Name == engine.Name) != engine)
            {
                diagnostics.Report(Rules.UnknownEngine, engine.Location, $"The engine name '{engine.Name}' is declared twice in mesh.yaml.");
            }
            else if (engine.Name == MeshSettings.EmbeddedEngine && engine.Type != MeshSettings.EmbeddedEngine)
            {
                diagnostics.Report(Rules.UnknownEngine, engine.Location, $"'{MeshSettings.EmbeddedEngine}' is the embedded engine's name; give the {engine.Type} engine another name.");
            }

            if (engine.Type == "postgres" && string.IsNullOrWhiteSpace(engine.Connection))
            {
                diagnostics.Report(Rules.UnknownEngine, engine.Location,
                    $"The postgres engine '{engine.Name}' has no connection; give a PostgreSQL URI or connection string, e.g. connection: \"${{MESHWORK_PG_{engine.Name.ToUpperInvariant().Replace('-', '_')}}}\".");
            }
            else if (engine.Connection is { } connection && Unclosed().IsMatch(EngineDeclaration.Variable().Replace(connection, string.Empty)))
            {
                diagnostics.Report(Rules.UnknownEngine, engine.Location,
                    $"The connection of engine '{engine.Name}' has a '${{' that is not a variable reference; write ${{NAME}} with letters, digits and underscores.");
            }
        }

        Require(settings, settings.DefaultEngine, "defaultEngine in mesh.yaml", settings.Location, diagnostics);
        foreach (var domain in mesh.Domains.Where(d => d.Engine is not null))
        {
            Require(settings, domain.Engine!, $"The engine of domain '{domain.Name}'", domain.Location, diagnostics);
        }

        foreach (var product in mesh.Products)
        {
            foreach (var engine in product.CustomProperties.Where(p => p.Property == "meshwork.engine"))
            {
                Require(settings, engine.StringValue ?? string.Empty, $"meshwork.engine of '{product.Key}'", engine.Location, diagnostics);
            }
        }
    }

    private static void Require(MeshSettings settings, string name, string what, SourceLocation location, DiagnosticBag diagnostics)
    {
        if (settings.FindEngine(name) is null)
        {
            diagnostics.Report(Rules.UnknownEngine, location,
                $"{what} is '{name}', which is neither the embedded duckdb nor an engine mesh.yaml declares ({string.Join(", ", settings.EngineNames)}).");
        }
    }

    [GeneratedRegex(@"\$\{")]
    private static partial Regex Unclosed();
}
