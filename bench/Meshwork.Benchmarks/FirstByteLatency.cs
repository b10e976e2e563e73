using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow.Flight.Client;
using Apache.Arrow.Ipc;
using Grpc.Core;
using Npgsql;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>data-ttfb</c>: how long a governed read of the 10-million-row dataset takes to start answering. For Arrow
/// and CSV, after warm-up requests, each request is timed to its response headers, to the first body byte, and
/// to the first row decoded (the first Arrow record batch; the first CSV line after the header). The client then
/// hangs up, as a consumer reading a preview would, and before the next request waits until the server has
/// written the record of the read's end (the server also records its start, before the first byte), so no two
/// reads overlap. Over the PostgreSQL wire protocol (issue 17), the same read is timed to ExecuteReader's return
/// (the row description has arrived) and to the first row read; the client then reads the rest. Over the Arrow
/// Flight port, DoGet of the dataset is timed to the call's response headers and to the first record batch decoded;
/// the client then hangs up, as over HTTP.
/// </summary>
public static class FirstByteLatency
{
    private const int Warmup = 3;
    private static readonly TimeSpan AuditWait = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(long rows, int requests)
    {
        var data = await GovernedReadMesh.PrepareAsync(rows, Console.Out).ConfigureAwait(false);
        await using var server = await ServerHost.StartAsync(data.DataFolder, "admin", DataApiBenchmarks.PortSettings()).ConfigureAwait(false);
        await using var postgres = DataApiBenchmarks.PgWireDataSource(server);
        using var channel = DataApiBenchmarks.FlightChannel(server);
        var flight = new FlightClient(channel);
        var flightHeaders = DataApiBenchmarks.FlightHeaders(server);
        Console.WriteLine($"Server at {server.Address}, PostgreSQL port {server.PgWirePort}, Flight port {server.FlightPort}; {rows:N0} rows; {requests} requests per format after {Warmup} warm-up requests.");
        Console.WriteLine("pgwire: 'Headers' is ExecuteReader's return (RowDescription received); flight: the DoGet call's response headers. Neither has a first-byte time.");
        Console.WriteLine();
        Console.WriteLine("| Format | Headers p50 | Headers p95 | First byte p50 | First byte p95 | First row p50 | First row p95 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var format in new[] { "arrow", "csv", "pgwire", "flight" })
        {
            var (headers, firstByte, firstRow) = (new Latencies(), new Latencies(), new Latencies());
            for (var i = -Warmup; i < requests; i++)
            {
                var audited = await LatestAuditAsync(server.Client).ConfigureAwait(false);
                var (h, b, r) = format switch
                {
                    "pgwire" => await MeasurePgWireAsync(postgres).ConfigureAwait(false),
                    "flight" => await MeasureFlightAsync(flight, flightHeaders).ConfigureAwait(false),
                    _ => await MeasureAsync(server.Client, format).ConfigureAwait(false),
                };
                if (i >= 0)
                {
                    headers.Add(h);
                    if (b is { } first)
                    {
                        firstByte.Add(first);
                    }

                    firstRow.Add(r);
                }

                await WaitForAuditAsync(server.Client, audited).ConfigureAwait(false);
            }

            var bytes = firstByte.Count == 0 ? "— | —"
                : string.Create(CultureInfo.InvariantCulture, $"{firstByte.Percentile(50):0.0} ms | {firstByte.Percentile(95):0.0} ms");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {format} | {headers.Percentile(50):0.0} ms | {headers.Percentile(95):0.0} ms | {bytes} | {firstRow.Percentile(50):0.0} ms | {firstRow.Percentile(95):0.0} ms |"));
        }

        return 0;
    }

    /// <summary>
    /// A read over the PostgreSQL wire protocol on a pooled connection, timed to ExecuteReader's return and to the
    /// first row read; then the rest is read, as closing an Npgsql reader does. Not cancelled: a CancelRequest that
    /// reaches the port while it waits on a write to the client breaks the protocol stream (docs/benchmarks.md, issue 17).
    /// </summary>
    private static async Task<(TimeSpan Headers, TimeSpan? FirstByte, TimeSpan FirstRow)> MeasurePgWireAsync(NpgsqlDataSource postgres)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await postgres.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(DataApiBenchmarks.PgWireQuery, connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var described = clock.Elapsed;
        if (!await reader.ReadAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException("The read over the PostgreSQL wire protocol has no rows.");
        }

        _ = reader.GetInt64(0);
        var firstRow = clock.Elapsed;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
        }

        return (described, null, firstRow);
    }

    /// <summary>
    /// DoGet of the dataset over the Flight port, timed to the call's response headers (gRPC sends them with the first
    /// message, the schema) and to the first record batch decoded; disposing the call then cancels it, and the server
    /// stops the read, as when an HTTP client hangs up.
    /// </summary>
    private static async Task<(TimeSpan Headers, TimeSpan? FirstByte, TimeSpan FirstRow)> MeasureFlightAsync(FlightClient flight, Metadata headers)
    {
        var clock = Stopwatch.StartNew();
        using var call = flight.GetStream(DataApiBenchmarks.FlightDatasetTicket, headers);
        await call.ResponseHeadersAsync.ConfigureAwait(false);
        var described = clock.Elapsed;
        if (!await call.ResponseStream.MoveNext().ConfigureAwait(false) || call.ResponseStream.Current.Length == 0)
        {
            throw new InvalidOperationException("The Flight read has no rows.");
        }

        var firstRow = clock.Elapsed;
        call.ResponseStream.Current.Dispose();
        return (described, null, firstRow);
    }

    /// <summary>The sequence number of the newest audit record (0 when there is none) and whether it records a read's start.</summary>
    private static async Task<(long Seq, bool Started)> NewestAuditAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("api/v1/audit?limit=1").ConfigureAwait(false));
        return json.RootElement.GetArrayLength() == 0 ? (0, false)
            : (json.RootElement[0].GetProperty("seq").GetInt64(), json.RootElement[0].GetProperty("entry").GetProperty("outcome").GetString() == "started");
    }

    private static async Task<long> LatestAuditAsync(HttpClient client) => (await NewestAuditAsync(client).ConfigureAwait(false)).Seq;

    /// <summary>Waits for a record after <paramref name="previous"/> that is not a read's start: the end of the read just made.</summary>
    private static async Task WaitForAuditAsync(HttpClient client, long previous)
    {
        var clock = Stopwatch.StartNew();
        while (await NewestAuditAsync(client).ConfigureAwait(false) is var (seq, started) && (seq <= previous || started))
        {
            if (clock.Elapsed > AuditWait)
            {
                throw new TimeoutException($"The server wrote no audit record for the read within {AuditWait.TotalSeconds:0} s.");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static async Task<(TimeSpan Headers, TimeSpan FirstByte, TimeSpan FirstRow)> MeasureAsync(HttpClient client, string format)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync($"api/v1/datasets/{GovernedReadMesh.Address}/data?format={format}", HttpCompletionOption.ResponseHeadersRead)
            .ConfigureAwait(false);
        var headers = clock.Elapsed;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {format}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        await using var body = new FirstReadStream(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), clock);
        TimeSpan firstRow;
        if (format == "arrow")
        {
            using var reader = new ArrowStreamReader(body);
            using var batch = await reader.ReadNextRecordBatchAsync().ConfigureAwait(false);
            firstRow = clock.Elapsed;
            if (batch is not { Length: > 0 })
            {
                throw new InvalidOperationException("The Arrow stream has no rows.");
            }
        }
        else
        {
            // The first row is complete at the second newline (the first ends the header).
            var buffer = new byte[64 * 1024];
            var newlines = 0;
            int read;
            while (newlines < 2 && (read = await body.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                newlines += buffer.AsSpan(0, read).Count((byte)'\n');
            }

            firstRow = clock.Elapsed;
            if (newlines < 2)
            {
                throw new InvalidOperationException("The CSV has no row.");
            }
        }

        return (headers, body.FirstRead ?? throw new InvalidOperationException("No byte was read."), firstRow);
    }

    /// <summary>A read-only stream that notes the time of the first read that returned data.</summary>
    private sealed class FirstReadStream(Stream inner, Stopwatch clock) : Stream
    {
        public TimeSpan? FirstRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Note(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Note(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Note(int read)
        {
            if (read > 0 && FirstRead is null)
            {
                FirstRead = clock.Elapsed;
            }

            return read;
        }
    }
}
