using System.Globalization;
using System.Net;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Meshwork.Platform.Security;
using Meshwork.Server.Ports.Flight;
using Meshwork.Server.Tests.Apis;
using ModelContextProtocol.Protocol;
using Npgsql;

namespace Meshwork.Server.Tests.Ports;

/// <summary>The example served with every port on: HTTP, the PostgreSQL wire protocol (a free port), Flight and MCP.</summary>
public sealed class AllPortsFixture : ServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Meshwork:PgWire:Port"] = "0",
        [FlightPort.Setting] = FlightServerFixture.Port.ToString(CultureInfo.InvariantCulture),
    };


    public string Token(string principal) => TokenService.Open(DataFolder, TimeProvider.System).Issue(principal);
}

[CollectionDefinition(Name)]
public sealed class AllPortsGroup : ICollectionFixture<AllPortsFixture>
{
    public const string Name = "all ports";
}

/// <summary>
/// The governance tests that hold on <c>POST /api/v1/query</c> (masks and filters under every query shape, filters and
/// joins on masked values, error texts, files and catalogs), run through every port with its real client: the data
/// API over HTTP, Npgsql over the PostgreSQL wire protocol, Arrow's FlightClient, and the MCP SDK's client. A port
/// only authenticates and encodes, so each must hold exactly where the HTTP port holds.
/// </summary>
public abstract class PortBypassTests(AllPortsFixture server)
{
    private const string Profiles = "customers.profiles.profiles_v1";

    protected AllPortsFixture Server { get; } = server;

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>
    /// A query sent through this port as <paramref name="principal"/>: its rows (each value as text), or the error the
    /// port answered with. An error that is the port's own fault (HTTP 500, SQLSTATE XX000, gRPC Internal) fails the test.
    /// </summary>
    protected abstract Task<(List<Dictionary<string, string?>>? Rows, string? Error)> SendAsync(string principal, string sql);

    private async Task<List<Dictionary<string, string?>>> QueryAsync(string principal, string sql)
    {
        var (rows, error) = await SendAsync(principal, sql);
        Assert.True(error is null, $"{sql}: {error}");
        return rows!;
    }

    private async Task<string> RefusedAsync(string principal, string sql)
    {
        var (rows, error) = await SendAsync(principal, sql);
        Assert.True(rows is null, $"{sql} was answered with {rows?.Count} row(s)");
        return error!;
    }

    [Theory]
    [InlineData("SELECT * FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT e AS email, p AS phone, country FROM (SELECT email AS e, phone AS p, country FROM customers.profiles.profiles_v1) AS s")]
    [InlineData("SELECT p.email, p.phone, p.country FROM customers.profiles.profiles_v1 p JOIN customers.customer_value.customer_value_v1 v USING (customer_id)")]
    [InlineData("SELECT a.email, b.phone, a.country FROM customers.profiles.profiles_v1 a JOIN customers.profiles.profiles_v1 b ON a.customer_id = b.customer_id")]
    [InlineData("WITH c AS (SELECT email, phone, country FROM customers.profiles.profiles_v1) SELECT * FROM c")]
    [InlineData("SELECT email, phone, country FROM customers.profiles.profiles_v1 UNION ALL SELECT email, phone, country FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT email, max(phone) AS phone, max(country) AS country FROM customers.profiles.profiles_v1 GROUP BY email ORDER BY email")]
    [InlineData("SELECT lower(email) AS email, upper(phone) AS phone, country FROM customers.profiles.profiles_v1")]
    [InlineData("SELECT CAST(email AS VARCHAR) AS email, phone::VARCHAR AS phone, country FROM customers.profiles.profiles_v1")]
    public async Task NoQueryShape_ShowsMalloryAClearValueOrAnotherCountry(string sql)
    {
        var rows = await QueryAsync("mallory", sql);

        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.Equal("DE", row["country"]);
            Assert.DoesNotMatch("[a-wyzA-WYZ0-9]", row["email"]!.Replace("@", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal));
            if (row["phone"] is { } phone)
            {
                Assert.DoesNotMatch("[0-9]", phone);
            }
        }
    }

    [Fact]
    public async Task FilteringOnAMaskedColumn_FiltersOnTheMaskedValue()
    {
        var clear = await QueryAsync("olivia", $"SELECT count(*) AS n FROM {Profiles} WHERE email LIKE 'a%'");
        var masked = await QueryAsync("mallory", $"SELECT count(*) AS n FROM {Profiles} WHERE email LIKE 'a%'");

        Assert.NotEqual("0", clear[0]["n"]);
        Assert.Equal("0", masked[0]["n"]);
    }

    [Fact]
    public async Task CountingRows_CountsOnlyTheVisibleOnes()
    {
        var all = await QueryAsync("olivia", $"SELECT count(*) FILTER (WHERE country = 'DE') AS de FROM {Profiles}");
        var mallory = await QueryAsync("mallory", $"SELECT count(*) AS n, count(*) FILTER (WHERE country <> 'DE') AS other FROM {Profiles}");

        Assert.Equal(all[0]["de"], mallory[0]["n"]);
        Assert.Equal("0", mallory[0]["other"]);
    }

    [Fact]
    public async Task JoiningOnAMaskedColumn_CannotMatchClearValues()
    {
        var rows = await QueryAsync("mallory", $"SELECT count(*) AS n FROM {Profiles} WHERE email IN (SELECT 'sem.meijer@example.com')");

        Assert.Equal("0", rows[0]["n"]);
    }

    [Fact]
    public async Task Explain_IsRefused() => await RefusedAsync("mallory", $"EXPLAIN SELECT * FROM {Profiles}");

    [Fact]
    public async Task AnErrorOnAMaskedValue_DoesNotQuoteIt()
    {
        var error = await RefusedAsync("mallory", $"SELECT CAST(email AS INTEGER) AS n FROM {Profiles}");

        Assert.DoesNotContain("example", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FilesInTheDataFolder_AreRefusedHoweverNamed_AndLeakNothing()
    {
        var snapshot = Directory.GetFiles(Path.Combine(Server.DataFolder, "data"), "*.parquet", SearchOption.AllDirectories).First(f => f.Contains("profiles", StringComparison.Ordinal));
        foreach (var sql in new[]
        {
            $"SELECT * FROM '{snapshot}'",
            $"SELECT p.customer_id, f.* FROM {Profiles} p, '{snapshot}' f",
            $"SELECT * FROM read_parquet('{snapshot}')",
            // Through the PostgreSQL port's catalog route: a catalog name beside a file.
            $"SELECT pg_backend_pid() AS pid, f.* FROM read_parquet('{snapshot}') f",
            "SELECT pg_backend_pid() AS pid, f.* FROM read_csv('/etc/passwd') f",
        })
        {
            var error = await RefusedAsync("mallory", sql);

            Assert.DoesNotContain("@example.", error, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("SELECT table_schema || '.' || table_name AS name FROM information_schema.tables")]
    [InlineData("SELECT table_name || '.' || column_name AS name FROM information_schema.columns")]
    [InlineData("SELECT table_name AS name FROM duckdb_tables()")]
    [InlineData("SELECT relname AS name FROM pg_catalog.pg_class")]
    public async Task Catalogs_ShowNoDatasetTheCallerMayNotRead(string sql)
    {
        // sam (sales) may not read the customers' profiles: a port either refuses the catalog or lists only what sam may read.
        var (rows, error) = await SendAsync("sam", sql);

        Assert.True(rows is not null || error is not null);
        Assert.DoesNotContain(rows ?? [], r => r["name"]?.Contains("profiles", StringComparison.Ordinal) == true);
    }

    /// <summary>A value as the tests compare it: text, numbers in invariant form.</summary>
    protected static string? Text(object? value) => value switch
    {
        null or DBNull => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

[Collection(AllPortsGroup.Name)]
public sealed class HttpPortBypassTests(AllPortsFixture server) : PortBypassTests(server)
{
    protected override async Task<(List<Dictionary<string, string?>>? Rows, string? Error)> SendAsync(string principal, string sql)
    {
        var response = await DataApiTests.PostQueryAsync(Server.Client(principal), sql, format: "ndjson");
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        return response.IsSuccessStatusCode ? (Ndjson(body), null) : (null, body);
    }

    internal static List<Dictionary<string, string?>> Ndjson(string body) =>
        [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var row = JsonDocument.Parse(line);
            return row.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => p.Value.GetString(),
                _ => p.Value.GetRawText(),
            });
        })];
}

[Collection(AllPortsGroup.Name)]
public sealed class PgWirePortBypassTests(AllPortsFixture server) : PortBypassTests(server)
{
    protected override async Task<(List<Dictionary<string, string?>>? Rows, string? Error)> SendAsync(string principal, string sql)
    {
        await using var connection = await OpenAsync(principal);
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(Cancel);
            var rows = new List<Dictionary<string, string?>>();
            while (await reader.ReadAsync(Cancel))
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => Text(reader.GetValue(i))));
            }

            return (rows, null);
        }
        catch (PostgresException e)
        {
            Assert.NotEqual("XX000", e.SqlState);
            return (null, e.MessageText);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(string principal)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Server.PgWirePort, Username = principal, Password = Server.Token(principal), Database = "retail", SslMode = SslMode.Disable, Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync(Cancel);
        return connection;
    }
}

[Collection(AllPortsGroup.Name)]
public sealed class FlightPortBypassTests(AllPortsFixture server) : PortBypassTests(server)
{
    protected override async Task<(List<Dictionary<string, string?>>? Rows, string? Error)> SendAsync(string principal, string sql)
    {
        try
        {
            return (await ReadAsync(principal, sql), null);
        }
        catch (RpcException e)
        {
            Assert.NotEqual(StatusCode.Internal, e.StatusCode);
            Assert.NotEqual(StatusCode.Unknown, e.StatusCode);
            return (null, e.Status.Detail);
        }
    }

    private async Task<List<Dictionary<string, string?>>> ReadAsync(string principal, string sql)
    {
        using var channel = GrpcChannel.ForAddress($"http://localhost:{FlightServerFixture.Port}", new GrpcChannelOptions { HttpHandler = Server.Factory.Server.CreateHandler() });
        var client = new FlightClient(channel);
        var ticket = new FlightTicket(JsonSerializer.Serialize(new { sql }));
        using var call = client.GetStream(ticket, [new Metadata.Entry("authorization", "Bearer " + Server.Token(principal))], deadline: null, Cancel);
        var rows = new List<Dictionary<string, string?>>();
        await foreach (var batch in call.ResponseStream.WithCancellation(Cancel))
        {
            using (batch)
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    rows.Add(batch.Schema.FieldsList.Select((f, c) => (f.Name, Value: Value(batch.Column(c), i))).ToDictionary(p => p.Name, p => p.Value));
                }
            }
        }

        return rows;
    }


    private static string? Value(IArrowArray column, int row) => column.IsNull(row) ? null : column switch
    {
        StringArray text => text.GetString(row),
        StringViewArray text => text.GetString(row),
        Int64Array number => Text(number.GetValue(row)),
        Int32Array number => Text(number.GetValue(row)),
        DoubleArray number => Text(number.GetValue(row)),
        _ => column.GetType().Name,
    };
}

[Collection(AllPortsGroup.Name)]
public sealed class McpPortBypassTests(AllPortsFixture server) : PortBypassTests(server)
{
    protected override async Task<(List<Dictionary<string, string?>>? Rows, string? Error)> SendAsync(string principal, string sql)
    {
        await using var client = await McpPortTests.ConnectAsync(Server.Client(principal));
        var result = await client.CallToolAsync("query", new Dictionary<string, object?> { ["sql"] = sql, ["maxRows"] = 1000 }, cancellationToken: Cancel);
        var text = string.Join('\n', result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        return result.IsError is true ? (null, text) : (HttpPortBypassTests.Ndjson(Assert.IsType<TextContentBlock>(result.Content[0]).Text), null);
    }
}
