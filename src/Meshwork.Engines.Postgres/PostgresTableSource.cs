using System.Globalization;
using Meshwork.Model;
using Npgsql;
using static Meshwork.Engines.Sql.SqlDialect;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// A source contract's <c>type: postgres</c> server (ODCS: host, port, database, schema), read for one run: its table
/// (the first schema object's physicalName, else its name) is exported as CSV into a file the product's engine loads
/// like a CSV source, so it reads on every engine and the contract decides the types. Credentials come from
/// <c>MESHWORK_PG_&lt;SERVER&gt;_USER</c> and <c>_PASSWORD</c> (the server's name in capitals), else from libpq's
/// <c>PGUSER</c> and <c>PGPASSWORD</c>, never from the contract.
/// </summary>
public static class PostgresTableSource
{
    /// <summary>The ODCS server types read here.</summary>
    public static IReadOnlyList<string> Types { get; } = ["postgres", "postgresql"];

    /// <summary>
    /// Exports the table into <paramref name="file"/>; returns the SHA-256 of what was read, so a run repeats only when
    /// the data changed. Throws <see cref="EngineException"/> naming the server (never a password) and the reason.
    /// </summary>
    public static async Task<string> ExportAsync(Contract contract, Server server, string file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(server);
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString(contract, server));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return (await PostgresConnection.CopyOutAsync(connection, $"COPY (SELECT * FROM {Table(contract, server)}) TO STDOUT (FORMAT csv, HEADER true)", file, hash: true,
                cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new EngineException($"{Describe(server)}: {(e as PostgresException)?.MessageText ?? e.Message}", e);
        }
    }

    /// <summary>
    /// How many rows of the server's table hold <paramref name="value"/> in any of <paramref name="columns"/> (compared as
    /// text): the rows of an erased subject the platform cannot remove, since the table is not its own.
    /// </summary>
    public static async Task<long> CountAsync(Contract contract, Server server, IReadOnlyList<string> columns, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(columns);
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString(contract, server));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                $"SELECT count(*) FROM {Table(contract, server)} WHERE {string.Join(" OR ", columns.Select(c => $"{Identifier(c)}::text = @value"))}", connection);
            command.Parameters.AddWithValue("value", value);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new EngineException($"{Describe(server)}: {(e as PostgresException)?.MessageText ?? e.Message}", e);
        }
    }

    /// <summary>Where the table is, as people read it: the server and the schema-qualified table.</summary>
    public static string Location(Contract contract, Server server)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(server);
        return $"{Describe(server)} {server.SchemaName ?? "public"}.{contract.Schema[0].PhysicalName ?? contract.Schema[0].Name}";
    }

    private static string Table(Contract contract, Server server) =>
        $"{Identifier(server.SchemaName ?? "public")}.{Identifier(contract.Schema[0].PhysicalName ?? contract.Schema[0].Name)}";

    /// <summary>The server's connection: its host, port and database from the contract, the credentials from the environment.</summary>
    private static string ConnectionString(Contract contract, Server server)
    {
        if (string.IsNullOrWhiteSpace(server.Host) || string.IsNullOrWhiteSpace(server.Database) || contract.Schema.IsDefaultOrEmpty)
        {
            throw new EngineException($"{Describe(server)}: server '{server.Name ?? server.Type}' needs a host, a database and a schema object naming the table");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = server.Host, Database = server.Database, ApplicationName = "meshwork" };
        if (server.Port is { } port)
        {
            builder.Port = port;
        }

        if (Environment.GetEnvironmentVariable(Variable(contract, server, "USER")) is { Length: > 0 } user)
        {
            builder.Username = user;
        }

        if (Environment.GetEnvironmentVariable(Variable(contract, server, "PASSWORD")) is { } password)
        {
            builder.Password = password;
        }

        return builder.ConnectionString;
    }

    /// <summary>The environment variable holding a server's user (<paramref name="suffix"/> <c>USER</c>) or password (<c>PASSWORD</c>).</summary>
    private static string Variable(Contract contract, Server server, string suffix)
    {
        var name = new string([.. (server.Name ?? contract.Id).ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return $"MESHWORK_PG_{name}_{suffix}";
    }

    /// <summary>Where a server is, as people read it (never a password).</summary>
    private static string Describe(Server server) => string.Create(CultureInfo.InvariantCulture,
        $"postgresql://{server.Host}{(server.Port is { } port ? ":" + port.ToString(CultureInfo.InvariantCulture) : string.Empty)}/{server.Database}");
}
