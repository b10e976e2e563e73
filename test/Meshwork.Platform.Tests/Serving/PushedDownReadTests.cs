using Apache.Arrow;
using Meshwork.Platform.Serving;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Platform.Tests.Serving;

/// <summary>
/// Where a governed read runs when the sales domain is on a PostgreSQL engine: in that PostgreSQL (as a role of the
/// read's own); on the snapshot when the database does not hold the current version; and when the engine cannot be
/// reached, the read fails for that domain only, naming the engine, and is audited.
/// </summary>
public sealed class PushedDownReadTests : PlatformTestBase<SqliteTestStore>
{
    private const string Orders = "sales.orders.orders_v1";
    private readonly string _variable = "MESHWORK_PG_PUSHDOWN_TESTS_" + Guid.NewGuid().ToString("N");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Query_OfADatasetOnPostgres_RunsThereAsTheReadsOwnRole()
    {
        await using var served = await ApplyOnPostgresAsync();

        var reader = await ScalarAsync(served, $"SELECT current_user AS reader FROM {Orders} LIMIT 1");

        Assert.StartsWith("meshwork_read_", reader, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_VersionNotInTheDatabase_IsServedFromTheSnapshot()
    {
        await using var served = await ApplyOnPostgresAsync();
        var expected = await ScalarAsync(served, $"SELECT CAST(count(*) AS VARCHAR) AS n FROM {Orders}");
        // As if the version was published before the domain moved to PostgreSQL.
        await ExecuteAsync($"DROP TABLE meshwork_data.\"{Orders}@{await VersionAsync(served)}\" CASCADE");

        Assert.Equal(expected, await ScalarAsync(served, $"SELECT CAST(count(*) AS VARCHAR) AS n FROM {Orders}"));
    }

    [Fact]
    public async Task Query_EngineUnreachable_FailsNamingTheEngineAndIsAudited()
    {
        await using var served = await ApplyOnPostgresAsync();
        Environment.SetEnvironmentVariable(_variable, "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-value;Timeout=2");

        var error = await Assert.ThrowsAsync<ServingException>(() => ScalarAsync(served, $"SELECT CAST(count(*) AS VARCHAR) AS n FROM {Orders}"));

        Assert.Equal(ServingError.Failed, error.Error);
        Assert.Contains("engine 'warehouse' (postgres)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
        var audit = (await served.Store.GetAuditAsync(10, Cancel)).First(a => a.Entry.Resource == Orders);
        Assert.Equal("failed", audit.Entry.Outcome);
    }

    private async Task<ServedMesh> ApplyOnPostgresAsync()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("pushdown_" + Guid.NewGuid().ToString("N"), Cancel);
        Environment.SetEnvironmentVariable(_variable, database);
        File.AppendAllText(Path.Combine(Repo.Root, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"${{{_variable}}}\"\n");
        File.AppendAllText(Path.Combine(Repo.Root, "domains", "sales", "domain.yaml"), "engine: warehouse\n");
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty((await Platform.ApplyAsync(Repo.Root, null, cancellationToken: Cancel)).Errors);
        return await Platform.ServeAsync(new ServeOptions { DataFolder = Repo.DataFolder });
    }

    /// <summary>The first value of a query's first row, as sam (who owns sales) reads it.</summary>
    private static async Task<string?> ScalarAsync(ServedMesh served, string sql)
    {
        var sam = (await served.StateAsync(Cancel)).Mesh.People.FindPrincipal("sam")!;
        await using var result = await served.QueryAsync(sam, sql, null, Cancel);
        await result.StartAsync(Cancel);
        string? value = null;
        await foreach (var batch in result.ReadAsync(Cancel))
        {
            value ??= ((StringArray)batch.Column(0)).GetString(0);
        }

        return value;
    }

    private static async Task<string> VersionAsync(ServedMesh served) =>
        Path.GetFileName((await served.Store.GetCurrentSnapshotAsync(Orders, Cancel))!.Snapshot);

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(_variable));
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    protected override void DisposeMore() => Environment.SetEnvironmentVariable(_variable, null);
}
