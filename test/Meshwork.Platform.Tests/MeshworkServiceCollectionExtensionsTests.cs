using Meshwork.Engines;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests;

public sealed class MeshworkServiceCollectionExtensionsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void AddMeshwork_NothingChosen_ComposesTheEmbeddedDefaults()
    {
        using var services = new ServiceCollection().AddMeshwork().BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<MeshworkPlatform>());
        Assert.Equal(["duckdb"], services.GetRequiredService<EngineRegistry>().Names);
        Assert.IsType<SqliteStoreProvider>(services.GetRequiredService<IMetadataStoreProvider>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddMeshwork_WithAClock_EveryPartReadsThatClock()
    {
        var time = new FakeTimeProvider();

        using var services = new ServiceCollection().AddMeshwork(m => m.UseTime(time)).BuildServiceProvider();

        Assert.Same(time, services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddMeshwork_WithAStore_ThePlatformKeepsItsStateThere()
    {
        using var mesh = new TestMesh();
        var store = new CountingStore();
        var platform = MeshworkPlatform.Create(m => m.UseStore(store));

        var result = await platform.ApplyAsync(mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(result.Errors);
        Assert.True(store.Opened > 0, "apply did not open the store it was composed with");
        await using var opened = await platform.OpenStoreAsync(mesh.DataFolder, Cancel);
        Assert.NotEmpty((await opened.GetAppliedStateAsync(Cancel)).Products);
    }

    /// <summary>The SQLite store, counting how often the platform opens it.</summary>
    private sealed class CountingStore : IMetadataStoreProvider
    {
        private readonly SqliteStoreProvider _inner = new();
        private int _opened;

        public int Opened => _opened;

        public string Name => "counting";

        public bool Exists(string dataFolder) => _inner.Exists(dataFolder);

        public Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _opened);
            return _inner.OpenAsync(dataFolder, time, cancellationToken);
        }
    }
}
