using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow.Ipc;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>data-ttfb</c>: how long a governed read of the 10-million-row dataset takes to start answering. For Arrow
/// and CSV, after warm-up requests, each request is timed to its response headers, to the first body byte, and
/// to the first row decoded (the first Arrow record batch; the first CSV line after the header). The client then
/// hangs up, as a consumer reading a preview would, and before the next request waits until the server has
/// written the read's audit record (it does when the read ends), so no two reads overlap.
/// </summary>
public static class FirstByteLatency
{
    private const int Warmup = 3;
    private static readonly TimeSpan AuditWait = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(long rows, int requests)
    {
        var data = await GovernedReadMesh.PrepareAsync(rows, Console.Out).ConfigureAwait(false);
        await using var server = await ServerHost.StartAsync(data.DataFolder, "admin").ConfigureAwait(false);
        Console.WriteLine($"Server at {server.Address}; {rows:N0} rows; {requests} requests per format after {Warmup} warm-up requests.");
        Console.WriteLine();
        Console.WriteLine("| Format | Headers p50 | Headers p95 | First byte p50 | First byte p95 | First row p50 | First row p95 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var format in new[] { "arrow", "csv" })
        {
            var (headers, firstByte, firstRow) = (new Latencies(), new Latencies(), new Latencies());
            for (var i = -Warmup; i < requests; i++)
            {
                var audited = await LatestAuditAsync(server.Client).ConfigureAwait(false);
                var (h, b, r) = await MeasureAsync(server.Client, format).ConfigureAwait(false);
                if (i >= 0)
                {
                    headers.Add(h);
                    firstByte.Add(b);
                    firstRow.Add(r);
                }

                await WaitForAuditAsync(server.Client, audited).ConfigureAwait(false);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {format} | {headers.Percentile(50):0.0} ms | {headers.Percentile(95):0.0} ms | {firstByte.Percentile(50):0.0} ms | {firstByte.Percentile(95):0.0} ms | {firstRow.Percentile(50):0.0} ms | {firstRow.Percentile(95):0.0} ms |"));
        }

        return 0;
    }

    /// <summary>The sequence number of the newest audit record, 0 when there is none.</summary>
    private static async Task<long> LatestAuditAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("api/v1/audit?limit=1").ConfigureAwait(false));
        return json.RootElement.GetArrayLength() == 0 ? 0 : json.RootElement[0].GetProperty("seq").GetInt64();
    }

    private static async Task WaitForAuditAsync(HttpClient client, long previous)
    {
        var clock = Stopwatch.StartNew();
        while (await LatestAuditAsync(client).ConfigureAwait(false) <= previous)
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
