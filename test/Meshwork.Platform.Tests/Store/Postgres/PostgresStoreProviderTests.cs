using System.Net;
using System.Net.Sockets;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Postgres;
using Meshwork.Platform.Store.Sqlite;
using Meshwork.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Meshwork.Platform.Tests.Store.Postgres;

/// <summary>What is the PostgreSQL store's own: connections, migrations under a lock, refusals, and the platform on it.</summary>
public sealed class PostgresStoreProviderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<string> FreshDatabaseAsync() =>
        await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("provider_" + Guid.NewGuid().ToString("N"), Cancel);

    private static async Task<object?> ScalarAsync(string connection, string sql)
    {
        await using var open = new NpgsqlConnection(connection);
        await open.OpenAsync(Cancel);
#pragma warning disable CA2100 // the test's own statements
        await using var command = new NpgsqlCommand(sql, open);
#pragma warning restore CA2100
        return await command.ExecuteScalarAsync(Cancel);
    }

    [Fact]
    public async Task OpenAsync_TwoProvidersOnAFreshDatabaseAtOnce_MigrateItOnce()
    {
        var connection = await FreshDatabaseAsync();

        var stores = await Task.WhenAll(
            Task.Run(() => new PostgresStoreProvider(connection).OpenAsync("unused", _time, Cancel), Cancel),
            Task.Run(() => new PostgresStoreProvider(connection).OpenAsync("unused", _time, Cancel), Cancel));

        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        Assert.Equal((long)PostgresMigrations.All.Count, await ScalarAsync(connection, "SELECT count(*) FROM meshwork.schema_version"));
        Assert.Equal(PostgresMigrations.Latest, await ScalarAsync(connection, "SELECT max(version) FROM meshwork.schema_version"));
    }

    [Fact]
    public async Task OpenAsync_SchemaNewerThanThisBinary_IsRefusedNamingBothVersions()
    {
        var connection = await FreshDatabaseAsync();
        var provider = new PostgresStoreProvider(connection);
        await (await provider.OpenAsync("unused", _time, Cancel)).DisposeAsync();
        var newer = PostgresMigrations.Latest + 7;
        await ScalarAsync(connection, $"INSERT INTO meshwork.schema_version (version, name, applied_at) VALUES ({newer}, 'future', now())");

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => provider.OpenAsync("unused", _time, Cancel));

        Assert.Contains($"schema version {newer}, newer than version {PostgresMigrations.Latest}", error.Message, StringComparison.Ordinal);
        Assert.Contains(provider.Display, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NothingListeningOnThePort_IsUnavailableNamingTheStoreButNotThePassword()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var provider = new PostgresStoreProvider($"postgresql://meshwork:sup3rsecret@127.0.0.1:{port}/meshdb");

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => provider.OpenAsync("unused", _time, Cancel));

        Assert.Contains($"postgresql://meshwork@127.0.0.1:{port}/meshdb cannot be reached", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sup3rsecret", error.Message, StringComparison.Ordinal);
        Assert.Throws<StorageUnavailableException>(() => provider.Exists("unused"));
    }

    [Fact]
    public async Task OpenAsync_DatabaseThatDoesNotExist_IsUnavailableSayingSo()
    {
        var server = await PostgresServer.SharedAsync();
        var provider = new PostgresStoreProvider($"postgresql://postgres@127.0.0.1:{server.Port}/no_such_database");

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => provider.OpenAsync("unused", _time, Cancel));

        Assert.Contains($"postgresql://postgres@127.0.0.1:{server.Port}/no_such_database has no such database", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql://meshwork:sup3rsecret@db:notaport/meshdb", "not a URI with a host")]
    [InlineData("postgresql://meshwork:sup3rsecret@db:5432/", "must name one database")]
    [InlineData("postgresql://meshwork:sup3rsecret@db:5432/a/b", "must name one database")]
    [InlineData("postgresql://meshwork:sup3rsecret@db:5432/meshdb?colour=blue", "'colour' is not an Npgsql setting")]
    [InlineData("Host=db;Colour=blue;Password=sup3rsecret", "neither a PostgreSQL URI")]
    public void Constructor_MalformedConnection_IsRefusedWithTheReasonButNotThePassword(string connection, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresStoreProvider(connection));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sup3rsecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Uri_BecomesTheNpgsqlSettings()
    {
        var builder = PostgresStoreProvider.Parse("postgresql://alice:p%40ss@db.example:5433/mesh%5Fdb?sslmode=require&Timeout=7");

        Assert.Equal(("db.example", 5433, "alice", "p@ss", "mesh_db", SslMode.Require, 7),
            (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database, builder.SslMode, builder.Timeout));
        Assert.Equal(("localhost", 5432, "x"), PostgresStoreProvider.Parse("postgres://localhost/x") is var b ? (b.Host, b.Port, b.Database) : default);
        Assert.Equal("postgresql://bob@db:6000/y", new PostgresStoreProvider("Host=db;Port=6000;Username=bob;Password=pw;Database=y").Display);
    }

    [Fact]
    public async Task Exists_FreshDatabase_IsFalseUntilSomethingIsApplied()
    {
        var provider = new PostgresStoreProvider(await FreshDatabaseAsync());
        Assert.False(provider.Exists("unused"));

        await using var store = await provider.OpenAsync("unused", _time, Cancel);
        Assert.False(provider.Exists("unused"));
        await store.SetMetaAsync(MetaKeys.Applied, "stamp", Cancel);

        Assert.True(provider.Exists("unused"));
    }

    [Fact]
    public async Task Platform_OnThePostgresStore_AppliesAndServesTheCatalogFromIt()
    {
        using var mesh = new TestMesh();
        var connection = await FreshDatabaseAsync();
        var platform = MeshworkPlatform.Create(m => m.UsePostgresStore(connection));

        var applied = await platform.ApplyAsync(mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(applied.Errors);
        Assert.False(File.Exists(Path.Combine(mesh.DataFolder, SqliteMetadataStore.FileName)), "the platform wrote a SQLite store beside the PostgreSQL one");
        await using var served = await platform.ServeAsync(new ServeOptions { DataFolder = mesh.DataFolder }, Cancel);
        Assert.IsType<PostgresMetadataStore>(served.Store);
        Assert.NotNull((await served.StateAsync(Cancel)).Catalog.FindDataset("sales.orders.orders_v1"));
        var current = await served.Store.GetCurrentSnapshotAsync("sales.orders.orders_v1", Cancel);
        Assert.NotNull(current);
        Assert.True(Directory.Exists(Path.Combine(mesh.DataFolder, current.Snapshot)), $"the snapshot {current.Snapshot} is not in the data folder");
        Assert.Equal((long)3, await ScalarAsync(connection, "SELECT count(*) FROM meshwork.products"));
    }
}
