using System.Globalization;
using System.Security.Cryptography;
using Meshwork.Engines;
using Meshwork.Platform.Security;
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
        // The embedded engine, and PostgreSQL for the domains mesh.yaml puts on it.
        Assert.Equal(["duckdb", "postgres"], services.GetRequiredService<EngineRegistry>().Names);
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
        CountingStore? store = null;
        var platform = MeshworkPlatform.Create(m => m.UseStore(key => store = new CountingStore(key)));

        var result = await platform.ApplyAsync(mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(result.Errors);
        Assert.True(store!.Opened > 0, "apply did not open the store it was composed with");
        await using var opened = await platform.OpenStoreAsync(mesh.DataFolder, Cancel);
        Assert.NotEmpty((await opened.GetAppliedStateAsync(Cancel)).Products);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sqlite:")]
    public async Task AddMeshwork_WithKeys_TheStoreKeysItsAuditChainWithTheAuditChainKey(string? storePrefix)
    {
        using var mesh = new TestMesh();
        var secret = RandomNumberGenerator.GetBytes(32);
        var keys = new KeyProvider(environment: name => name == "MESHWORK_AUDIT_CHAIN_KEY" ? Convert.ToBase64String(secret) : null);
        var connection = storePrefix is null ? null : storePrefix + Path.Combine(mesh.Root, "elsewhere.db");
        var platform = MeshworkPlatform.Create(m => m.UseKeys(keys).UseStore(connection));

        await using var store = await platform.OpenStoreAsync(mesh.DataFolder, Cancel);
        var record = await store.AppendAuditAsync(new AuditEntry("alice", "read", "a.b.c_v1", null, null, 1, "allowed", null), Cancel);

        Assert.Equal(AuditSchemes.HmacSha256, record.Scheme);
        Assert.Equal(AuditChain.Hash(AuditSchemes.HmacSha256, () => secret, record.PreviousHash,
            record.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture), record.Entry), record.Hash);
        Assert.False(Directory.Exists(Path.Combine(mesh.DataFolder, "keys")), "the audit key was not taken from the key provider");
    }

    /// <summary>The SQLite store, counting how often the platform opens it.</summary>
    private sealed class CountingStore(AuditKeySource auditKey) : IMetadataStoreProvider
    {
        private readonly SqliteStoreProvider _inner = new(auditKey: auditKey);
        private int _opened;

        public int Opened => _opened;

        public string Name => "counting";

        public bool SharedByMachines => false;

        public bool Exists(string dataFolder) => _inner.Exists(dataFolder);

        public Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _opened);
            return _inner.OpenAsync(dataFolder, time, cancellationToken);
        }
    }
}
