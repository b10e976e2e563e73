using Meshwork.Platform.Cluster;

namespace Meshwork.Platform.Tests.Cluster;

public sealed class StoreReminderTableTests : StoreReminderTableTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class StoreReminderTableOnPostgresTests : StoreReminderTableTests<PostgresTestStore>;

/// <summary>Orleans' reminder table on the metadata store, through Orleans' own types: a reminder comes back as it went in, found by its grain's place on the ring.</summary>
public abstract class StoreReminderTableTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    [Fact]
    public async Task UpsertRow_ThenReadBack_ByGrainNameAndRange_AndRemoveByEtag()
    {
        var table = new StoreReminderTable(await Platform.OpenStoreAsync(Repo.DataFolder, TestContext.Current.CancellationToken));
        var grain = GrainId.Create("product", "sales.orders");
        var start = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);

        var etag = await table.UpsertRow(new ReminderEntry { GrainId = grain, ReminderName = "schedule", StartAt = start, Period = TimeSpan.FromSeconds(5) });

        var entry = await table.ReadRow(grain, "schedule");
        Assert.NotNull(entry);
        Assert.Equal((grain, "schedule", start, TimeSpan.FromSeconds(5), etag), (entry.GrainId, entry.ReminderName, entry.StartAt, entry.Period, entry.ETag));
        var hash = grain.GetUniformHashCode();
        Assert.Single((await table.ReadRows(hash - 1, hash)).Reminders);
        Assert.Empty((await table.ReadRows(hash, hash + 1)).Reminders);
        Assert.Single((await table.ReadRows(grain)).Reminders);
        Assert.Null(await table.ReadRow(grain, "other"));

        Assert.False(await table.RemoveRow(grain, "schedule", "stale"));
        Assert.True(await table.RemoveRow(grain, "schedule", etag!));
        Assert.Empty((await table.ReadRows(grain)).Reminders);
    }
}
