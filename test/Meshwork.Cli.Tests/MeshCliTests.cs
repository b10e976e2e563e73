namespace Meshwork.Cli.Tests;

/// <summary>
/// Faults of the machine rather than of Meshwork (a damaged store, a data folder that cannot be used) are the
/// user's to fix: exit 2 with the path and what to do, never exit 3 ("a bug"). These fail as root too.
/// </summary>
public sealed class MeshCliTests
{
    [Fact]
    public void Run_StoreFileIsNotADatabase_ExitsTwoNamingTheStore()
    {
        var target = NewMesh();
        try
        {
            var store = Path.Combine(target, ".mesh", "meshwork.db");
            Directory.CreateDirectory(Path.GetDirectoryName(store)!);
            File.WriteAllText(store, "not a SQLite database, but long enough to have a header to read: " + new string('x', 200));

            var (exitCode, output, error) = CliRunner.Run("apply", target, "--yes");

            Assert.True(exitCode == 2, $"exit {exitCode}: {error}{output}");
            Assert.Contains(store, error, StringComparison.Ordinal);
            Assert.DoesNotContain("bug", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Run_StoreCannotBeOpened_ExitsTwoNamingTheStore()
    {
        var target = NewMesh();
        try
        {
            // A folder where the store file should be: SQLite cannot open it, whoever runs the test (root included).
            var store = Path.Combine(target, ".mesh", "meshwork.db");
            Directory.CreateDirectory(store);

            var (exitCode, output, error) = CliRunner.Run("apply", target, "--yes");

            Assert.True(exitCode == 2, $"exit {exitCode}: {error}{output}");
            Assert.Contains(store, error, StringComparison.Ordinal);
            Assert.DoesNotContain("bug", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Run_DataFolderCannotBeCreated_ExitsTwoNamingTheFolder()
    {
        var target = NewMesh();
        try
        {
            // A file where the data folder should be: no folder can be made there, whoever runs the test.
            var data = Path.Combine(target, "data-is-a-file");
            File.WriteAllText(data, "");

            var (exitCode, output, error) = CliRunner.Run("apply", target, "--data", data, "--yes");

            Assert.True(exitCode == 2, $"exit {exitCode}: {error}{output}");
            Assert.Contains($"data folder '{data}'", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    private static string NewMesh()
    {
        var target = CliRunner.NewTempPath();
        CliRunner.CopyTree(CliRunner.BaseMesh, target);
        return target;
    }
}
