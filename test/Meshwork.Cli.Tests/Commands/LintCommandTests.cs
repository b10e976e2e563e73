using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

public sealed class LintCommandTests
{
    [Fact]
    public void Lint_CleanMesh_ExitsZero()
    {
        var (exitCode, output, _) = CliRunner.Run("lint", CliRunner.BaseMesh);

        Assert.Equal(0, exitCode);
        Assert.Contains("No problems found.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_InvalidContract_ExitsOneAndPrintsJson()
    {
        var file = Path.Combine(CliRunner.Standards, "datacontract-cli/tests/fixtures/lint/invalid_multiple_errors.odcs.yaml");

        var (exitCode, output, _) = CliRunner.Run("lint", file, "--format", "json");

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("errors").GetInt32());
        Assert.All(json.RootElement.GetProperty("diagnostics").EnumerateArray(),
            d => Assert.Equal("invalid_multiple_errors.odcs.yaml", d.GetProperty("file").GetString()));
    }

    [Fact]
    public void Lint_WarningsOnly_ExitsZeroUnlessStrict()
    {
        var file = Path.Combine(CliRunner.Standards, "datacontract-cli/tests/fixtures/odcs_v3/full-example.odcs.yaml");

        Assert.Equal(0, CliRunner.Run("lint", file).ExitCode);
        Assert.Equal(1, CliRunner.Run("lint", file, "--strict").ExitCode);
    }

    [Fact]
    public void Lint_Sarif_IsJsonWithVersion()
    {
        var (exitCode, output, _) = CliRunner.Run("lint", CliRunner.BaseMesh, "--format", "sarif");

        Assert.Equal(0, exitCode);
        using var sarif = JsonDocument.Parse(output);
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("lint", "/no/such/path")]
    [InlineData("lint", ".", "--format", "xml")]
    [InlineData("lint", ".", "--no-such-option")]
    [InlineData("frobnicate")]
    [InlineData]
    public void Lint_UsageErrors_ExitTwoWithAMessage(params string[] args)
    {
        var (exitCode, _, error) = CliRunner.Run(args);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("mesh: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_FolderThatIsNotAMesh_ExitsTwo()
    {
        var folder = Directory.CreateTempSubdirectory("meshwork-not-a-mesh").FullName;
        try
        {
            var (exitCode, _, error) = CliRunner.Run("lint", folder);

            Assert.Equal(2, exitCode);
            Assert.Contains("mesh.yaml", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Help_ListsTheVerbs()
    {
        var (exitCode, output, _) = CliRunner.Run("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("lint", output, StringComparison.Ordinal);
        Assert.Contains("init", output, StringComparison.Ordinal);
    }
}
