using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

public sealed class PlanCommandTests
{
    [Fact]
    public void Plan_NewMesh_ListsWhatApplyWouldCreateAndWritesNothing()
    {
        var (exitCode, output, _) = CliRunner.Run("plan", CliRunner.BaseMesh, "--format", "json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var kinds = json.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("kind").GetString()).ToList();
        Assert.Equal(3, kinds.Count(k => k == "create-product"));
        Assert.Equal(3, kinds.Count(k => k == "publish-port"));
        Assert.Equal(0, json.RootElement.GetProperty("refused").GetInt32());
        Assert.False(Directory.Exists(Path.Combine(CliRunner.BaseMesh, ".mesh")));
    }

    [Fact]
    public void Plan_RepositoryWithLintErrors_ExitsTwoAndShowsThem()
    {
        var file = Path.Combine(CliRunner.RepositoryRoot, "test", "fixtures", "meshes", "rules", "unknown-contract");
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(CliRunner.BaseMesh, target);
            CliRunner.CopyTree(file, target);

            var (exitCode, _, error) = CliRunner.Run("plan", target);

            Assert.Equal(2, exitCode);
            Assert.Contains("unknown-contract", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }
}
