using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Platform.Tests.Store;

/// <summary>The throwaway PostgreSQL the PostgreSQL store's tests run on: it starts, isolates databases and stops.</summary>
public sealed partial class PostgresServerTests
{
    [Fact]
    public async Task SharedAsync_Started_AnswersVersion15OrLater()
    {
        var server = await PostgresServer.SharedAsync();

        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT version()", connection);
        var version = (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;

        var match = MajorVersion().Match(version);
        Assert.True(match.Success, $"not a PostgreSQL version: {version}");
        Assert.InRange(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 15, int.MaxValue);
    }

    [Fact]
    public async Task SharedAsync_CalledTwice_ReturnsOneServer()
    {
        var first = await PostgresServer.SharedAsync();
        var second = await PostgresServer.SharedAsync();

        Assert.Same(first, second);
    }

    [Fact]
    public async Task CreateDatabaseAsync_TwoDatabases_AreSeparate()
    {
        var server = await PostgresServer.SharedAsync();
        var suffix = Guid.NewGuid().ToString("N");
        var first = await server.CreateDatabaseAsync("separate_a_" + suffix, TestContext.Current.CancellationToken);
        var second = await server.CreateDatabaseAsync("separate_b_" + suffix, TestContext.Current.CancellationToken);

        await ExecuteAsync(first, "CREATE TABLE only_here (id int)");

        Assert.True(await ScalarAsync<bool>(first, "SELECT to_regclass('public.only_here') IS NOT NULL"));
        Assert.False(await ScalarAsync<bool>(second, "SELECT to_regclass('public.only_here') IS NOT NULL"));
        Assert.Equal("separate_b_" + suffix, await ScalarAsync<string>(second, "SELECT current_database()"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("x; DROP DATABASE postgres")]
    [InlineData("1starts_with_digit")]
    public async Task CreateDatabaseAsync_NameNotAPlainIdentifier_IsRefusedWithTheRule(string name)
    {
        var server = await PostgresServer.SharedAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => server.CreateDatabaseAsync(name));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("lower-case letters, digits and '_'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_RunningServer_StopsItAndRemovesItsFolder()
    {
        var server = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);
        var port = server.Port;
        var folder = server.Folder;
        Assert.True(await AcceptsAsync(port), "the server did not accept a connection while running");

        await server.DisposeAsync();

        Assert.False(await AcceptsAsync(port), $"port {port} still accepts connections after dispose");
        Assert.False(Directory.Exists(folder), $"{folder} was left behind");
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
            return true;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    [GeneratedRegex(@"^PostgreSQL (\d+)")]
    private static partial Regex MajorVersion();
}
