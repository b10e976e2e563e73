using System.Security.Cryptography;
using Meshwork.Loading;
using Meshwork.Model;

namespace Meshwork.Platform.Store;

/// <summary>
/// The repository as applied (DESIGN.md §7): its specifications, contracts, policies and transforms. A server loads and runs the mesh from these, so it needs no checkout, and every
/// replica on one store serves the same mesh. <see cref="Stamp"/> changes with every apply.
/// </summary>
public sealed record AppliedMesh(string Stamp, string Origin, DateTimeOffset AppliedAt, IReadOnlyList<AppliedFile> Files)
{
    /// <summary>How many applied meshes a store keeps (the newest): a replica still on an older one can finish its run.</summary>
    public const int Kept = 10;

    /// <summary>
    /// The files of <paramref name="mesh"/> as they are on disk now: every file the loader read and every transform.
    /// Source data is not copied: a local source is read where it is (<see cref="Mesh.SourcesRoot"/>).
    /// </summary>
    public static AppliedMesh Capture(Mesh mesh, string stamp, DateTimeOffset appliedAt)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var root = Path.GetFullPath(mesh.RootPath);
        var paths = new SortedSet<string>(mesh.Files, StringComparer.Ordinal);
        paths.UnionWith(mesh.Products.SelectMany(p => p.Transforms).Select(t => t.File));
        var files = new List<AppliedFile>(paths.Count);
        foreach (var path in paths)
        {
            try
            {
                files.Add(AppliedFile.Of(path, File.ReadAllBytes(Path.Combine(root, path))));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MeshworkException($"'{path}' of the repository cannot be read to record it as applied: {e.Message}", e);
            }
        }

        return new AppliedMesh(stamp, root, appliedAt, files);
    }
}

/// <summary>One file of an applied mesh: its path in the repository (forward slashes), its SHA-256 and its content.</summary>
public sealed record AppliedFile(string Path, string Hash, byte[] Content)
{
    public static AppliedFile Of(string path, byte[] content) => new(path, HashOf(content), content);

    /// <summary>Whether the content still has the hash it was recorded with.</summary>
    public bool IsIntact => Hash == HashOf(Content);

    private static string HashOf(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
