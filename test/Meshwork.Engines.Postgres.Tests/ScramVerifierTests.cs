using System.Security.Cryptography;
using System.Text;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Engines.Postgres.Tests;

/// <summary>
/// A read role's password reaches the server only as its SCRAM-SHA-256 verifier: the verifier is right by RFC 7677's
/// example, and a server that requires SCRAM logins lets the read in with it.
/// </summary>
public sealed class ScramVerifierTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void Keys_OfRfc7677sExample_ProveTheClientAndSignTheServer()
    {
        // RFC 7677, section 3: user "user", password "pencil".
        const string AuthMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," +
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        var (storedKey, serverKey) = ScramVerifier.Keys("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

        var serverSignature = HMACSHA256.HashData(serverKey, Encoding.UTF8.GetBytes(AuthMessage));
        var clientSignature = HMACSHA256.HashData(storedKey, Encoding.UTF8.GetBytes(AuthMessage));
        var clientKey = Convert.FromBase64String("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").Select((b, i) => (byte)(b ^ clientSignature[i])).ToArray();

        Assert.Equal("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Convert.ToBase64String(serverSignature));
        Assert.Equal(storedKey, SHA256.HashData(clientKey));
    }

    [Fact]
    public async Task Read_OnAServerRequiringScram_LogsInWithTheVerifierAlone()
    {
        await using var server = await PostgresServer.StartAsync(Cancel);
        var database = await server.CreateDatabaseAsync("scram", Cancel);
        // The superuser keeps trust; every other role must log in with SCRAM-SHA-256.
        File.WriteAllText(Path.Combine(server.Folder, "data", "pg_hba.conf"),
            $"local all all trust\nhost all {PostgresServer.SuperUser} 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n");
        await ExecuteAsync(database, "SELECT pg_reload_conf()");
        var folder = Path.Combine(Path.GetTempPath(), "meshwork-scram-" + Guid.NewGuid().ToString("N"), "v1");
        await using (var engine = await PostgresEngine.OpenAsync(database, cancellationToken: Cancel))
        {
            await engine.TransformAsync("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)", "items", Cancel);
            await engine.PublishAsync("items", folder, null, Cancel);
            await engine.PublishVersionAsync("items", "test.scram.items_v1", "v1", Cancel);
            await engine.MakeCurrentAsync([new DatasetVersion("test.scram.items_v1", "v1")], Cancel);
        }

        await using var consumer = await PostgresQueryEngine.OpenAsync(database, Cancel);
        await consumer.ServeAsync([new GovernedView("test.scram.items_v1", folder, [new GovernedColumn("id")])], new ConsumerLimits(), new byte[16], Cancel);

        using var stream = await consumer.ReadArrowAsync("SELECT id FROM test.scram.items_v1", Cancel);
        Assert.Equal(2, (await stream.ReadNextRecordBatchAsync(Cancel)).Length);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Cancel);
        await using var stored = new NpgsqlCommand($"SELECT rolpassword FROM pg_authid WHERE rolname = '{consumer.ReadRole}'", connection);
        Assert.StartsWith($"SCRAM-SHA-256${ScramVerifier.Iterations}:", (string)(await stored.ExecuteScalarAsync(Cancel))!, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
