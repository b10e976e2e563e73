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

/// <summary>
/// <see cref="ServerFixture"/> with the example's customers domain on a PostgreSQL engine (a fresh database on the run's
/// throwaway server, its connection read from an environment variable as a deployment gives it): its datasets are
/// computed there and served like every other, so the example's governance holds through every read.
/// </summary>
public sealed class CustomersOnPostgresEngineFixture : ServerFixture
{
    protected override async Task PrepareAsync(string root)
    {
        var variable = "MESHWORK_PG_SERVER_TESTS_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, await PostgresServerFixture.CreateDatabaseAsync());
        File.AppendAllText(Path.Combine(root, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"${{{variable}}}\"\n");
        File.AppendAllText(Path.Combine(root, "domains", "customers", "domain.yaml"), "engine: warehouse\n");
    }
}
