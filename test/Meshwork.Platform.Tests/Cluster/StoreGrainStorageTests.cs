using Meshwork.Platform.Cluster;
using Meshwork.Platform.Products;
using Orleans.Storage;

namespace Meshwork.Platform.Tests.Cluster;

public sealed class StoreGrainStorageTests : StoreGrainStorageTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class StoreGrainStorageOnPostgresTests : StoreGrainStorageTests<PostgresTestStore>;

/// <summary>Orleans' grain storage on the metadata store, through Orleans' own types: a product grain's schedule position.</summary>
public abstract class StoreGrainStorageTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private static readonly GrainId Grain = GrainId.Create("dataproduct", "sales.orders");

    [Fact]
    public async Task State_Written_IsReadBackByAnotherActivation_AndAStaleActivationCannotWrite()
    {
        var storage = new StoreGrainStorage(await Platform.OpenStoreAsync(Repo.DataFolder, TestContext.Current.CancellationToken));
        var first = new GrainState<SchedulePosition>(new SchedulePosition());
        await storage.ReadStateAsync("schedule", Grain, first);
        Assert.False(first.RecordExists);
        Assert.Null(first.State!.CheckedUntil);

        var at = new DateTimeOffset(2026, 12, 7, 10, 0, 5, TimeSpan.Zero);
        first.State!.CheckedUntil = at;
        await storage.WriteStateAsync("schedule", Grain, first);

        // Another activation (on a survivor) reads where the schedule stood and moves it on.
        var second = new GrainState<SchedulePosition>(new SchedulePosition());
        await storage.ReadStateAsync("schedule", Grain, second);
        Assert.True(second.RecordExists);
        Assert.Equal(at, second.State!.CheckedUntil);
        second.State.CheckedUntil = at.AddSeconds(5);
        await storage.WriteStateAsync("schedule", Grain, second);

        // The first, stale one is refused, and what the second wrote stays.
        first.State.CheckedUntil = at.AddSeconds(10);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("schedule", Grain, first));
        var third = new GrainState<SchedulePosition>(new SchedulePosition());
        await storage.ReadStateAsync("schedule", Grain, third);
        Assert.Equal(at.AddSeconds(5), third.State!.CheckedUntil);

        await storage.ClearStateAsync("schedule", Grain, third);
        await storage.ReadStateAsync("schedule", Grain, third);
        Assert.False(third.RecordExists);
    }
}
