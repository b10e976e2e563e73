using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Meshwork.Model;
using Npgsql;

namespace Meshwork.Platform.Pipelines;

/// <summary>
/// A source contract's <c>type: postgres</c> server (ODCS: host, port, database, schema), read for one run: its table
/// (the first schema object's physicalName, else its name) is exported as CSV into the run's scratch folder and loaded
/// by the product's engine like a CSV source, so it reads on every engine and the contract decides the types.
/// Credentials come from <c>MESHWORK_PG_&lt;SERVER&gt;_USER</c> and <c>_PASSWORD</c> (the server's name in capitals),
/// else from libpq's <c>PGUSER</c> and <c>PGPASSWORD</c>, never from the contract.
/// </summary>
internal static class PostgresSource
{
    public static readonly string[] Types = ["postgres", "postgresql"];

    /// <summary>The environment variable holding a server's user (<paramref name="suffix"/> <c>USER</c>) or password (<c>PASSWORD</c>).</summary>
    public static string Variable(Contract contract, Server server, string suffix)
    {
        var name = new string([.. (server.Name ?? contract.Id).ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return $"MESHWORK_PG_{name}_{suffix}";
    }

    /// <summary>Exports the table into <paramref name="file"/>; returns the SHA-256 of what was read, so a run repeats only when the data changed.</summary>
    public static async Task<string> ExportAsync(Contract contract, Server server, string file, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(server.Host) || string.IsNullOrWhiteSpace(server.Database) || contract.Schema.IsDefaultOrEmpty)
        {
            throw new InvalidOperationException($"server '{server.Name ?? server.Type}' needs a host, a database and a schema object naming the table");
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

        var table = contract.Schema[0].PhysicalName ?? contract.Schema[0].Name;
        var relation = $"{Quote(server.SchemaName ?? "public")}.{Quote(table)}";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var export = await connection.BeginTextExportAsync($"COPY (SELECT * FROM {relation}) TO STDOUT (FORMAT csv, HEADER true)", cancellationToken).ConfigureAwait(false))
        await using (var target = new StreamWriter(file, append: false, new UTF8Encoding(false)))
        {
            var buffer = new char[81920];
            int read;
            while ((read = await export.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash.AppendData(Encoding.UTF8.GetBytes(buffer, 0, read));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Where a server is, as people read it (never a password).</summary>
    public static string Describe(Server server) => string.Create(CultureInfo.InvariantCulture,
        $"postgresql://{server.Host}{(server.Port is { } port ? ":" + port.ToString(CultureInfo.InvariantCulture) : string.Empty)}/{server.Database}");

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
