using System.Collections.Concurrent;
using System.Collections.Immutable;
using Meshwork.Diagnostics;
using Meshwork.Documents;
using Meshwork.Model;

namespace Meshwork.Loading;

/// <summary>The outcome of loading: the model (whatever could be built) and every finding on the way.</summary>
public sealed record MeshLoadResult(Mesh Mesh, DiagnosticBag Diagnostics);

/// <summary>
/// Loads a mesh repository folder (DESIGN.md §3) into one immutable <see cref="Mesh"/>. Files are parsed and
/// schema-checked in parallel; every problem is a diagnostic, so one run reports them all.
/// </summary>
public static class MeshLoader
{
    public const string MeshFile = "mesh.yaml";
    public const string DomainFile = "domain.yaml";
    public const string ProductFile = "product.odps.yaml";
    public const string DomainsFolder = "domains";

    /// <summary>
    /// Loads the repository at <paramref name="rootPath"/>; local sources resolve against <paramref name="sourcesRoot"/>
    /// (default: the same folder).
    /// </summary>
    /// <exception cref="MeshworkException">The folder does not exist or holds no mesh.yaml.</exception>
    public static MeshLoadResult Load(string rootPath, string? sourcesRoot = null)
    {
        var root = Path.GetFullPath(rootPath);
        if (!Directory.Exists(root))
        {
            throw new MeshworkException($"'{rootPath}' is not a folder.");
        }

        if (!File.Exists(Path.Combine(root, MeshFile)))
        {
            throw new MeshworkException($"'{rootPath}' is not a mesh repository: it has no {MeshFile}. Run 'mesh init' to create one.");
        }

        var diagnostics = new DiagnosticBag();
        var meshDocument = DocumentKinds.Read(Path.Combine(root, MeshFile), MeshFile, DocumentKind.Mesh, diagnostics);
        var settings = meshDocument is null
            ? MeshSettings.Defaults(Path.GetFileName(root), SourceLocation.StartOf(MeshFile))
            : MeshFileReader.ReadMesh(meshDocument);

        var layout = Discover(root, settings, diagnostics);

        // Parse, check and read every file in parallel; assemble in path order so the model is deterministic.
        var loaded = new ConcurrentDictionary<string, object>(StringComparer.Ordinal);
        Parallel.ForEach(layout, file =>
        {
            if (DocumentKinds.Read(Path.Combine(root, file.Path), file.Path, file.Kind, diagnostics) is { } document)
            {
                loaded[file.Path] = ReadModel(root, file, document, diagnostics);
            }
        });

        var ordered = layout.Select(f => f.Path).Order(StringComparer.Ordinal).Where(loaded.ContainsKey).Select(p => loaded[p]).ToList();
        var mesh = new Mesh(
            root,
            settings,
            ordered.OfType<People>().FirstOrDefault() ?? People.Empty,
            [.. ordered.OfType<Domain>()],
            [.. ordered.OfType<DataProduct>()],
            [.. ordered.OfType<Contract>()],
            [.. ordered.OfType<PolicyFile>()])
        {
            SourcesRoot = sourcesRoot is null ? root : Path.GetFullPath(sourcesRoot),
            Files = [MeshFile, .. layout.Select(f => f.Path).Order(StringComparer.Ordinal)],
            UnreadableFiles = [.. layout.Select(f => f.Path).Where(path => !loaded.ContainsKey(path))],
        };
        return new MeshLoadResult(mesh, diagnostics);
    }

    private static object ReadModel(string root, PendingFile file, SourceDocument document, DiagnosticBag diagnostics) => file.Kind switch
    {
        DocumentKind.People => MeshFileReader.ReadPeople(document, diagnostics),
        DocumentKind.Domain => MeshFileReader.ReadDomain(document, file.Folder),
        DocumentKind.Product => ProductReader.Read(document, file.Domain!, Path.GetFileName(file.Folder), file.Folder, TransformsIn(root, file.Folder)),
        DocumentKind.Contract => ContractReader.Read(document, file.Folder),
        DocumentKind.Policy => new PolicyFile(document.Root.Str("name") ?? Path.GetFileName(file.Path), file.Path, document.Root, document.Locate(string.Empty))
        {
            Map = document.Map,
            Scope = file.Domain is null ? PolicyScope.Global : file.Folder.Count(c => c == '/') <= 1 ? PolicyScope.Domain : PolicyScope.Product,
            ScopeKey = file.Domain is null ? null : file.Folder.Count(c => c == '/') <= 1 ? file.Domain : $"{file.Domain}.{Path.GetFileName(file.Folder)}",
        },
        _ => throw new InvalidOperationException($"No model for {file.Kind} files."),
    };

    private sealed record PendingFile(string Path, DocumentKind Kind, string Folder, string? Domain);

    private static List<PendingFile> Discover(string root, MeshSettings settings, DiagnosticBag diagnostics)
    {
        var files = new List<PendingFile>();
        string? peopleFile = Relative(root, Path.Combine(root, settings.PeopleFile));
        if (File.Exists(Path.Combine(root, settings.PeopleFile)))
        {
            files.Add(new PendingFile(peopleFile, DocumentKind.People, ".", null));
        }
        else
        {
            diagnostics.Report(Rules.MissingFile, settings.Location, $"The people file '{settings.PeopleFile}' does not exist.",
                "Create people.yaml with the teams and principals of the mesh (see docs/reference/formats.md#peopleyaml).");
            peopleFile = null;
        }

        foreach (var stray in Directory.EnumerateFiles(root, "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f is not MeshFile && Relative(root, Path.Combine(root, f)) != peopleFile))
        {
            diagnostics.Report(Rules.StrayFile, SourceLocation.StartOf(stray), $"'{stray}' is not read: only {MeshFile} and the people file live at the root.");
        }

        var policies = Path.Combine(root, settings.PoliciesFolder);
        if (Directory.Exists(policies))
        {
            files.AddRange(Directory.EnumerateFiles(policies, "*.policy.yaml", SearchOption.AllDirectories)
                .Select(f => new PendingFile(Relative(root, f), DocumentKind.Policy, Relative(root, Path.GetDirectoryName(f)!), null)));
        }

        var domains = Path.Combine(root, DomainsFolder);
        if (!Directory.Exists(domains))
        {
            return files;
        }

        foreach (var file in Directory.EnumerateFiles(domains))
        {
            diagnostics.Report(Rules.StrayFile, SourceLocation.StartOf(Relative(root, file)),
                $"'{Relative(root, file)}' is not read: domains/ holds one folder per domain.");
        }

        foreach (var domainFolder in Directory.EnumerateDirectories(domains).Where(d => !IsHidden(d)))
        {
            var domain = Path.GetFileName(domainFolder);
            var domainRelative = Relative(root, domainFolder);
            if (File.Exists(Path.Combine(domainFolder, DomainFile)))
            {
                files.Add(new PendingFile(Relative(root, Path.Combine(domainFolder, DomainFile)), DocumentKind.Domain, domainRelative, domain));
            }
            else
            {
                diagnostics.Report(Rules.MissingFile, SourceLocation.StartOf(domainRelative),
                    $"The domain folder '{domainRelative}' has no {DomainFile}.", $"Create {domainRelative}/{DomainFile} naming the domain and its owner team.");
            }

            // Contracts may sit at domain level (shared sources of several products).
            files.AddRange(Directory.EnumerateFiles(domainFolder, "*.odcs.yaml")
                .Select(f => new PendingFile(Relative(root, f), DocumentKind.Contract, domainRelative, domain)));
            // Policies beside domain.yaml apply to the domain's products only.
            files.AddRange(Directory.EnumerateFiles(domainFolder, "*.policy.yaml")
                .Select(f => new PendingFile(Relative(root, f), DocumentKind.Policy, domainRelative, domain)));
            foreach (var file in Directory.EnumerateFiles(domainFolder).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)
                && Path.GetFileName(f) != DomainFile && !f.EndsWith(".odcs.yaml", StringComparison.Ordinal) && !f.EndsWith(".policy.yaml", StringComparison.Ordinal)))
            {
                diagnostics.Report(Rules.StrayFile, SourceLocation.StartOf(Relative(root, file)),
                    $"'{Relative(root, file)}' is not read: a domain folder holds domain.yaml, shared contracts (*.odcs.yaml) and product folders.");
            }

            foreach (var productFolder in Directory.EnumerateDirectories(domainFolder).Where(d => !IsHidden(d)))
            {
                DiscoverProduct(root, domain, productFolder, files, diagnostics);
            }
        }

        return files;
    }

    private static void DiscoverProduct(string root, string domain, string productFolder, List<PendingFile> files, DiagnosticBag diagnostics)
    {
        var folder = Relative(root, productFolder);
        var yamlFiles = Directory.EnumerateFiles(productFolder, "*.yaml").ToList();
        if (File.Exists(Path.Combine(productFolder, ProductFile)))
        {
            files.Add(new PendingFile(Relative(root, Path.Combine(productFolder, ProductFile)), DocumentKind.Product, folder, domain));
        }
        else if (yamlFiles.Count > 0 || Directory.EnumerateFiles(productFolder, "*.sql").Any())
        {
            diagnostics.Report(Rules.MissingFile, SourceLocation.StartOf(folder), $"The product folder '{folder}' has no {ProductFile}.",
                $"Create {folder}/{ProductFile} (ODPS v1.0.0), or move the files out of domains/.");
        }

        foreach (var file in yamlFiles)
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(".odcs.yaml", StringComparison.Ordinal))
            {
                files.Add(new PendingFile(Relative(root, file), DocumentKind.Contract, folder, domain));
            }
            else if (name.EndsWith(".policy.yaml", StringComparison.Ordinal))
            {
                // Policies beside product.odps.yaml apply to that product only.
                files.Add(new PendingFile(Relative(root, file), DocumentKind.Policy, folder, domain));
            }
            else if (name != ProductFile)
            {
                diagnostics.Report(Rules.StrayFile, SourceLocation.StartOf(Relative(root, file)),
                    $"'{Relative(root, file)}' is not read: a product folder holds {ProductFile}, contracts (*.odcs.yaml), transforms (*.sql) and data/.");
            }
        }
    }

    private static ImmutableArray<TransformFile> TransformsIn(string root, string folder) =>
        [.. Directory.EnumerateFiles(Path.Combine(root, folder), "*.sql")
            .Order(StringComparer.Ordinal)
            .Select(f => new TransformFile(Path.GetFileNameWithoutExtension(f), Relative(root, f)))];

    private static bool IsHidden(string path) => Path.GetFileName(path).StartsWith('.');

    /// <summary>A path relative to the repository root, with forward slashes (how diagnostics show it).</summary>
    public static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
