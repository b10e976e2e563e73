using Meshwork.Platform.Store;

namespace Meshwork.Platform.Cluster;

/// <summary>
/// Orleans' reminder table on the metadata store (<see cref="IReminderStore"/>): a grain is kept by its id's text
/// (<c>type/key</c>) with its uniform hash, so a node reads the reminders of its range of the ring.
/// </summary>
public sealed class StoreReminderTable(IReminderStore store) : IReminderTable
{
    public async Task<ReminderTableData> ReadRows(GrainId grainId) => Data(await store.ReadRemindersAsync(grainId.ToString()).ConfigureAwait(false));

    public async Task<ReminderTableData> ReadRows(uint begin, uint end) => Data(await store.ReadRemindersInRangeAsync(begin, end).ConfigureAwait(false));

    // Null: no such reminder.
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        await store.ReadReminderAsync(grainId.ToString(), reminderName).ConfigureAwait(false) is { } found ? Entry(found) : null;

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return await store.UpsertReminderAsync(new StoredReminder(entry.GrainId.ToString(), entry.ReminderName, entry.GrainId.GetUniformHashCode(),
            new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)), entry.Period)).ConfigureAwait(false);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => store.RemoveReminderAsync(grainId.ToString(), reminderName, eTag);

    public Task TestOnlyClearTable() => store.ClearRemindersAsync();

    private static ReminderTableData Data(IReadOnlyList<StoredReminder> reminders) => new(reminders.Select(Entry));

    private static ReminderEntry Entry(StoredReminder reminder) => new()
    {
        GrainId = GrainId.Parse(reminder.Grain),
        ReminderName = reminder.Name,
        StartAt = reminder.StartAt.UtcDateTime,
        Period = reminder.Period,
        ETag = reminder.ETag,
    };
}
