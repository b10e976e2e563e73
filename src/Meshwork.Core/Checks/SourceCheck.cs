using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// An input port's contract is either published by an upstream product or is a source contract beside the
/// consuming product (its folder or its domain's folder). Source contracts say where their data is, in a way
/// the platform can read: a local file that exists in a supported format, or a PostgreSQL server.
/// </summary>
internal sealed class SourceCheck : IMeshCheck
{
    public static readonly string[] LocalFormats = ["csv", "parquet", "json"];

    private static readonly string[] ReadableTypes = ["local", "postgres", "postgresql"];

    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        var checkedSources = new HashSet<Contract>();
        foreach (var product in mesh.Products)
        {
            foreach (var port in product.InputPorts)
            {
                if (mesh.FindContract(port.ContractId) is not { } contract || !mesh.IsSource(contract))
                {
                    continue;
                }

                var domainFolder = Path.GetDirectoryName(product.Folder)?.Replace('\\', '/');
                if (contract.Folder != product.Folder && contract.Folder != domainFolder)
                {
                    if (mesh.UnreadableFiles.Contains(contract.Folder + "/" + Loading.MeshLoader.ProductFile))
                    {
                        continue; // its product could not be read: that error is already reported
                    }

                    diagnostics.Report(Rules.UnknownContract, port.ContractLocation,
                        $"Input port '{port.Name}' references contract '{contract.Id}' ({contract.File}), which no output port publishes and which is not a source contract of '{product.Key}'.",
                        "Consume a contract an upstream product publishes, or put the source contract beside this product.");
                }
                else if (checkedSources.Add(contract))
                {
                    CheckServers(mesh, contract, diagnostics);
                }
            }
        }
    }

    private static void CheckServers(Mesh mesh, Contract contract, DiagnosticBag diagnostics)
    {
        var readable = contract.Servers.Where(s => ReadableTypes.Contains(s.Type)).ToList();
        if (readable.Count == 0)
        {
            diagnostics.Report(Rules.MissingServer, contract.Location,
                $"Contract '{contract.Id}' is consumed as a source but has no server of type {string.Join(", ", ReadableTypes)}.");
            return;
        }

        foreach (var server in readable.Where(s => s.Type != "local" && (string.IsNullOrWhiteSpace(s.Host) || string.IsNullOrWhiteSpace(s.Database))))
        {
            diagnostics.Report(Rules.MissingServer, server.Location,
                $"Server '{server.Name ?? server.Type}' of type {server.Type} needs a host and a database; its table is the schema object's physicalName (else its name), in its schema (else public).");
        }

        foreach (var server in readable.Where(s => s.Type == "local"))
        {
            if (server.Format is not { } format || !LocalFormats.Contains(format))
            {
                diagnostics.Report(Rules.UnsupportedFormat, server.Location,
                    $"Server '{server.Name ?? server.Type}' has format '{server.Format}'; Meshwork reads {string.Join(", ", LocalFormats)}.");
            }

            if (server.Path is { Length: > 0 } path && !Exists(Path.Combine(mesh.RootPath, contract.Folder), path))
            {
                diagnostics.Report(Rules.SourcePathMissing, server.PathLocation,
                    $"Server '{server.Name ?? server.Type}' reads '{path}', which matches no file (relative to {contract.Folder}/).");
            }
        }
    }

    /// <summary>Whether a path (relative to <paramref name="folder"/>, a glob in its last segment allowed) matches a file.</summary>
    public static bool Exists(string folder, string path)
    {
        var full = Path.GetFullPath(Path.Combine(folder, path));
        var name = Path.GetFileName(full);
        if (name.IndexOfAny(['*', '?']) < 0)
        {
            return File.Exists(full);
        }

        var directory = Path.GetDirectoryName(full);
        return directory is not null && Directory.Exists(directory) && Directory.EnumerateFiles(directory, name).Any();
    }
}
