using System.Globalization;
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
    internal static NpgsqlConnectionStringBuilder Parse(string connection)
    {
        if (connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUri(connection);
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The store connection is neither a PostgreSQL URI (postgresql://user@host:port/database) nor an Npgsql connection string (Host=...;Database=...): {e.Message}", nameof(connection), e);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        // Never echo the text itself: it may hold a password.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Malformed("it is not a URI with a host (postgresql://user@host:port/database)");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (!uri.IsDefaultPort)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw Malformed($"the path must name one database (postgresql://{uri.Host}:{uri.Port}/database)");
        }

        builder.Database = database;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[key] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw Malformed($"the parameter '{key}' is not an Npgsql setting or its value is wrong ({e.Message})");
            }
        }

        return builder;
    }

    private static ArgumentException Malformed(string reason) =>
        new($"The store connection is not a valid PostgreSQL URI: {reason}.");

    private static string Describe(NpgsqlConnectionStringBuilder builder) => string.Create(CultureInfo.InvariantCulture,
        $"postgresql://{(string.IsNullOrEmpty(builder.Username) ? string.Empty : builder.Username + "@")}{builder.Host}:{builder.Port}/{builder.Database}");
}
