using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Platform.Tests.Pipelines;

/// <summary>
/// A source contract whose server is <c>type: postgres</c> (a table in a fresh database of the run's throwaway
/// server): its input port reads the table on either engine, the run repeats only when the table's data changed, and a
/// server it cannot reach fails that product only, naming the port and the server without a secret.
/// </summary>
public sealed class PostgresSourceTests : PlatformTestBase<SqliteTestStore>
{
    private const string Source = "domains/sales/orders/source.odcs.yaml";

    private const string LocalServer = "  - server: pos\n    type: local\n    format: csv\n    path: ./data/orders.csv\n";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Apply_PostgresSource_IsReadOnEitherEngine(bool onPostgres)
    {
        var connection = await SourceTableAsync("(1, 1, 10.5), (2, 2, 20.0), (3, NULL, -1)");
        if (onPostgres)
        {
            File.AppendAllText(Path.Combine(Repo.Root, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"{connection}\"\n");
            File.AppendAllText(Path.Combine(Repo.Root, "domains", "sales", "domain.yaml"), "engine: warehouse\n");
        }

        var result = await ApplyAsync();

        Assert.Empty(result.Errors);
        var orders = Assert.Single(result.Datasets, d => d.Address == "sales.orders.orders_v1");
        Assert.Equal(3, orders.Published + orders.Quarantined);
        Assert.Contains(result.Products, p => p.Product == "sales.orders" && p.Outcome == "applied");
    }

    [Fact]
    public async Task Apply_PostgresSourceUnchanged_IsNotRunAgainButAChangedTableIs()
    {
        var connection = await SourceTableAsync("(1, 1, 10.5), (2, 2, 20.0)");
        Assert.Empty((await ApplyAsync()).Errors);

        var unchanged = await ApplyAsync();
        await ExecuteAsync(connection, "INSERT INTO pos.pos_orders VALUES (3, 3, 30.0)");
        var changed = await ApplyAsync();

        Assert.True(Assert.Single(unchanged.Datasets, d => d.Address == "sales.orders.orders_v1").Unchanged);
        var orders = Assert.Single(changed.Datasets, d => d.Address == "sales.orders.orders_v1");
        Assert.False(orders.Unchanged);
        Assert.Equal(3, orders.Published);
    }

    [Fact]
    public async Task Apply_PostgresSourceUnreachable_FailsThatProductNamingThePortAndServer()
    {
        Repo.Edit(Source, LocalServer, "  - server: pos\n    type: postgres\n    host: 127.0.0.1\n    port: 1\n    database: pos\n    schema: pos\n");
        Environment.SetEnvironmentVariable("MESHWORK_PG_POS_PASSWORD", "s3cret-pw");

        var result = await ApplyAsync();

        var error = Assert.Single(result.Errors, e => e.StartsWith("sales.orders", StringComparison.Ordinal));
        Assert.Contains("input port", error, StringComparison.Ordinal);
        Assert.Contains("cannot read postgresql://127.0.0.1:1/pos", error, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Errors, e => e.Contains("s3cret", StringComparison.Ordinal));
        Assert.Contains(result.Products, p => p.Product == "customers.profiles" && p.Outcome == "applied");
    }

    [Fact]
    public async Task Erase_SubjectInAPostgresSourceTable_IsReportedAsStillThere()
    {
        await SourceTableAsync("(1, 7, 10.5), (2, 7, 20.0), (3, 8, 1.0)");
        Repo.Edit(Source, "      - name: customer_id\n        logicalType: integer\n", "      - name: customer_id\n        logicalType: integer\n        tags: [subject-key]\n");
        Assert.Empty((await ApplyAsync()).Errors);
        await using var served = await Platform.ServeAsync(new Meshwork.Platform.Serving.ServeOptions { DataFolder = Repo.DataFolder }, Cancel);
        var operator_ = new Model.Principal("operator", Model.PrincipalKind.Person, null, null, null, ["admin"], System.Collections.Immutable.ImmutableDictionary<string, object>.Empty,
            new Diagnostics.SourceLocation("test", 1, 1));

        var erasure = await served.EraseAsync(operator_, "7", "GDPR Art. 17 request #12", cancellationToken: Cancel);

        var orders = Meshwork.Platform.Privacy.PrivacyJobs.ReportOf(erasure).Products.Single(p => p.Product == "sales.orders");
        var source = Assert.Single(orders.Sources);
        Assert.Equal(("pos_orders", 2L), (source.InputPort, source.Rows));
        Assert.EndsWith(" pos.pos_orders", source.Location, StringComparison.Ordinal);
        Assert.StartsWith("postgresql://", source.Location, StringComparison.Ordinal);
    }

    /// <summary>A database holding pos.pos_orders with the given rows, and the source contract pointing at it; returns its connection string.</summary>
    private async Task<string> SourceTableAsync(string rows)
    {
        var server = await PostgresServer.SharedAsync();
        var connection = await server.CreateDatabaseAsync("source_" + Guid.NewGuid().ToString("N"), Cancel);
        await ExecuteAsync(connection, $"CREATE SCHEMA pos; CREATE TABLE pos.pos_orders (order_id integer, customer_id integer, amount numeric); INSERT INTO pos.pos_orders VALUES {rows}");
        var builder = new NpgsqlConnectionStringBuilder(connection);
        Repo.Edit(Source, LocalServer, $"  - server: pos\n    type: postgres\n    host: {builder.Host}\n    port: {builder.Port}\n    database: {builder.Database}\n    schema: pos\n");
        // The server's user from the environment, as a deployment gives it (the throwaway server trusts any password).
        Environment.SetEnvironmentVariable("MESHWORK_PG_POS_USER", builder.Username);
        return connection;
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var session = new NpgsqlConnection(connection);
        await session.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, session);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    private Task<Meshwork.Platform.Pipelines.ApplyResult> ApplyAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return Platform.ApplyAsync(Repo.Root, null, cancellationToken: Cancel);
    }
}
