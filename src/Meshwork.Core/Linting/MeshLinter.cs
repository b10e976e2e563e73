using System.Collections.Immutable;
using Meshwork.Checks;
using Meshwork.Diagnostics;
using Meshwork.Documents;
using Meshwork.Loading;
using Meshwork.Model;

namespace Meshwork.Linting;

/// <summary>
/// Lints a mesh repository folder (every file, every cross-file check) or one ODCS/ODPS file alone (its
/// schema and its own rules; references to other files are not resolved).
/// </summary>
public static class MeshLinter
{
    /// <exception cref="MeshworkException">The path does not exist, is not a mesh repository, or is a file of no known kind.</exception>
    public static LintReport Lint(string path)
    {
        if (Directory.Exists(path))
        {
            return LintRepository(path).Report;
        }

        if (File.Exists(path))
        {
            return LintFile(Path.GetFullPath(path));
        }

        throw new MeshworkException($"'{path}' does not exist.");
    }

    /// <summary>Loads and lints a repository folder, returning the model too (plan and apply work on it when it is clean).</summary>
    /// <exception cref="MeshworkException">The folder does not exist or is not a mesh repository.</exception>
    public static (Mesh Mesh, LintReport Report) LintRepository(string folder)
    {
        var result = MeshLoader.Load(folder);
        MeshChecks.Run(result.Mesh, result.Diagnostics, wholeMesh: true);
        return (result.Mesh, new LintReport(result.Mesh.RootPath, result.Diagnostics.ToSortedList()));
    }

    private static LintReport LintFile(string fullPath)
    {
        var folder = Path.GetDirectoryName(fullPath)!;
        var file = Path.GetFileName(fullPath);
        var diagnostics = new DiagnosticBag();
        var kind = DocumentKinds.FromFileName(file) ?? Sniff(fullPath, file, diagnostics);
        if (kind is null)
        {
            if (diagnostics.HasErrors)
            {
                return new LintReport(folder, diagnostics.ToSortedList());
            }

            throw new MeshworkException(
                $"'{file}' is not a file Meshwork can lint alone: name it *.odcs.yaml or *.odps.yaml (or give it kind: DataContract / DataProduct), or lint the repository folder.");
        }

        var document = DocumentKinds.Read(fullPath, file, kind.Value, diagnostics);
        if (document is not null && kind is DocumentKind.Contract or DocumentKind.Product)
        {
            var mesh = SingleDocumentMesh(folder, document, kind.Value);
            MeshChecks.Run(mesh, diagnostics, wholeMesh: false);
        }

        return new LintReport(folder, diagnostics.ToSortedList());
    }

    /// <summary>Tells an ODCS or ODPS file by its <c>kind</c> when its name does not say.</summary>
    private static DocumentKind? Sniff(string fullPath, string file, DiagnosticBag diagnostics)
    {
        var document = YamlDocumentReader.ReadFile(fullPath, file, diagnostics);
        return document?.Root.Str("kind") switch
        {
            "DataContract" => DocumentKind.Contract,
            "DataProduct" => DocumentKind.Product,
            "Mesh" => DocumentKind.Mesh,
            "Domain" => DocumentKind.Domain,
            "People" => DocumentKind.People,
            "Policy" => DocumentKind.Policy,
            _ => null,
        };
    }

    private static Mesh SingleDocumentMesh(string folder, SourceDocument document, DocumentKind kind)
    {
        var settings = MeshSettings.Defaults("single-file", SourceLocation.StartOf(document.File));
        ImmutableArray<Contract> contracts = kind == DocumentKind.Contract ? [ContractReader.Read(document, ".")] : [];
        ImmutableArray<DataProduct> products = kind == DocumentKind.Product
            ? [ProductReader.Read(document, document.Root.Str("domain") ?? string.Empty, Path.GetFileName(folder), ".", [])]
            : [];
        return new Mesh(folder, settings, People.Empty, [], products, contracts, []);
    }
}
