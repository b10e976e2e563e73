using Meshwork.Testing;

namespace Meshwork.Platform.Tests;

/// <summary>
/// The metadata store a test's platform applies to, as a type argument: a test class written once over
/// <c>TStore</c> runs on each store (<c>XTests : XTests&lt;SqliteTestStore&gt;</c>, <c>XOnPostgresTests</c>).
/// </summary>
public interface ITestStore
{
    /// <summary>A fresh store for one test, as <see cref="MeshworkBuilder.UseStore(string?)"/> takes it; null: the data folder's SQLite.</summary>
    static abstract Task<string?> CreateAsync(CancellationToken cancellationToken);
}

/// <summary>The default store: SQLite in the data folder, fresh with each test's folder.</summary>
public sealed class SqliteTestStore : ITestStore
{
    public static Task<string?> CreateAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary>A fresh database on the run's shared throwaway PostgreSQL server.</summary>
public sealed class PostgresTestStore : ITestStore
{
    public static async Task<string?> CreateAsync(CancellationToken cancellationToken) =>
        await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("platform_" + Guid.NewGuid().ToString("N"), cancellationToken);
}
