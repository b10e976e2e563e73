namespace Meshwork.Platform.Store;

/// <summary>
/// Durable reminders kept in the store, as Orleans' reminder service needs them (its <c>IReminderTable</c> sits on this):
/// one row per grain and reminder name, with the grain's place on the hash ring so that each node reads the reminders
/// of its own range. A write returns the row's new etag; a removal names the etag it read.
/// </summary>
public interface IReminderStore
{
    Task<IReadOnlyList<StoredReminder>> ReadRemindersAsync(string grain, CancellationToken cancellationToken = default);

    /// <summary>
    /// The reminders of grains whose hash is in (<paramref name="after"/>, <paramref name="upTo"/>] on the ring: when
    /// <paramref name="after"/> is not below <paramref name="upTo"/> the range wraps around (all of the ring when equal).
    /// </summary>
    Task<IReadOnlyList<StoredReminder>> ReadRemindersInRangeAsync(uint after, uint upTo, CancellationToken cancellationToken = default);

    Task<StoredReminder?> ReadReminderAsync(string grain, string name, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a reminder; returns its new etag.</summary>
    Task<string> UpsertReminderAsync(StoredReminder reminder, CancellationToken cancellationToken = default);

    /// <summary>Removes a reminder when its etag is still <paramref name="etag"/>; false when it is not (or it is gone).</summary>
    Task<bool> RemoveReminderAsync(string grain, string name, string etag, CancellationToken cancellationToken = default);

    /// <summary>Removes every reminder (tests).</summary>
    Task ClearRemindersAsync(CancellationToken cancellationToken = default);
}

/// <summary>A reminder: its grain, name, the grain's hash on the ring, its first time and period, and the row's etag.</summary>
public sealed record StoredReminder(string Grain, string Name, uint Hash, DateTimeOffset StartAt, TimeSpan Period, string ETag = "");
