using Meshwork.Diagnostics;
using Meshwork.Documents;
using Meshwork.Schemas;

namespace Meshwork.Loading;

/// <summary>The kinds of YAML file in a mesh repository, told apart by name.</summary>
public enum DocumentKind
{
    Mesh,
    People,
    Domain,
    Product,
    Contract,
    Policy,
}

/// <summary>Reading one file of a given kind: parse, migrate (ODCS), validate against its schema.</summary>
public static class DocumentKinds
{
    public static DocumentKind? FromFileName(string fileName) => fileName switch
    {
        "mesh.yaml" => DocumentKind.Mesh,
        "people.yaml" => DocumentKind.People,
        "domain.yaml" => DocumentKind.Domain,
        _ when fileName.EndsWith(".odps.yaml", StringComparison.Ordinal) => DocumentKind.Product,
        _ when fileName.EndsWith(".odcs.yaml", StringComparison.Ordinal) => DocumentKind.Contract,
        _ when fileName.EndsWith(".policy.yaml", StringComparison.Ordinal) => DocumentKind.Policy,
        _ => null,
    };

    /// <summary>
    /// Reads a file and checks it against its schema. Returns the document (migrated for ODCS) when it could
    /// be parsed, even if the schema check failed, so that later checks still see what is there.
    /// </summary>
    public static SourceDocument? Read(string fullPath, string file, DocumentKind kind, DiagnosticBag diagnostics)
    {
        var document = YamlDocumentReader.ReadFile(fullPath, file, diagnostics);
        if (document is null)
        {
            return null;
        }

        switch (kind)
        {
            case DocumentKind.Contract:
                var apiVersion = document.Root.Str("apiVersion");
                if (apiVersion is not null && !apiVersion.StartsWith("v3.", StringComparison.Ordinal))
                {
                    diagnostics.Report(Rules.OdcsVersion, document.Map.LocateValue("/apiVersion"),
                        $"apiVersion '{apiVersion}' is not ODCS v3; Meshwork reads v3.0.x (migrated) and v3.1.0.");
                    return null;
                }

                document = OdcsMigrator.Migrate(document, diagnostics);
                DocumentSchema.Odcs.Validate(document, diagnostics);
                break;
            case DocumentKind.Product:
                DocumentSchema.Odps.Validate(document, diagnostics);
                break;
            case DocumentKind.Mesh:
                DocumentSchema.Mesh.Validate(document, diagnostics);
                break;
            case DocumentKind.Domain:
                DocumentSchema.Domain.Validate(document, diagnostics);
                break;
            case DocumentKind.People:
                DocumentSchema.People.Validate(document, diagnostics);
                break;
            case DocumentKind.Policy:
                DocumentSchema.Policy.Validate(document, diagnostics);
                break;
        }

        return document;
    }
}
