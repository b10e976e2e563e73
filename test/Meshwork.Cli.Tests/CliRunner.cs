namespace Meshwork.Cli.Tests;

/// <summary>Runs <c>mesh</c> in-process with captured output, as a user's shell would see it.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = MeshCli.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Standards => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "standards"));

    public static string BaseMesh => Path.Combine(RepositoryRoot, "test", "fixtures", "meshes", "base");

    /// <summary>Copies a folder's files (not a data folder .mesh/ left by an earlier run) into <paramref name="target"/>.</summary>
    public static void CopyTree(string source, string target)
    {
        foreach (var path in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.mesh{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, path));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(path, destination, overwrite: true);
        }
    }

    public static string NewTempPath() => Path.Combine(Path.GetTempPath(), "meshwork-cli-tests-" + Guid.NewGuid().ToString("N"));

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found");
    }
}
