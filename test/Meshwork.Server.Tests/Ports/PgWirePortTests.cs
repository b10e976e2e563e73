using System.Diagnostics;
using System.Text.Json;
using Meshwork.Platform.Security;
using Npgsql;

namespace Meshwork.Server.Tests.Ports;

/// <summary>The example served with the PostgreSQL wire protocol port on a port the system picks.</summary>
public sealed class PgWireServerFixture : ServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Meshwork:PgWire:Port"] = "0" };


    /// <summary>A connection string for <paramref name="principal"/>, its password a fresh token (or <paramref name="password"/>).</summary>
    public string ConnectionString(string principal, string? password = null, string? options = null) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = PgWirePort,
        Username = principal,
        Password = password ?? TokenService.Open(DataFolder, TimeProvider.System).Issue(principal),
        Database = "retail",
        SslMode = SslMode.Disable,
        Pooling = false,
        Options = options,
    }.ConnectionString;
}

/// <summary>
/// The PostgreSQL wire protocol port with real clients, Npgsql and psql: governed reads as the caller (mallory gets
/// masked emails and DE rows only, olivia clear values), one schema for every reader, tokens as passwords, the
/// session's purpose, the catalog of what the caller may read, and refusals as PostgreSQL errors.
/// </summary>
public sealed class PgWirePortTests(PgWireServerFixture server) : IClassFixture<PgWireServerFixture>
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private static readonly string[] PsqlPaths = ["/usr/bin/psql", "/usr/local/bin/psql"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Select_IsTheCallersGovernedRead_MaskedAndFilteredForMallory_ClearForOlivia()
    {
        var mallory = await RowsAsync("mallory", $"SELECT email, country FROM {Profiles}");
        var olivia = await RowsAsync("olivia", $"SELECT email, country FROM {Profiles}");

        Assert.NotEmpty(mallory);
        Assert.True(olivia.Count > mallory.Count);
        Assert.All(mallory, r => Assert.Equal("DE", r[1]));
        Assert.All(mallory, r => Assert.Matches("^x+[.x]*@x+\\.x+$", (string)r[0]!));
        Assert.Contains(olivia, r => ((string)r[0]!).Contains("@example.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Schema_IsTheSameForEveryReader_ADateIsADate()
    {
        var mallory = await ColumnsAsync("mallory");
        var olivia = await ColumnsAsync("olivia");

        Assert.Equal(olivia, mallory);
        Assert.Contains(("birth_date", "date"), mallory);
        Assert.Contains(("customer_id", "bigint"), mallory);
    }

    [Fact]
    public async Task Values_ReadInBinary_AreTyped()
    {
        await using var connection = await OpenAsync("olivia");
        await using var command = new NpgsqlCommand($"SELECT customer_id, birth_date, email FROM {Profiles} WHERE birth_date IS NOT NULL ORDER BY customer_id LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);

        Assert.True(await reader.ReadAsync(Cancel));
        Assert.IsType<long>(reader.GetValue(0));
        Assert.IsType<DateOnly>(reader.GetValue(1));
        Assert.Equal(reader.GetFieldValue<DateOnly>(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            (await ScalarAsync("olivia", $"SELECT CAST(birth_date AS VARCHAR) FROM {Profiles} WHERE birth_date IS NOT NULL ORDER BY customer_id LIMIT 1"))!.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryType_ReadsBackExactly_InBinaryAndText(bool binary)
    {
        await using var connection = await OpenAsync("olivia");
        const string Sql = $"""
            SELECT 12.34::DECIMAL(10,2) AS d, -0.005::DECIMAL(10,3) AS small, 123456789012.5::DECIMAL(18,1) AS large, 0::DECIMAL(10,2) AS zero,
                TIMESTAMP '2024-05-06 07:08:09.123456' AS ts, TIMESTAMPTZ '2024-05-06 07:08:09+00' AS tz, DATE '1999-12-31' AS day, TIME '10:11:12.5' AS t,
                1.5::FLOAT AS f, 2.25::DOUBLE AS dbl, true AS b, 123::SMALLINT AS s, 7::INTEGER AS i, 'ü ✓'::VARCHAR AS txt, NULL::VARCHAR AS nothing
            FROM {Profiles} LIMIT 1
            """;
        await using var command = new NpgsqlCommand(Sql, connection);
        if (!binary)
        {
            // Every result column asked for in text, as psql and the simple query protocol read them.
            command.AllResultTypesAreUnknown = true;
        }

        await using var reader = await command.ExecuteReaderAsync(Cancel);
        Assert.True(await reader.ReadAsync(Cancel));

        if (binary)
        {
            Assert.Equal(12.34m, reader.GetDecimal(0));
            Assert.Equal(-0.005m, reader.GetDecimal(1));
            Assert.Equal(123456789012.5m, reader.GetDecimal(2));
            Assert.Equal(0m, reader.GetDecimal(3));
            Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Unspecified).AddTicks(1_234_560), reader.GetDateTime(4));
            Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), reader.GetFieldValue<DateTime>(5).ToUniversalTime());
            Assert.Equal(new DateOnly(1999, 12, 31), reader.GetFieldValue<DateOnly>(6));
            Assert.Equal(new TimeOnly(10, 11, 12, 500), reader.GetFieldValue<TimeOnly>(7));
            Assert.Equal(1.5f, reader.GetFloat(8));
            Assert.Equal(2.25, reader.GetDouble(9));
            Assert.True(reader.GetBoolean(10));
            Assert.Equal((short)123, reader.GetInt16(11));
            Assert.Equal(7, reader.GetInt32(12));
        }
        else
        {
            Assert.Equal(["12.34", "-0.005", "123456789012.5", "0.00", "2024-05-06 07:08:09.123456", "2024-05-06 07:08:09+00", "1999-12-31", "10:11:12.5", "1.5", "2.25", "t", "123", "7"],
                Enumerable.Range(0, 13).Select(reader.GetString));
        }

        Assert.Equal("ü ✓", reader.GetString(13));
        Assert.True(reader.IsDBNull(14));
    }

    [Fact]
    public async Task Parameters_AreBoundAsValues_NeverAsSql()
    {
        await using var connection = await OpenAsync("mallory");
        var first = await ScalarAsync("mallory", $"SELECT min(customer_id) FROM {Profiles}");
        await using var command = new NpgsqlCommand($"SELECT email FROM {Profiles} WHERE customer_id = @id OR email = @text", connection);
        command.Parameters.AddWithValue("id", (long)first!);
        command.Parameters.AddWithValue("text", "x' OR 1=1 --");

        var emails = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Cancel))
        {
            while (await reader.ReadAsync(Cancel))
            {
                emails.Add(reader.GetString(0));
            }
        }

        var email = Assert.Single(emails);
        Assert.Matches("^x+[.x]*@x+\\.x+$", email);
    }

    [Fact]
    public async Task ACanceledRead_EndsWithItsError_AndTheConnectionGoesOn()
    {
        await using var connection = await OpenAsync("olivia");
        await using (var command = new NpgsqlCommand($"SELECT a.email, b.email AS other, c.phone FROM {Profiles} a, {Profiles} b, {Profiles} c", connection))
        {
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            Assert.True(await reader.ReadAsync(Cancel));

            command.Cancel();
            var error = await Record.ExceptionAsync(async () =>
            {
                while (await reader.ReadAsync(Cancel))
                {
                }
            });

            // Canceled while rows were still coming (57014), or after the last one was sent (nothing to cancel).
            Assert.True(error is null || error is PostgresException { SqlState: "57014" }, error?.ToString());
        }

        Assert.True((long)(await new NpgsqlCommand($"SELECT count(*) FROM {Profiles}", connection).ExecuteScalarAsync(Cancel))! > 0);
    }

    [Fact]
    public async Task ABadToken_IsRefusedAtStartup_WithAPostgresError()
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString("mallory", password: "not-a-token"));

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Cancel));

        Assert.Equal("28P01", error.SqlState);
        Assert.Contains("mesh token mallory", error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherPrincipalsToken_IsRefused()
    {
        var olivias = TokenService.Open(server.DataFolder, TimeProvider.System).Issue("olivia");
        await using var connection = new NpgsqlConnection(server.ConnectionString("mallory", password: olivias));

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Cancel));

        Assert.Equal("28P01", error.SqlState);
    }

    [Fact]
    public async Task ARefusedQuery_IsAnErrorNamingWhy_AndTheConnectionGoesOn()
    {
        await using var connection = await OpenAsync("olivia");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand("SELECT * FROM read_csv('/etc/passwd')", connection).ExecuteScalarAsync(Cancel));
        var write = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand($"DELETE FROM {Profiles}", connection).ExecuteNonQueryAsync(Cancel));
        var count = await new NpgsqlCommand($"SELECT count(*) FROM {Profiles}", connection).ExecuteScalarAsync(Cancel);

        Assert.Equal("42000", refused.SqlState);
        Assert.DoesNotContain("root:", refused.MessageText, StringComparison.Ordinal);
        Assert.Equal("25006", write.SqlState);
        Assert.True((long)count! > 0);
    }

    [Fact]
    public async Task ADatasetTheCallerMayNotRead_IsRefused_AndNotInItsCatalog()
    {
        await using var connection = await OpenAsync("sam");

        var denied = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand($"SELECT * FROM {Profiles}", connection).ExecuteScalarAsync(Cancel));
        var samsTables = await TablesAsync("sam");
        var olivias = await TablesAsync("olivia");

        Assert.Equal("42501", denied.SqlState);
        Assert.DoesNotContain("customers.profiles.profiles_v1", samsTables);
        Assert.Contains("customers.profiles.profiles_v1", olivias);
    }

    [Fact]
    public async Task InformationSchemaColumns_ListTheColumnsWithTheirTypes()
    {
        await using var connection = await OpenAsync("mallory");
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'customers.profiles' AND table_name = 'profiles_v1' ORDER BY ordinal_position", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var columns = new Dictionary<string, string>();
        while (await reader.ReadAsync(Cancel))
        {
            columns[reader.GetString(0)] = reader.GetString(1);
        }

        Assert.Equal("date", columns["birth_date"]);
        Assert.Equal("text", columns["email"]);
        Assert.Equal("bigint", columns["customer_id"]);
    }

    [Fact]
    public async Task ATableNamedAsTheCatalogListsIt_IsTheDataset()
    {
        var rows = await RowsAsync("mallory", "SELECT email FROM \"customers.profiles\".\"profiles_v1\"");

        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Matches("^x+[.x]*@x+\\.x+$", (string)r[0]!));
    }

    [Fact]
    public async Task ThePurpose_SetInTheSessionOrAtStartup_IsTheReadsPurpose_OnRecord()
    {
        await using (var connection = await OpenAsync("mallory"))
        {
            await new NpgsqlCommand("SET meshwork.purpose = 'pgwire-session-purpose'", connection).ExecuteNonQueryAsync(Cancel);
            Assert.Equal("pgwire-session-purpose", await new NpgsqlCommand("SHOW meshwork.purpose", connection).ExecuteScalarAsync(Cancel));
            await new NpgsqlCommand($"SELECT count(*) FROM {Profiles}", connection).ExecuteScalarAsync(Cancel);
        }

        await using (var connection = new NpgsqlConnection(server.ConnectionString("mallory", options: "-c meshwork.purpose=pgwire-startup-purpose")))
        {
            await connection.OpenAsync(Cancel);
            await new NpgsqlCommand($"SELECT count(*) FROM {Profiles}", connection).ExecuteScalarAsync(Cancel);
        }

        var purposes = await AuditedPurposesAsync();
        Assert.Contains("pgwire-session-purpose", purposes);
        Assert.Contains("pgwire-startup-purpose", purposes);
    }

    [Fact]
    public async Task Psql_ListsAndDescribesTheTables_AndReadsGoverned()
    {
        var mallory = await PsqlAsync("mallory", $"SELECT email, country FROM {Profiles} LIMIT 3");
        var tables = await PsqlAsync("mallory", "\\dt");
        var described = await PsqlAsync("mallory", "\\d \"customers.profiles\".profiles_v1");

        Assert.Contains("| DE", mallory, StringComparison.Ordinal);
        Assert.DoesNotContain("@example.", mallory, StringComparison.Ordinal);
        Assert.Contains("profiles_v1", tables, StringComparison.Ordinal);
        Assert.Matches(@"birth_date\s*\|\s*date", described);
    }

    private async Task<NpgsqlConnection> OpenAsync(string principal)
    {
        var connection = new NpgsqlConnection(server.ConnectionString(principal));
        await connection.OpenAsync(Cancel);
        return connection;
    }

    private async Task<List<object?[]>> RowsAsync(string principal, string sql)
    {
        await using var connection = await OpenAsync(principal);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(Cancel))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private async Task<object?> ScalarAsync(string principal, string sql)
    {
        await using var connection = await OpenAsync(principal);
        return await new NpgsqlCommand(sql, connection).ExecuteScalarAsync(Cancel);
    }

    private async Task<List<(string Name, string Type)>> ColumnsAsync(string principal)
    {
        await using var connection = await OpenAsync(principal);
        await using var command = new NpgsqlCommand($"SELECT * FROM {Profiles} LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => (reader.GetName(i), reader.GetDataTypeName(i)))];
    }

    private async Task<List<string>> TablesAsync(string principal)
    {
        await using var connection = await OpenAsync(principal);
        await using var command = new NpgsqlCommand("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'", connection);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var tables = new List<string>();
        while (await reader.ReadAsync(Cancel))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private async Task<List<string?>> AuditedPurposesAsync()
    {
        using var client = server.Client("admin");
        using var audit = JsonDocument.Parse(await client.GetStringAsync("/api/v1/audit?limit=200", Cancel));
        var records = audit.RootElement.ValueKind == JsonValueKind.Array ? audit.RootElement : audit.RootElement.GetProperty("items");
        return [.. records.EnumerateArray().Select(r => r.GetProperty("entry").TryGetProperty("purpose", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null)];
    }

    /// <summary>Runs psql (PostgreSQL's own client) against the port; skipped where psql is not installed.</summary>
    private async Task<string> PsqlAsync(string principal, string command)
    {
        var psql = PsqlPaths.FirstOrDefault(File.Exists);
        Assert.SkipWhen(psql is null, "psql is not installed here (CI installs it with PostgreSQL).");
        var start = new ProcessStartInfo(psql!, ["-X", "-h", "127.0.0.1", "-p", server.PgWirePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", principal, "-d", "retail", "-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = TokenService.Open(server.DataFolder, TimeProvider.System).Issue(principal);
        start.Environment["PGSSLMODE"] = "disable";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(Cancel);
        var error = await process.StandardError.ReadToEndAsync(Cancel);
        await process.WaitForExitAsync(Cancel);
        Assert.True(process.ExitCode == 0, $"psql -c \"{command}\" failed ({process.ExitCode}): {error}");
        return output;
    }
}

/// <summary>The example served with the PostgreSQL port and a TLS certificate (a self-signed one made for the test).</summary>
public sealed class PgWireTlsFixture : ServerFixture
{
    private readonly string _certificate = Path.Combine(Path.GetTempPath(), $"meshwork-pg-{Guid.NewGuid():N}.crt");
    private readonly string _key = Path.Combine(Path.GetTempPath(), $"meshwork-pg-{Guid.NewGuid():N}.key");

    public PgWireTlsFixture()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(_certificate, certificate.ExportCertificatePem());
        File.WriteAllText(_key, rsa.ExportPkcs8PrivateKeyPem());
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Meshwork:PgWire:Port"] = "0",
        ["Meshwork:PgWire:Certificate"] = _certificate,
        ["Meshwork:PgWire:CertificateKey"] = _key,
    };

}

/// <summary>With a certificate configured, the token travels inside TLS; without one, a client that requires TLS is told no.</summary>
public sealed class PgWireTlsTests(PgWireTlsFixture server) : IClassFixture<PgWireTlsFixture>
{
    [Fact]
    public async Task WithACertificate_TheConnectionIsEncrypted_AndReadsGoverned()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = server.PgWirePort,
            Username = "mallory",
            Password = TokenService.Open(server.DataFolder, TimeProvider.System).Issue("mallory"),
            Database = "retail",
            SslMode = SslMode.Require,
            Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);

        var country = await new NpgsqlCommand("SELECT DISTINCT country FROM customers.profiles.profiles_v1", connection).ExecuteScalarAsync(TestContext.Current.CancellationToken);

        // SslMode.Require: the connection opened only because the server answered the TLS request and the handshake held.
        Assert.Equal("DE", country);
    }
}

public sealed class PgWireWithoutTlsTests(PgWireServerFixture server) : IClassFixture<PgWireServerFixture>
{
    [Fact]
    public async Task WithoutACertificate_AClientRequiringTls_IsToldNo()
    {
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString("mallory")) { SslMode = SslMode.Require };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync(TestContext.Current.CancellationToken));
    }
}
