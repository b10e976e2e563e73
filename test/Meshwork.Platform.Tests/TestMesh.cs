using Meshwork.Loading;
using Meshwork.Model;

namespace Meshwork.Platform.Tests;

/// <summary>A copy of the base fixture mesh in a temporary folder, to edit and reload.</summary>
public sealed class TestMesh : IDisposable
{
    public TestMesh()
        : this(Path.Combine("test", "fixtures", "meshes", "base"))
    {
    }

    private TestMesh(string repositoryRelative)
    {
        Root = Path.Combine(Path.GetTempPath(), "meshwork-platform-" + Guid.NewGuid().ToString("N"));
        var source = Path.Combine(RepositoryRoot(), repositoryRelative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A copy of the example mesh (examples/retail) instead of the base fixture.</summary>
    public static TestMesh Example() => new(Path.Combine("examples", "retail"));

    public string Root { get; }

    public string DataFolder => Path.Combine(Root, ".mesh");

    public Mesh Load()
    {
        var result = MeshLoader.Load(Root);
        var errors = result.Diagnostics.ToSortedList().Where(d => d.Severity == Diagnostics.Severity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        return result.Mesh;
    }

    /// <summary>Replaces text in a file of the mesh (the edit must apply).</summary>
    public void Edit(string relative, string from, string to)
    {
        var path = Path.Combine(Root, relative);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found");
    }
}
