using Meshwork.Testing;

namespace Meshwork.Cli.Tests.Commands;

/// <summary><c>--store</c> on the verbs that touch state: the platform's state in PostgreSQL instead of the data folder.</summary>
public sealed class StoreOptionTests : IDisposable
{
    private readonly string _mesh = CliRunner.NewTempPath();

    public StoreOptionTests() => CliRunner.CopyTree(CliRunner.BaseMesh, _mesh);

    private string Data => Path.Combine(_mesh, ".mesh");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Verbs_WithAPostgresStore_KeepTheStateThereAndNotInTheDataFolder()
    {
        var server = await PostgresServer.SharedAsync();
        var store = await server.CreateDatabaseAsync("cli_" + Guid.NewGuid().ToString("N"), Cancel);

        var apply = CliRunner.Run("apply", _mesh, "--yes", "--store", store);
        var token = CliRunner.Run("token", "olivia", "--data", Data, "--store", store);
        var audit = CliRunner.Run("audit", "verify", "--data", Data, "--store", store);
        var plan = CliRunner.Run("plan", _mesh, "--store", store);
        var withoutStore = CliRunner.Run("token", "olivia", "--data", Data);

        Assert.True(apply.ExitCode == 0, apply.Error + apply.Output);
        Assert.False(File.Exists(Path.Combine(Data, "meshwork.db")), "the state went to the data folder's SQLite file");
        Assert.True(token.ExitCode == 0, token.Error);
        Assert.True(audit.ExitCode == 0, audit.Error + audit.Output);
        Assert.True(plan.ExitCode == 0, plan.Error + plan.Output);
        Assert.Contains("Nothing to do", plan.Output, StringComparison.Ordinal);
        Assert.Equal(2, withoutStore.ExitCode);
    }

    [Theory]
    [InlineData("mysql://localhost/meshwork", "sqlite:PATH")]
    [InlineData("sqlite:", "names no file")]
    [InlineData("Host=127.0.0.1;Port=1;Database=nothing;Username=postgres;Password=hunter2;Timeout=2", "127.0.0.1")]
    public void Verb_WithAStoreThatCannotBeUsed_ExitsTwoNamingIt(string store, string named)
    {
        var (exitCode, output, error) = CliRunner.Run("plan", _mesh, "--store", store);

        Assert.True(exitCode == 2, $"exit {exitCode}: {error}{output}");
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_mesh))
        {
            Directory.Delete(_mesh, recursive: true);
        }
    }
}
