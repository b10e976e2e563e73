using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Apache.Arrow.Ipc;

namespace Meshwork.Server.Tests.Apis;

public sealed class DataApiTests(ServerFixture server) : DataApiTests<ServerFixture>(server)
{
    internal static async Task<HttpResponseMessage> PostQueryAsync(HttpClient client, string sql, string format = "ndjson", string purpose = "testing",
        CancellationToken? cancellationToken = null) =>
        await client.PostAsJsonAsync($"/api/v1/query?format={format}", new { sql, purpose }, cancellationToken ?? TestContext.Current.CancellationToken);
}

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class DataApiOnPostgresTests(PostgresServerFixture server) : DataApiTests<PostgresServerFixture>(server);

/// <summary>The same tests with the customers domain computed on a PostgreSQL engine.</summary>
public sealed class DataApiOnPostgresEngineTests(CustomersOnPostgresEngineFixture server) : DataApiTests<CustomersOnPostgresEngineFixture>(server);

public abstract class DataApiTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : ServerFixture
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_AsArrow_StreamsEveryRowOfTheCurrentSnapshot()
    {
        var expected = await PublishedRowsAsync(Profiles);

        var response = await server.Client("olivia").GetAsync(new Uri($"/api/v1/datasets/{Profiles}/data?format=arrow", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apache.arrow.stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new ArrowStreamReader(await response.Content.ReadAsStreamAsync(Cancel));
        long rows = 0;
        while (await reader.ReadNextRecordBatchAsync(Cancel) is { } batch)
        {
            rows += batch.Length;
        }

        Assert.Equal(expected, rows);
        Assert.Contains(reader.Schema.FieldsList, f => f.Name == "email");
    }

    [Fact]
    public async Task Read_AsArrow_HasOneSchemaForTheOwnerAndAReaderWhoseColumnsAreMasked()
    {
        // olivia owns the profiles; mallory reads them masked (pii-masked-outside-owner): birth_date stays a date.
        async Task<Apache.Arrow.Schema> SchemaAsync(string principal)
        {
            var response = await server.Client(principal).GetAsync(new Uri($"/api/v1/datasets/{Profiles}/data?format=arrow&purpose=marketing", UriKind.Relative), Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new ArrowStreamReader(await response.Content.ReadAsStreamAsync(Cancel));
            while (await reader.ReadNextRecordBatchAsync(Cancel) is not null)
            {
            }

            return reader.Schema;
        }

        var owner = await SchemaAsync("olivia");
        var masked = await SchemaAsync("mallory");

        Assert.Equal(owner.FieldsList.Select(f => (f.Name, f.DataType.TypeId)), masked.FieldsList.Select(f => (f.Name, f.DataType.TypeId)));
        Assert.Equal(Apache.Arrow.Types.ArrowTypeId.Date32, masked.FieldsList.Single(f => f.Name == "birth_date").DataType.TypeId);
    }

    [Fact]
    public async Task Read_AsParquet_IsAReadableParquetFile()
    {
        var expected = await PublishedRowsAsync(Profiles);

        var bytes = await server.Client("olivia").GetByteArrayAsync(new Uri($"/api/v1/datasets/{Profiles}/data?format=parquet", UriKind.Relative), Cancel);

        await using var parquet = await Parquet.ParquetReader.CreateAsync(new MemoryStream(bytes), cancellationToken: Cancel);
        long rows = 0;
        for (var i = 0; i < parquet.RowGroupCount; i++)
        {
            using var group = parquet.OpenRowGroupReader(i);
            rows += group.RowCount;
        }

        Assert.Equal(expected, rows);
        Assert.Contains(parquet.Schema.GetDataFields(), f => f.Name == "customer_id");
    }

    [Fact]
    public async Task Read_AsCsvWithColumnsAndLimit_ReturnsThoseColumnsAndRows()
    {
        var csv = await server.Client("olivia").GetStringAsync(
            new Uri($"/api/v1/datasets/{Profiles}/data?format=csv&columns=customer_id,country&limit=5", UriKind.Relative), Cancel);

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("customer_id,country", lines[0]);
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public async Task Read_AsNdjsonWithOffset_SkipsRows()
    {
        var client = server.Client("olivia");

        var all = await ReadNdjsonAsync(client, $"/api/v1/datasets/{Profiles}/data?format=ndjson&columns=customer_id");
        var paged = await ReadNdjsonAsync(client, $"/api/v1/datasets/{Profiles}/data?format=ndjson&columns=customer_id&limit=2&offset=1");

        Assert.Equal(await PublishedRowsAsync(Profiles), all.Count);
        Assert.Equal(2, paged.Count);
        Assert.All(paged, row => Assert.True(row.TryGetProperty("customer_id", out _)));
    }

    [Fact]
    public async Task Read_ByAdmin_IsAllowed()
    {
        var response = await server.Client("admin").GetAsync(new Uri($"/api/v1/datasets/{Profiles}/data?format=csv&limit=1", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Read_ByAnotherTeamWithoutAgreementOrPolicy_Is403NamingWhomToAsk()
    {
        var response = await server.Client("sam").GetAsync(new Uri($"/api/v1/datasets/{Profiles}/data?format=csv", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Contains("team-customers", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/datasets/customers.profiles.nothing_v1/data", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/datasets/customers.profiles.profiles_v1/data?format=xml", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/datasets/customers.profiles.profiles_v1/data?columns=salary", HttpStatusCode.BadRequest)]
    [InlineData("/api/v1/datasets/customers.profiles.profiles_v1/data?limit=-1", HttpStatusCode.BadRequest)]
    public async Task Read_BadRequest_IsAProblem(string path, HttpStatusCode expected)
    {
        var response = await server.Client("olivia").GetAsync(new Uri(path, UriKind.Relative), Cancel);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Query_JoinsAndAggregatesDatasetsTheCallerMayRead()
    {
        const string sql = """
            WITH p AS (SELECT customer_id, country FROM customers.profiles.profiles_v1)
            SELECT country, count(*) AS customers FROM p WHERE customer_id IN (SELECT customer_id FROM customers.profiles.profiles_v1) GROUP BY country ORDER BY country
            """;

        var rows = await QueryNdjsonAsync(server.Client("olivia"), sql);

        Assert.Equal(await PublishedRowsAsync(Profiles), rows.Sum(r => r.GetProperty("customers").GetInt64()));
    }

    [Fact]
    public async Task Query_OverADatasetTheCallerMayNotRead_Is403()
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("sam"), "SELECT count(*) FROM customers.profiles.profiles_v1");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("COPY (SELECT 1) TO '/tmp/x.csv'")]
    [InlineData("ATTACH '/tmp/x.db' AS x")]
    [InlineData("PRAGMA database_list")]
    [InlineData("SET threads = 1")]
    [InlineData("INSTALL httpfs")]
    [InlineData("LOAD httpfs")]
    [InlineData("CREATE TABLE t AS SELECT 1")]
    [InlineData("INSERT INTO customers.profiles.profiles_v1 VALUES (1)")]
    [InlineData("DELETE FROM customers.profiles.profiles_v1")]
    [InlineData("DROP VIEW customers.profiles.profiles_v1")]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("SELECT * FROM read_parquet('.mesh/data/customers/profiles/profiles_v1/*/part-0.parquet')")]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')")]
    [InlineData("SELECT email FROM 'data/customers/profiles/profiles_v1/*/part-0.parquet'")]
    [InlineData("SELECT * FROM '/etc/passwd'")]
    [InlineData("SELECT * FROM profiles_v1")]
    [InlineData("SELECT * FROM read_text('/etc/passwd')")]
    [InlineData("SELECT * FROM glob('/*')")]
    [InlineData("SELECT * FROM query('SELECT 1')")]
    [InlineData("SELECT * FROM duckdb_settings()")]
    [InlineData("SELECT * FROM (SELECT 1) AS a JOIN read_json('/etc/hosts') AS b ON true")]
    [InlineData("SELEC 1")]
    [InlineData("")]
    public async Task Query_RefusedConstruct_Is400(string sql)
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("admin"), sql);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Query_FailingOnAValue_DoesNotQuoteTheValue()
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("olivia"), "SELECT CAST(email AS INTEGER) FROM customers.profiles.profiles_v1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString()!;
        Assert.DoesNotContain("@", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_OfAnUnknownDataset_Is404()
    {
        var response = await DataApiTests.PostQueryAsync(server.Client("admin"), "SELECT * FROM customers.profiles.nothing_v1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // chunked: the size is known only while the body is read
    public async Task Query_BodyOverTheLimit_Is413NamingTheLimit_AndTheNextQueryRuns(bool withContentLength)
    {
        var client = server.Client("olivia");
        var sql = $"SELECT count(*) AS n FROM {Profiles} -- " + new string('x', 300 * 1024);
        var json = JsonSerializer.Serialize(new { sql, purpose = "testing" });
        HttpContent body = withContentLength
            ? new StringContent(json, Encoding.UTF8, "application/json")
            : new UnknownLengthContent(Encoding.UTF8.GetBytes(json));

        var response = await client.PostAsync(new Uri("/api/v1/query?format=ndjson", UriKind.Relative), body, Cancel);
        var next = await DataApiTests.PostQueryAsync(client, $"SELECT count(*) AS n FROM {Profiles}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Contains("256 KiB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Meshwork:MaxQueryBodyBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Query_BodyUnderTheLimit_Runs()
    {
        var sql = $"SELECT count(*) AS n FROM {Profiles} -- " + new string('x', 200 * 1024);

        var response = await server.Client("olivia").PostAsync(new Uri("/api/v1/query?format=ndjson", UriKind.Relative),
            new UnknownLengthContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { sql, purpose = "testing" }))), Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await PublishedRowsAsync(Profiles), Lines(await response.Content.ReadAsStringAsync(Cancel)).Single().GetProperty("n").GetInt64());
    }

    [Fact]
    public async Task OtherEndpoint_BodyOverTheGlobalLimit_Is413()
    {
        var body = new StringContent(JsonSerializer.Serialize(new { dataset = Profiles, purpose = new string('x', 1100 * 1024) }), Encoding.UTF8, "application/json");

        var response = await server.Client("mallory").PostAsync(new Uri("/api/v1/access-requests", UriKind.Relative), body, Cancel);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Meshwork:MaxRequestBodyBytes", (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> QueryNdjsonAsync(HttpClient client, string sql)
    {
        var response = await DataApiTests.PostQueryAsync(client, sql);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Lines(await response.Content.ReadAsStringAsync(Cancel));
    }

    private static async Task<List<JsonElement>> ReadNdjsonAsync(HttpClient client, string path) =>
        Lines(await client.GetStringAsync(new Uri(path, UriKind.Relative), Cancel));

    private static List<JsonElement> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(Encoding.UTF8.GetBytes(l)).RootElement)];

    private async Task<long> PublishedRowsAsync(string address)
    {
        var dataset = await server.Client("admin").GetFromJsonAsync<JsonElement>($"/api/v1/datasets/{address}", Cancel);
        var rows = dataset.GetProperty("rows").GetInt64();
        Assert.True(rows > 0);
        return rows;
    }

    /// <summary>A body sent without Content-Length.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
