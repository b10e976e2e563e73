using Meshwork.Engines.Postgres;
using Npgsql;

namespace Meshwork.Platform.Store.Postgres;

/// <summary>
/// The metadata store in a PostgreSQL database (the <c>meshwork</c> schema), shared by every process given the same
/// connection: several servers and CLIs on one state. The data folder is not where the state lives here; it still
/// holds the Parquet snapshots.
/// </summary>
public sealed class PostgresStoreProvider : IMetadataStoreProvider
{
    /// <summary>The schema every table of the store lives in.</summary>
    public const string Schema = "meshwork";

    private readonly string _connectionString;
    private readonly AuditKeySource? _auditKey;

    /// <param name="connection">A PostgreSQL URI (<c>postgresql://user:password@host:port/database?sslmode=require</c>) or an Npgsql connection string.</param>
    /// <param name="auditKey">Keys the audit chain (given by the composition root); a store opened without it reads but never appends to the chain.</param>
    public PostgresStoreProvider(string connection, AuditKeySource? auditKey = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _auditKey = auditKey;
        var builder = Parse(connection);
        builder.SearchPath = Schema;
        _connectionString = builder.ConnectionString;
        Display = Describe(builder);
    }

    public string Name => "postgres";

    public bool SharedByMachines => true;

    /// <summary>The store as people read it: <c>postgresql://user@host:port/database</c>, never with the password.</summary>
    public string Display { get; }

    /// <summary>True when the store's schema exists and something was applied or recorded in it.</summary>
    public bool Exists(string dataFolder)
    {
        try
        {
            using var connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            using (var schema = new NpgsqlCommand($"SELECT to_regclass('{Schema}.meta') IS NOT NULL AND to_regclass('{Schema}.products') IS NOT NULL", connection))
            {
                if (!(bool)schema.ExecuteScalar()!)
                {
                    return false;
                }
            }

            using var any = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Schema}.meta) OR EXISTS (SELECT 1 FROM {Schema}.products)", connection);
            return (bool)any.ExecuteScalar()!;
        }
        catch (NpgsqlException e) when (PostgresMetadataStore.Unavailable(Display, e) is { } fault)
        {
            throw fault;
        }
    }

    public async Task<IMetadataStore> OpenAsync(string dataFolder, TimeProvider time, CancellationToken cancellationToken = default) =>
        await PostgresMetadataStore.OpenAsync(_connectionString, Display, time, _auditKey is { } key ? () => key(dataFolder) : null, cancellationToken).ConfigureAwait(false);

    /// <summary>A connection as Npgsql's builder, from a PostgreSQL URI or an Npgsql connection string; bad input names the place and the reason.</summary>
    internal static NpgsqlConnectionStringBuilder Parse(string connection) => PostgresConnection.Parse(connection, "store connection");

    private static string Describe(NpgsqlConnectionStringBuilder builder) => PostgresConnection.Describe(builder);
}
