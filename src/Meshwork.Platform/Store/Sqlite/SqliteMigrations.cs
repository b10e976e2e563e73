using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Meshwork.Platform.Store.Sqlite;

/// <summary>
/// Versioned schema migrations: embedded <c>NNN_name.sql</c> scripts applied in order, each in its own
/// transaction with its row in <c>schema_migrations</c>, so a crash mid-way leaves a consistent, resumable store.
/// </summary>
internal static class SqliteMigrations
{
    private const string Prefix = "Meshwork.Platform.Store.Sqlite.Migrations.";

    public static IReadOnlyList<(int Version, string Name, string Sql)> All { get; } = EmbeddedMigrations.Load(Prefix);

    public static async Task ApplyAsync(SqliteConnection connection, TimeProvider time, CancellationToken cancellationToken)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (version, name, sql) in All)
        {
            using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            using (var check = connection.CreateCommand())
            {
                check.Transaction = transaction;
                check.CommandText = "SELECT count(*) FROM schema_migrations WHERE version = $v";
                check.Parameters.AddWithValue("$v", version);
                if ((long)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
                {
                    continue;
                }
            }

            using (var migrate = connection.CreateCommand())
            {
                migrate.Transaction = transaction;
                migrate.CommandText = sql;
                await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $t)";
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$n", name);
                record.Parameters.AddWithValue("$t", time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
