using System.Globalization;
using Meshwork.Engines.DuckDb;
using Meshwork.Platform.Pipelines;
using Meshwork.Testing;

namespace Meshwork.Platform.Tests.Pipelines;

/// <summary>
/// The example mesh with its customers domain on a PostgreSQL engine (a fresh database of the run's throwaway server)
/// against the same mesh all on DuckDB: the same rows published and quarantined, and the products downstream of it on
/// DuckDB (marketing.campaign_audience) read its output as before.
/// </summary>
public sealed class PostgresEngineTests : IDisposable
{
    private static readonly string[] CustomersAndConsumers =
        ["customers.profiles.profiles_v1", "customers.customer_value.customer_value_v1", "marketing.campaign_audience.audience_v1"];

    private readonly List<string> _folders = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Apply_CustomersOnPostgres_PublishesAndQuarantinesTheSameRowsAsOnDuckDb()
    {
        var onDuckDb = Example();
        var onPostgres = Example();
        var variable = await PostgresEngineAsync(onPostgres);

        var expected = await ApplyAsync(onDuckDb);
        var actual = await ApplyAsync(onPostgres);

        Assert.Empty(expected.Errors);
        Assert.Empty(actual.Errors);
        Assert.Equal(expected.Datasets, actual.Datasets);
        Assert.Contains(actual.Datasets, d => d.Address == "customers.profiles.profiles_v1" && d.Quarantined > 0);
        foreach (var address in CustomersAndConsumers)
        {
            Assert.Contains(actual.Datasets, d => d.Address == address && d.Published > 0);
            Assert.Equal(await RowsAsync(expected, address, quarantine: false), await RowsAsync(actual, address, quarantine: false));
            Assert.Equal(await RowsAsync(expected, address, quarantine: true), await RowsAsync(actual, address, quarantine: true));
        }

        // The domain's database keeps the current version, by its address, for the domain's own tools.
        foreach (var dataset in actual.Datasets.Where(d => d.Address.StartsWith("customers.", StringComparison.Ordinal)))
        {
            await using var connection = new Npgsql.NpgsqlConnection(Environment.GetEnvironmentVariable(variable));
            await connection.OpenAsync(Cancel);
            await using var count = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM meshwork_data.\"{dataset.Address}\"", connection);
            Assert.Equal(dataset.Published, (long)(await count.ExecuteScalarAsync(Cancel))!);
        }

        Environment.SetEnvironmentVariable(variable, null);
    }

    [Fact]
    public async Task Apply_DomainMovedToPostgres_RunsItsProductsAgainAndNoOthers()
    {
        var mesh = Example();
        Assert.Empty((await ApplyAsync(mesh)).Errors);
        var variable = await PostgresEngineAsync(mesh);

        var moved = await ApplyAsync(mesh);

        Assert.Empty(moved.Errors);
        Assert.All(moved.Datasets, d => Assert.Equal(!d.Address.StartsWith("customers.", StringComparison.Ordinal) && !d.Address.StartsWith("marketing.campaign_audience", StringComparison.Ordinal), d.Unchanged));
        Environment.SetEnvironmentVariable(variable, null);
    }

    [Fact]
    public async Task Apply_EngineVariableNotSet_FailsThatDomainsProductsNamingItAndTheRestApply()
    {
        var mesh = Example();
        var variable = "MESHWORK_PG_UNSET_" + Guid.NewGuid().ToString("N");
        File.AppendAllText(Path.Combine(mesh, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"${{{variable}}}\"\n");
        File.AppendAllText(Path.Combine(mesh, "domains", "customers", "domain.yaml"), "engine: warehouse\n");

        var result = await ApplyAsync(mesh);

        var error = Assert.Single(result.Errors, e => e.Contains(variable, StringComparison.Ordinal));
        Assert.Contains("engine 'warehouse' of domain 'customers'", error, StringComparison.Ordinal);
        Assert.All(result.Products.Where(p => p.Domain == "customers"), p => Assert.NotEqual("applied", p.Outcome));
        Assert.All(result.Products.Where(p => p.Domain is "sales" or "finance"), p => Assert.Equal("applied", p.Outcome));
    }

    [Fact]
    public async Task Apply_ProductChoosingAnEngineWithAnUnsetVariable_NamesTheProductAsTheChooser()
    {
        var mesh = Example();
        var variable = "MESHWORK_PG_UNSET_" + Guid.NewGuid().ToString("N");
        File.AppendAllText(Path.Combine(mesh, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"${{{variable}}}\"\n");
        var product = Path.Combine(mesh, "domains", "finance", "revenue_report", "product.odps.yaml");
        File.AppendAllText(product, "customProperties:\n  - property: meshwork.engine\n    value: warehouse\n");

        var result = await ApplyAsync(mesh);

        Assert.Contains(result.Errors, e => e.Contains("engine 'warehouse' of product 'finance.revenue_report' cannot be opened", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_UnreachablePostgres_FailsThatEnginesProductsOnlyWithoutTheSecret()
    {
        var mesh = Example();
        File.AppendAllText(Path.Combine(mesh, "mesh.yaml"),
            "engines:\n  - name: warehouse\n    type: postgres\n    connection: \"postgresql://meshwork:s3cret-pw@127.0.0.1:1/warehouse\"\n");
        File.AppendAllText(Path.Combine(mesh, "domains", "customers", "domain.yaml"), "engine: warehouse\n");

        var result = await ApplyAsync(mesh);

        var error = Assert.Single(result.Errors, e => e.StartsWith("customers.profiles", StringComparison.Ordinal));
        Assert.Contains("engine 'warehouse' (postgres) of domain 'customers' cannot be opened", error, StringComparison.Ordinal);
        Assert.Contains("postgresql://meshwork@127.0.0.1:1/warehouse", error, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Errors, e => e.Contains("s3cret", StringComparison.Ordinal));
        Assert.All(result.Products.Where(p => p.Domain is "sales" or "finance"), p => Assert.Equal("applied", p.Outcome));
    }

    public void Dispose()
    {
        foreach (var folder in _folders.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Puts the customers domain on a PostgreSQL engine whose connection is read from a new environment variable.</summary>
    private static async Task<string> PostgresEngineAsync(string mesh)
    {
        var connection = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("engine_" + Guid.NewGuid().ToString("N"), Cancel);
        var variable = "MESHWORK_PG_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, connection);
        File.AppendAllText(Path.Combine(mesh, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"${{{variable}}}\"\n");
        File.AppendAllText(Path.Combine(mesh, "domains", "customers", "domain.yaml"), "engine: warehouse\n");
        return variable;
    }

    private static Task<ApplyResult> ApplyAsync(string mesh) =>
        MeshworkPlatform.Create().ApplyAsync(mesh, null, cancellationToken: Cancel);

    /// <summary>A snapshot's (or its quarantine's) rows as text, sorted, without the run id.</summary>
    private static async Task<List<string>> RowsAsync(ApplyResult result, string address, bool quarantine)
    {
        await using var store = await MeshworkPlatform.Create().OpenStoreAsync(result.DataFolder, Cancel);
        var snapshot = await store.GetCurrentSnapshotAsync(address, Cancel) ?? throw new InvalidOperationException($"{address} was not published.");
        var folder = quarantine ? snapshot.QuarantineFolderIn(result.DataFolder) : snapshot.FolderIn(result.DataFolder);
        if (folder is null)
        {
            return [];
        }

        await using var engine = await DuckDbEngine.OpenAsync(cancellationToken: Cancel);
        var rows = new List<string>();
        await using var reader = await engine.ReadAsync($"SELECT * {(quarantine ? "EXCLUDE (_run_id) " : string.Empty)}FROM read_parquet('{Path.Combine(folder, "*.parquet")}')", Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i =>
                reader.GetName(i) + "=" + (reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i) is System.Collections.IEnumerable list and not string
                    ? string.Join(",", list.Cast<object>()) : reader.GetValue(i), CultureInfo.InvariantCulture)))));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>A copy of examples/retail.</summary>
    private string Example()
    {
        var source = Path.Combine(RepositoryRoot(), "examples", "retail");
        var root = Path.Combine(Path.GetTempPath(), "meshwork-engines-" + Guid.NewGuid().ToString("N"));
        _folders.Add(root);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => !Path.GetRelativePath(source, f).StartsWith(".mesh", StringComparison.Ordinal)))
        {
            var target = Path.Combine(root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return root;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Meshwork.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Meshwork.slnx not found");
    }
}

/// <summary>A product on a PostgreSQL engine keeps its versions as tables there: the superseded one for the grace period, then dropped with its snapshot.</summary>
public sealed class PostgresEngineVersionsTests : PlatformTestBase<SqliteTestStore>
{
    private const string Orders = "domains/sales/orders/data/orders.csv";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Apply_SupersededVersion_StaysInTheDatabaseForTheGracePeriodThenIsDropped()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("versions_" + Guid.NewGuid().ToString("N"), Cancel);
        File.AppendAllText(Path.Combine(Repo.Root, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"{database}\"\n");
        File.AppendAllText(Path.Combine(Repo.Root, "domains", "sales", "domain.yaml"), "engine: warehouse\n");
        Assert.Empty((await ApplyAsync()).Errors);
        var first = await TablesAsync(database);

        File.AppendAllText(Path.Combine(Repo.Root, Orders), "3,1,7.5\n");
        File.SetLastWriteTimeUtc(Path.Combine(Repo.Root, Orders), DateTime.UtcNow.AddMinutes(1));
        Assert.Empty((await ApplyAsync()).Errors);
        var both = await TablesAsync(database);
        Time.Advance(PipelineRunner.DefaultSnapshotGrace);
        Assert.Empty((await ApplyAsync()).Errors);
        var last = await TablesAsync(database);

        var version = Assert.Single(first);
        Assert.Equal(2, both.Count);
        Assert.Contains(version, both);
        Assert.DoesNotContain(version, last);
        Assert.Single(last);
        Assert.Equal(3, await CountAsync(database, "SELECT count(*) FROM meshwork_data.\"sales.orders.orders_v1\""));
    }

    private Task<ApplyResult> ApplyAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return Platform.ApplyAsync(Repo.Root, null, cancellationToken: Cancel);
    }

    /// <summary>The version tables of sales.orders.orders_v1 in the engine's database.</summary>
    private static async Task<List<string>> TablesAsync(string database)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(Cancel);
        await using var command = new Npgsql.NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'meshwork_data' AND tablename LIKE 'sales.orders.orders\\_v1@%' ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var tables = new List<string>();
        while (await reader.ReadAsync(Cancel))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(Cancel);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }
}
