using System.Globalization;
using BenchmarkDotNet.Attributes;
using DuckDB.NET.Data;
using Meshwork.Platform.Serving.Formats;
using Npgsql;

namespace Meshwork.Benchmarks;

/// <summary>
/// The governed read of <see cref="HttpArrow"/> over the PostgreSQL wire protocol port instead (issue 17): the same
/// server, principal and columns, read by Npgsql in binary (what it asks for by default), every value taken with its
/// typed getter as an application would. The server is started with the port on (<see cref="PgWireSettings"/>, in <see cref="PortSettings"/>).
/// </summary>
public partial class DataApiBenchmarks
{
    /// <summary>The dataset's columns by address, as a PostgreSQL client writes the read the HTTP data API does.</summary>
    public const string PgWireQuery = $"SELECT id, customer_id, amount, country, email, created FROM {GovernedReadMesh.Address}";

    /// <summary>The port's size of one flush (PgWireSession.FlushAt), so the in-process encoding works in the same chunks.</summary>
    private const int PgFlushAt = 256 * 1024;

    private NpgsqlDataSource _pg = null!;
    private Checksum _expected;

    /// <summary>Server settings that turn the PostgreSQL wire protocol port on, at a port the system picks.</summary>
    public static IReadOnlyDictionary<string, string?> PgWireSettings { get; } = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Meshwork:PgWire:Port"] = "0" };

    /// <summary>
    /// Connections to the server's PostgreSQL port as the principal its token belongs to. Pooled, as an application's
    /// are (and as the HTTP client keeps its connection): Npgsql loads the catalog's types once, on the first open.
    /// </summary>
    public static NpgsqlDataSource PgWireDataSource(ServerHost server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = server.PgWirePort ?? throw new InvalidOperationException("The server was started without its PostgreSQL port."),
            Username = "admin",
            Password = server.Token,
            Database = "mesh",
            SslMode = SslMode.Disable,
            CommandTimeout = 600,
        }.ConnectionString);
    }

    /// <summary>
    /// SELECT over the PostgreSQL wire protocol, every row and value read (GetInt64, GetDouble, GetString,
    /// GetFieldValue&lt;DateOnly&gt;); sums of the values are checked against DuckDB's over the same snapshot, so a
    /// wrong value fails the benchmark rather than flattering it.
    /// </summary>
    [Benchmark]
    public async Task<long> PgWireBinary()
    {
        await using var connection = await _pg.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(PgWireQuery, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var sums = default(Checksum);
        while (await reader.ReadAsync())
        {
            sums.Rows++;
            sums.Ids += reader.GetInt64(0);
            sums.Customers += reader.GetInt64(1);
            sums.Amount += reader.IsDBNull(2) ? 0 : reader.GetDouble(2);
            sums.TextChars += (reader.IsDBNull(3) ? 0 : reader.GetString(3).Length) + (reader.IsDBNull(4) ? 0 : reader.GetString(4).Length);
            sums.Days += reader.GetFieldValue<DateOnly>(5).DayNumber;
        }

        return Expect(Check(sums, nameof(PgWireBinary)), nameof(PgWireBinary));
    }

    /// <summary>
    /// Diagnostic for <c>port-throughput</c>, not a benchmark: the same read with no value taken, only rows counted.
    /// Its difference to <see cref="PgWireBinary"/> is what Npgsql's typed getters cost the client.
    /// </summary>
    public async Task<long> PgWireRowsOnly()
    {
        await using var connection = await _pg.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(PgWireQuery, connection);
        await using var reader = await command.ExecuteReaderAsync();
        long rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return Expect(rows, nameof(PgWireRowsOnly));
    }

    /// <summary>
    /// Diagnostic for <c>port-throughput</c>, not a benchmark: DuckDB's streaming read (<see cref="DirectArrowStreaming"/>)
    /// with every batch encoded as the port encodes it (PgRows, binary, into a PgBuffer emptied every 256 KB), in
    /// process, with no governance, socket or client. What the port's encoding adds to DuckDB's scan.
    /// </summary>
    public async Task<long> PgRowsEncode()
    {
        using var read = await DirectStreamingReadAsync();
        var stream = read.Stream;
        var rows = new PgRows(stream.Schema, [1]);
        var buffer = new PgBuffer();
        long count = 0;
        while (await stream.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                rows.Write(batch, buffer);
                count += batch.Length;
                if (buffer.Length >= PgFlushAt)
                {
                    buffer.Clear();
                }
            }
        }

        return Expect(count, nameof(PgRowsEncode));
    }

    private void SetupPgWire()
    {
        _pg = PgWireDataSource(_server);
        using var connection = new DuckDBConnection(DirectConnection);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT count(*), CAST(sum(id) AS BIGINT), CAST(sum(customer_id) AS BIGINT), sum(amount),
                   CAST(coalesce(sum(length(country)), 0) + coalesce(sum(length(email)), 0) AS BIGINT),
                   CAST(sum(created - DATE '0001-01-01') AS BIGINT)
            FROM read_parquet('{Path.Combine(_data.Snapshot, "*.parquet")}')
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        _expected = new Checksum
        {
            Rows = reader.GetInt64(0),
            Ids = reader.GetInt64(1),
            Customers = reader.GetInt64(2),
            Amount = reader.GetDouble(3),
            TextChars = reader.GetInt64(4),
            Days = reader.GetInt64(5),
        };
    }

    private void CleanupPgWire() => _pg.Dispose();

    private long Check(Checksum read, string benchmark)
    {
        var e = _expected;
        var amountOff = Math.Abs(read.Amount - e.Amount) > 1e-9 * Math.Max(1, Math.Abs(e.Amount));
        return read.Rows != e.Rows || read.Ids != e.Ids || read.Customers != e.Customers || amountOff || read.TextChars != e.TextChars || read.Days != e.Days
            ? throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{benchmark} read values that differ from the snapshot's: rows {read.Rows} (expected {e.Rows}), sum(id) {read.Ids} ({e.Ids}), sum(customer_id) {read.Customers} ({e.Customers}), sum(amount) {read.Amount:R} ({e.Amount:R}), text chars {read.TextChars} ({e.TextChars}), date days {read.Days} ({e.Days})."))
            : read.Rows;
    }

    /// <summary>
    /// Sums over every value of the result: cheap to keep per row, and they catch a wrong value of any column. Shared by
    /// the PostgreSQL and Flight reads (DataApiBenchmarks.Flight.cs), so both are checked against the same DuckDB sums.
    /// </summary>
    private struct Checksum
    {
        public long Rows;
        public long Ids;
        public long Customers;
        public double Amount;
        public long TextChars;
        public long Days;
    }
}
