using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>Reminders: kept by grain and name, read by grain or by a range of the hash ring (wrapping around), removed by etag.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    private StoredReminder Reminder(string grain, string name, uint hash) => new(grain, name, hash, Time.GetUtcNow(), TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Reminder_Upserted_IsReadBackWithANewEtagEachTime()
    {
        var store = await OpenAsync();
        var first = await store.UpsertReminderAsync(Reminder("product/sales.orders", "schedule", 10), Cancel);
        var second = await store.UpsertReminderAsync(Reminder("product/sales.orders", "schedule", 10) with { Period = TimeSpan.FromHours(1) }, Cancel);

        var read = await store.ReadReminderAsync("product/sales.orders", "schedule", Cancel);

        Assert.NotEqual(first, second);
        Assert.Equal(Reminder("product/sales.orders", "schedule", 10) with { Period = TimeSpan.FromHours(1), ETag = second }, read);
        Assert.Single(await store.ReadRemindersAsync("product/sales.orders", Cancel));
        Assert.Null(await store.ReadReminderAsync("product/sales.orders", "other", Cancel));
    }

    [Theory]
    [InlineData(100u, 300u, new[] { "b", "c" })]
    [InlineData(300u, 100u, new[] { "a", "d" })]
    [InlineData(200u, 200u, new[] { "a", "b", "c", "d" })]
    public async Task Reminders_InARangeOfTheRing_AreThoseAfterItsStartUpToItsEnd(uint after, uint upTo, string[] expected)
    {
        var store = await OpenAsync();
        foreach (var (grain, hash) in new[] { ("a", 100u), ("b", 200u), ("c", 300u), ("d", uint.MaxValue) })
        {
            await store.UpsertReminderAsync(Reminder(grain, "r", hash), Cancel);
        }

        var found = await store.ReadRemindersInRangeAsync(after, upTo, Cancel);

        Assert.Equal(expected, found.Select(r => r.Grain).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reminder_RemovedWithAStaleEtag_Stays()
    {
        var store = await OpenAsync();
        var stale = await store.UpsertReminderAsync(Reminder("g", "r", 1), Cancel);
        var current = await store.UpsertReminderAsync(Reminder("g", "r", 1), Cancel);

        Assert.False(await store.RemoveReminderAsync("g", "r", stale, Cancel));
        Assert.True(await store.RemoveReminderAsync("g", "r", current, Cancel));
        Assert.False(await store.RemoveReminderAsync("g", "r", current, Cancel));
        Assert.Empty(await store.ReadRemindersAsync("g", Cancel));
    }
}
