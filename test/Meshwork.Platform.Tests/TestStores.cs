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

/// <summary>
/// A test over a copy of the base fixture mesh (<see cref="Repo"/>), a fake clock starting on 2026-11-25 12:00 UTC
/// (<see cref="Time"/>) and a platform applying into a fresh <typeparamref name="TStore"/> (<see cref="Platform"/>).
/// </summary>
public abstract class PlatformTestBase<TStore> : IAsyncLifetime
    where TStore : ITestStore
{
    private MeshworkPlatform? _platform;

    protected TestMesh Repo { get; } = new();

    protected Microsoft.Extensions.Time.Testing.FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    protected MeshworkPlatform Platform => _platform ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync()
    {
        var store = await TStore.CreateAsync(TestContext.Current.CancellationToken);
        _platform = MeshworkPlatform.Create(m => m.UseTime(Time).UseStore(store));
    }

    public ValueTask DisposeAsync()
    {
        Repo.Dispose();
        DisposeMore();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>What a test class cleans up besides the mesh copy.</summary>
    protected virtual void DisposeMore()
    {
    }
}
