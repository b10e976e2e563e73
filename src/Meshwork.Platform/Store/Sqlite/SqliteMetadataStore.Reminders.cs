using Microsoft.Data.Sqlite;

namespace Meshwork.Platform.Store.Sqlite;

/// <summary>Reminders (<see cref="IReminderStore"/>).</summary>
public sealed partial class SqliteMetadataStore
{
    private const string ReminderColumns = "grain, name, hash, start_at, period_ticks, etag";

    public Task<IReadOnlyList<StoredReminder>> ReadRemindersAsync(string grain, CancellationToken cancellationToken = default) =>
        RemindersAsync($"SELECT {ReminderColumns} FROM reminders WHERE grain = $grain ORDER BY name", cancellationToken, ("$grain", grain));

    public Task<IReadOnlyList<StoredReminder>> ReadRemindersInRangeAsync(uint after, uint upTo, CancellationToken cancellationToken = default) =>
        RemindersAsync(after < upTo
            ? $"SELECT {ReminderColumns} FROM reminders WHERE hash > $begin AND hash <= $end ORDER BY grain, name"
            : $"SELECT {ReminderColumns} FROM reminders WHERE hash > $begin OR hash <= $end ORDER BY grain, name",
            cancellationToken, ("$begin", (long)after), ("$end", (long)upTo));

    public async Task<StoredReminder?> ReadReminderAsync(string grain, string name, CancellationToken cancellationToken = default) =>
        (await RemindersAsync($"SELECT {ReminderColumns} FROM reminders WHERE grain = $grain AND name = $name", cancellationToken, ("$grain", grain), ("$name", name))
            .ConfigureAwait(false)) is [var found] ? found : null;

    public Task<string> UpsertReminderAsync(StoredReminder reminder, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async transaction =>
        {
            ArgumentNullException.ThrowIfNull(reminder);
            var etag = Guid.NewGuid().ToString("N");
            await ExecuteAsync(transaction, $"""
                INSERT INTO reminders ({ReminderColumns}) VALUES ($grain, $name, $hash, $start, $period, $etag)
                ON CONFLICT (grain, name) DO UPDATE SET hash = excluded.hash, start_at = excluded.start_at, period_ticks = excluded.period_ticks, etag = excluded.etag
                """, cancellationToken, ("$grain", reminder.Grain), ("$name", reminder.Name), ("$hash", (long)reminder.Hash), ("$start", Text(reminder.StartAt)),
                ("$period", reminder.Period.Ticks), ("$etag", etag)).ConfigureAwait(false);
            return etag;
        }, cancellationToken);

    public Task<bool> RemoveReminderAsync(string grain, string name, string etag, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async transaction => await ExecuteAsync(transaction, "DELETE FROM reminders WHERE grain = $grain AND name = $name AND etag = $etag",
            cancellationToken, ("$grain", grain), ("$name", name), ("$etag", etag)).ConfigureAwait(false) == 1, cancellationToken);

    public Task ClearRemindersAsync(CancellationToken cancellationToken = default) =>
        InTransactionAsync(transaction => ExecuteAsync(transaction, "DELETE FROM reminders", cancellationToken), cancellationToken);

    // Under the gate, as every use of the one connection.
    private Task<IReadOnlyList<StoredReminder>> RemindersAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        LockedAsync<IReadOnlyList<StoredReminder>>(async () => await QueryAsync(sql, Reminder, cancellationToken, parameters).ConfigureAwait(false), cancellationToken);

    private static StoredReminder Reminder(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), (uint)r.GetInt64(2), Time(r.GetString(3)), TimeSpan.FromTicks(r.GetInt64(4)), r.GetString(5));
}
