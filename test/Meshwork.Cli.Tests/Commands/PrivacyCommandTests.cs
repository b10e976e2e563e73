using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

/// <summary><c>mesh erase</c> and <c>mesh retention</c> on the applied example mesh.</summary>
public sealed class PrivacyCommandTests : IDisposable
{
    private readonly string _mesh = CliRunner.NewTempPath();

    public PrivacyCommandTests()
    {
        CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), _mesh);
        var apply = CliRunner.Run("apply", _mesh, "--yes");
        Assert.True(apply.ExitCode == 0, apply.Error + apply.Output);
    }

    private string Data => Path.Combine(_mesh, ".mesh");

    public void Dispose() => Directory.Delete(_mesh, recursive: true);

    [Fact]
    public void Erase_Json_ReportsEveryProductAndExits0_AndAgainFindsNothingMore()
    {
        var (exitCode, output, error) = CliRunner.Run("erase", "1001", "--reason", "GDPR Art. 17 request #3", "--data", Data, "--as", "dpo", "--format", "json");

        Assert.True(exitCode == 0, error + output);
        using var report = JsonDocument.Parse(output);
        Assert.Equal("completed", report.RootElement.GetProperty("status").GetString());
        var products = report.RootElement.GetProperty("products").EnumerateArray().ToDictionary(p => p.GetProperty("product").GetString()!, p => p.GetProperty("status").GetString());
        Assert.Equal(10, products.Count);
        Assert.Equal("erased", products["customers.profiles"]);
        Assert.Equal("not-searchable", products["sales.products"]);
        // sales.product_sales reads two datasets of sales.orders: named once.
        var derived = report.RootElement.GetProperty("products").EnumerateArray().Single(p => p.GetProperty("product").GetString() == "sales.product_sales");
        Assert.StartsWith("derived from sales.orders, which held the subject", derived.GetProperty("error").GetString(), StringComparison.Ordinal);

        var again = CliRunner.Run("erase", "1001", "--reason", "GDPR Art. 17 request #3, again", "--data", Data);
        Assert.True(again.ExitCode == 0, again.Error + again.Output);
        Assert.Contains("customers.profiles: not-found", again.Output, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("audit", "verify", "--data", Data).ExitCode);
    }

    [Fact]
    public void Erase_AsAnAnalyst_Exits1_AndWithoutAReason_Exits2()
    {
        var refused = CliRunner.Run("erase", "1005", "--reason", "curious", "--data", Data, "--as", "mallory");
        var noReason = CliRunner.Run("erase", "1005", "--data", Data);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("privacy", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, noReason.ExitCode);
        Assert.Contains("--reason", noReason.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_WithoutAnyElementRetentionDue_DryRunAndRun_ChangeNothingAndExit0()
    {
        var files = Files();

        var dry = CliRunner.Run("retention", "--dry-run", "--data", Data);
        var applied = CliRunner.Run("retention", "--data", Data, "--format", "json");

        Assert.True(dry.ExitCode == 0, dry.Error + dry.Output);
        Assert.Contains("customers.profiles.profiles_v1: retention 1095 d (whole snapshots): 0 row(s) past it would be removed", dry.Output, StringComparison.Ordinal);
        Assert.Contains("Dry run: nothing was changed.", dry.Output, StringComparison.Ordinal);
        Assert.True(applied.ExitCode == 0, applied.Error + applied.Output);
        using var json = JsonDocument.Parse(applied.Output);
        Assert.False(json.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Equal(files, Files());
    }

    private List<string> Files() => [.. Directory.EnumerateFiles(Path.Combine(Data, "data"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}
