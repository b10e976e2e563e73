using System.Globalization;
using Npgsql;

namespace Meshwork.Platform.Store.Postgres;

/// <summary>
/// Versioned schema migrations: embedded <c>NNN_name.sql</c> scripts applied in order in one transaction under a
/// transaction-level advisory lock, so two processes opening one fresh database at once migrate it once (the second
/// waits, then finds nothing to do). The versions applied are rows of <c>meshwork.schema_version</c>.
/// </summary>
internal static class PostgresMigrations
{
    private const string Prefix = "Meshwork.Platform.Store.Postgres.Migrations.";

    /// <summary>The advisory lock key of migrations ("meshmigr").</summary>
    private const long Lock = 0x6D6573686D696772;

    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } = EmbeddedMigrations.Load(Prefix);

    /// <summary>The newest schema version this binary knows.</summary>
    public static int Latest => All[^1].Version;

    public static async Task ApplyAsync(NpgsqlConnection connection, string display, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"""
            SELECT pg_advisory_xact_lock({Lock});
            CREATE SCHEMA IF NOT EXISTS {PostgresStoreProvider.Schema};
            SET LOCAL search_path TO {PostgresStoreProvider.Schema};
            CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL);
            """, cancellationToken).ConfigureAwait(false);

        int current;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection))
        {
            current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        if (current > Latest)
        {
            throw new StorageUnavailableException(string.Create(CultureInfo.InvariantCulture,
                $"The metadata store {display} has schema version {current}, newer than version {Latest} this Meshwork knows: a newer Meshwork migrated it. Run that version (or a later one) here too."));
        }

        foreach (var (version, name, sql) in All.Where(m => m.Version > current))
        {
            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at)", connection);
            record.Parameters.AddWithValue("version", version);
            record.Parameters.AddWithValue("name", name);
            record.Parameters.AddWithValue("at", time.GetUtcNow().ToUniversalTime());
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        // The scripts are embedded resources of this assembly, never user input.
#pragma warning disable CA2100
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
