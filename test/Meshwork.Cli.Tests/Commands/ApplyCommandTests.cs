using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

public sealed class ApplyCommandTests
{
    [Fact]
    public void Apply_RetailExample_MaterializesEveryProductAndQuarantinesTheInvalidRows()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), target);

            var (exitCode, output, error) = CliRunner.Run("apply", target, "--yes", "--format", "json");

            Assert.True(exitCode == 0, error + output);
            using var json = JsonDocument.Parse(output);
            var datasets = json.RootElement.GetProperty("datasets").EnumerateArray().ToList();
            Assert.Equal(11, datasets.Count);
            Assert.All(datasets, d => Assert.True(d.GetProperty("published").GetInt64() > 0, d.ToString()));
            var profiles = Assert.Single(datasets, d => d.GetProperty("address").GetString() == "customers.profiles.profiles_v1");
            Assert.Equal(4, profiles.GetProperty("quarantined").GetInt64());
            Assert.Empty(json.RootElement.GetProperty("errors").EnumerateArray());

            var again = CliRunner.Run("apply", target, "--yes", "--format", "json");
            using var second = JsonDocument.Parse(again.Output);
            Assert.All(second.RootElement.GetProperty("datasets").EnumerateArray(), d => Assert.True(d.GetProperty("unchanged").GetBoolean()));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public void Apply_RepositoryWithLintErrors_ExitsTwo()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(CliRunner.BaseMesh, target);
            File.WriteAllText(Path.Combine(target, "people.yaml"), "not: [valid");

            Assert.Equal(2, CliRunner.Run("apply", target, "--yes").ExitCode);
            Assert.False(Directory.Exists(Path.Combine(target, ".mesh")));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }
}
