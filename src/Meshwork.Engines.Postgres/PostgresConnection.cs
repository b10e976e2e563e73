using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// A PostgreSQL connection as people write it: a URI (<c>postgresql://user:password@host:port/database?sslmode=require</c>)
/// or an Npgsql connection string. Errors name what the connection is for and never echo the text (it may hold a password).
/// </summary>
public static class PostgresConnection
{
    /// <summary>The connection as Npgsql's builder; bad input throws <see cref="ArgumentException"/> naming <paramref name="what"/> and the reason.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connection, string what)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUri(connection, what);
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The {what} is neither a PostgreSQL URI (postgresql://user@host:port/database) nor an Npgsql connection string (Host=...;Database=...): {e.Message}", nameof(connection), e);
        }
    }

    /// <summary>The connection as people read it: <c>postgresql://user@host:port/database</c>, never with the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return string.Create(CultureInfo.InvariantCulture,
            $"postgresql://{(string.IsNullOrEmpty(builder.Username) ? string.Empty : builder.Username + "@")}{builder.Host}:{builder.Port}/{builder.Database}");
    }

    /// <summary>
    /// The columns of a relation (a SQL name as <c>to_regclass</c> reads it), in order, with PostgreSQL's spelling of
    /// their types (<c>format_type</c>: <c>numeric(10,2)</c>, <c>text</c>); none when there is no such relation.
    /// </summary>
    internal static async Task<List<RelationColumn>> ColumnsAsync(NpgsqlConnection connection, string relation, CancellationToken cancellationToken)
    {
        var columns = new List<RelationColumn>();
        await using var command = new NpgsqlCommand(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = relation });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            columns.Add(new RelationColumn(reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    /// <summary>
    /// Runs a <c>COPY ... TO STDOUT</c> on <paramref name="connection"/> into <paramref name="file"/> (UTF-8, no BOM);
    /// with <paramref name="hash"/>, returns the SHA-256 of the text copied (else null).
    /// </summary>
    internal static async Task<string?> CopyOutAsync(NpgsqlConnection connection, string copy, string file, bool hash, CancellationToken cancellationToken)
    {
        using var digest = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        using var export = await connection.BeginTextExportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var target = new StreamWriter(file, append: false, new UTF8Encoding(false));
        var buffer = new char[81920];
        int read;
        while ((read = await export.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            digest?.AppendData(Encoding.UTF8.GetBytes(buffer, 0, read));
        }

        return digest is null ? null : Convert.ToHexStringLower(digest.GetHashAndReset());
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text, string what)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw Malformed(what, "it is not a URI with a host (postgresql://user@host:port/database)");
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
            throw Malformed(what, $"the path must name one database (postgresql://{uri.Host}:{uri.Port}/database)");
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
                throw Malformed(what, $"the parameter '{key}' is not an Npgsql setting or its value is wrong ({e.Message})");
            }
        }

        return builder;
    }

    private static ArgumentException Malformed(string what, string reason) =>
        new($"The {what} is not a valid PostgreSQL URI: {reason}.");
}
