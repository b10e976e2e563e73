using Meshwork.Testing;

namespace Meshwork.Server.Tests;

/// <summary>
/// <see cref="ServerFixture"/> on the PostgreSQL store: a fresh database on the run's shared throwaway server, applied to
/// and served from (<c>Meshwork:Store</c>). The snapshots and the keys stay in the data folder.
/// </summary>
public sealed class PostgresServerFixture : ServerFixture
{
    protected override Task<string?> CreateStoreAsync() => CreateDatabaseAsync();

    /// <summary>A fresh database on the shared throwaway server, for any fixture that serves from PostgreSQL.</summary>
    internal static async Task<string?> CreateDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return await server.CreateDatabaseAsync("server_" + Guid.NewGuid().ToString("N"));
    }
}
