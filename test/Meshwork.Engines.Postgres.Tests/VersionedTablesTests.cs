using System.Security.Cryptography;
using Meshwork.Engines.Ir;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Engines.Postgres.Tests;

/// <summary>
/// Published versions kept as tables in the domain's database: written aside, made current in one transaction (the
/// newest always wins), and dropped when expired, never the current one.
/// </summary>
public sealed class VersionedTablesTests
{
    private const string Address = "test.data.items_v1";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MakeCurrent_ShowsTheNewVersionThroughTheAddressView_AndKeepsTheOldOne()
    {
        var database = await DatabaseAsync();
        await PublishAsync(database, "20261201T000000000-aaaaaaaa", 2);
        await PublishAsync(database, "20261202T000000000-bbbbbbbb", 3);

        Assert.Equal(3, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}\""));
        Assert.Equal(2, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}@20261201T000000000-aaaaaaaa\""));
    }

    [Fact]
    public async Task MakeCurrent_OfAnOlderVersionAfterANewerOne_ChangesNothing()
    {
        var database = await DatabaseAsync();
        await PublishAsync(database, "20261202T000000000-bbbbbbbb", 3);

        // A run that lost its lease switching late: the newer version stays current.
        await PublishAsync(database, "20261201T000000000-aaaaaaaa", 2);

        Assert.Equal(3, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}\""));
    }

    [Fact]
    public async Task DropVersions_DropsExpiredOnesButNeverTheCurrentOne()
    {
        var database = await DatabaseAsync();
        await PublishAsync(database, "20261201T000000000-aaaaaaaa", 2);
        await PublishAsync(database, "20261202T000000000-bbbbbbbb", 3);

        await using (var engine = await PostgresEngine.OpenAsync(database, cancellationToken: Cancel))
        {
            await engine.DropVersionsAsync([new DatasetVersion(Address, "20261201T000000000-aaaaaaaa"), new DatasetVersion(Address, "20261202T000000000-bbbbbbbb")], Cancel);
        }

        Assert.Equal(0, await ScalarAsync(database, $"SELECT count(*) FROM pg_tables WHERE schemaname = 'meshwork_data' AND tablename = '{Address}@20261201T000000000-aaaaaaaa'"));
        Assert.Equal(3, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}\""));
    }

    [Fact]
    public async Task EraseVersions_DropsAVersionEvenWhileAReadIsOnIt_ButNeverTheCurrentOne()
    {
        var database = await DatabaseAsync();
        await PublishAsync(database, "20261201T000000000-aaaaaaaa", 2);
        await PublishAsync(database, "20261202T000000000-bbbbbbbb", 3);
        // A read in flight on the old version: a view of its own over the version's table.
        await ScalarAsync(database, $"CREATE VIEW public.reading AS SELECT * FROM meshwork_data.\"{Address}@20261201T000000000-aaaaaaaa\"; SELECT 0");

        await using (var engine = await PostgresEngine.OpenAsync(database, cancellationToken: Cancel))
        {
            await engine.DropVersionsAsync([new DatasetVersion(Address, "20261201T000000000-aaaaaaaa")], Cancel);
            Assert.Equal(1, await ScalarAsync(database, $"SELECT count(*) FROM pg_tables WHERE schemaname = 'meshwork_data' AND tablename = '{Address}@20261201T000000000-aaaaaaaa'"));

            await engine.EraseVersionsAsync([new DatasetVersion(Address, "20261201T000000000-aaaaaaaa"), new DatasetVersion(Address, "20261202T000000000-bbbbbbbb")], Cancel);
        }

        Assert.Equal(0, await ScalarAsync(database, $"SELECT count(*) FROM pg_tables WHERE schemaname = 'meshwork_data' AND tablename = '{Address}@20261201T000000000-aaaaaaaa'"));
        Assert.Equal(3, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}\""));
    }

    [Fact]
    public async Task CopyVersion_WithoutTheErasedRow_WritesANewVersionThatIsNotCurrent()
    {
        var database = await DatabaseAsync();
        await PublishAsync(database, "20261201T000000000-aaaaaaaa", 3);
        byte[] key = [1, 2, 3, 4];
        // The subject's key as the platform keeps it: its keyed hash, computed here as .NET computes it.
        var erased = new FilterIn(new FilterKeyedHash(new FilterColumn("id")), [new FilterConstant(Convert.ToHexStringLower(HMACSHA256.HashData(key, "2"u8)))]);

        bool copied;
        await using (var engine = await PostgresEngine.OpenAsync(database, cancellationToken: Cancel))
        {
            copied = await engine.CopyVersionAsync(new DatasetVersion(Address, "20261201T000000000-aaaaaaaa"), "20261201T000000000-erased01", erased, key, Cancel);
        }

        Assert.True(copied);
        Assert.Equal(2, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}@20261201T000000000-erased01\" WHERE id <> 2"));
        Assert.Equal(0, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}@20261201T000000000-erased01\" WHERE id = 2"));
        Assert.Equal(3, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}\""));
        Assert.Equal(3, await ScalarAsync(database, $"SELECT count(*) FROM meshwork_data.\"{Address}@20261201T000000000-aaaaaaaa\""));
    }

    [Fact]
    public async Task CopyVersion_OfAVersionNotHeld_ReturnsFalseAndWritesNothing()
    {
        var database = await DatabaseAsync();
        await PublishAsync(database, "20261201T000000000-aaaaaaaa", 3);

        bool copied;
        await using (var engine = await PostgresEngine.OpenAsync(database, cancellationToken: Cancel))
        {
            copied = await engine.CopyVersionAsync(new DatasetVersion(Address, "20261130T000000000-zzzzzzzz"), "20261201T000000000-erased01",
                new FilterConstant(true), new byte[] { 1, 2, 3, 4 }, Cancel);
        }

        Assert.False(copied);
        Assert.Equal(0, await ScalarAsync(database, $"SELECT count(*) FROM pg_tables WHERE schemaname = 'meshwork_data' AND tablename = '{Address}@20261201T000000000-erased01'"));
    }

    [Fact]
    public void Shortened_LongNames_StayWithinPostgresLimitAndApart()
    {
        var address = "customers_and_prospects.customer_lifetime_value.customer_lifetime_value_v1";

        var first = PostgresEngine.Shortened(address, "20261201T000000000-aaaaaaaa");
        var second = PostgresEngine.Shortened(address, "20261202T000000000-bbbbbbbb");

        Assert.True(first.Length <= 63, first);
        Assert.NotEqual(first, second);
        Assert.EndsWith("@20261201T000000000-aaaaaaaa", first, StringComparison.Ordinal);
        Assert.NotEqual(PostgresEngine.Shortened(address, null), PostgresEngine.Shortened(address + "x", null));
    }

    private static async Task<string> DatabaseAsync() =>
        await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("versions_" + Guid.NewGuid().ToString("N"), Cancel);

    /// <summary>One run: a relation of <paramref name="rows"/> rows written as <paramref name="version"/> and made current.</summary>
    private static async Task PublishAsync(string database, string version, int rows)
    {
        await using var engine = await PostgresEngine.OpenAsync(database, cancellationToken: Cancel);
        await engine.TransformAsync($"SELECT g AS id FROM generate_series(1, {rows}) AS g", "items", Cancel);
        await engine.PublishVersionAsync("items", Address, version, Cancel);
        await engine.MakeCurrentAsync([new DatasetVersion(Address, version)], Cancel);
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }
}
