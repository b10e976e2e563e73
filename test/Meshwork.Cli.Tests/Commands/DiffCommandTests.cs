using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

public sealed class DiffCommandTests : IDisposable
{
    private readonly string _mesh = CliRunner.NewTempPath();

    public DiffCommandTests() => CliRunner.CopyTree(CliRunner.BaseMesh, _mesh);

    public void Dispose() => Directory.Delete(_mesh, recursive: true);

    private string ProfilesWith(string from, string to)
    {
        var path = Path.Combine(_mesh, "next.odcs.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(_mesh, "domains/customers/profiles/profiles.odcs.yaml")).Replace(from, to, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public void Diff_BreakingChangeALiveConsumerUses_ExitsOneAndNamesTheConsumer()
    {
        Assert.Equal(0, CliRunner.Run("apply", _mesh, "--yes").ExitCode);

        var (exitCode, output, _) = CliRunner.Run("diff", "customers.profiles.v1", ProfilesWith("logicalType: integer", "logicalType: string"), "--mesh", _mesh);

        Assert.Equal(1, exitCode);
        Assert.Contains("! profiles: breaking: column 'customer_id' type int64 → string", output, StringComparison.Ordinal);
        Assert.Contains("breaks: marketing.audience (input port 'profiles'; uses customer_id)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_CompatibleChangeAsJson_ExitsZero()
    {
        var (exitCode, output, _) = CliRunner.Run("diff", Path.Combine(_mesh, "domains/customers/profiles/profiles.odcs.yaml"),
            ProfilesWith("      - name: email", "      - name: nickname\n        logicalType: string\n      - name: email"), "--mesh", _mesh, "--format", "json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("breaking").GetBoolean());
        var change = Assert.Single(json.RootElement.GetProperty("changes").EnumerateArray());
        Assert.Equal("nickname", change.GetProperty("column").GetString());
    }

    [Fact]
    public void Diff_MissingFile_ExitsTwoWithTheReason()
    {
        var (exitCode, _, error) = CliRunner.Run("diff", "nowhere.odcs.yaml", "also-nowhere.odcs.yaml", "--mesh", _mesh);

        Assert.Equal(2, exitCode);
        Assert.Contains("'nowhere.odcs.yaml' is neither a contract file nor a contract id", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_CrossTeamInputWithoutAgreement_ShowsItMissingAndExitsOne()
    {
        File.Delete(Path.Combine(_mesh, "policies/pipelines-read-upstream.policy.yaml"));

        var (exitCode, output, _) = CliRunner.Run("plan", _mesh);

        Assert.Equal(1, exitCode);
        Assert.Contains("MISSING marketing.audience: input port 'profiles' may not read customers.profiles.profiles_v1", output, StringComparison.Ordinal);
        Assert.Contains("REFUSED product marketing.audience", output, StringComparison.Ordinal);
    }
}
