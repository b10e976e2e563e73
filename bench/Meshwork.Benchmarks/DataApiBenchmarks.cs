using Apache.Arrow.Ipc;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using DuckDB.NET.Data;
using Parquet;

namespace Meshwork.Benchmarks;

/// <summary>
/// A governed read of a 10-million-row dataset through the real server (Kestrel on loopback, bearer token,
/// access plan, governed DuckDB view, streaming encoder, audit record) against DuckDB reading the same Parquet
/// snapshot in process. Target: Arrow over HTTP ≥ 0.8× the direct throughput. Every benchmark checks it got
/// every row. Client and server share the process (and the machine's cores). The same read over the PostgreSQL
/// wire protocol port is in DataApiBenchmarks.PgWire.cs, over the Arrow Flight port in DataApiBenchmarks.Flight.cs.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jobs))]
public partial class DataApiBenchmarks
{
    private const string DirectConnection = "Data Source=:memory:;autoinstall_known_extensions=false;autoload_known_extensions=false";
    private const int ReadBuffer = 1 << 20;

    private static readonly string[] Columns = ["id", "customer_id", "amount", "country", "email", "created"];

    private GovernedReadData _data = null!;
    private ServerHost _server = null!;
    private string _download = string.Empty;

    [Params(10_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = GovernedReadMesh.PrepareAsync(Rows, Console.Out).GetAwaiter().GetResult();
        _server = ServerHost.StartAsync(_data.DataFolder, "admin", PortSettings()).GetAwaiter().GetResult();
        _download = Path.Combine(Path.GetTempPath(), $"meshwork-bench-download-{Guid.NewGuid():N}.parquet");
        SetupPgWire();
        SetupFlight();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CleanupFlight();
        CleanupPgWire();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        File.Delete(_download);
    }

    /// <summary>
    /// DuckDB in process, straight over the snapshot's Parquet files, every Arrow batch read; DuckDB.NET's default
    /// (materializing) mode, as the server's engine uses.
    /// </summary>
    [Benchmark(Baseline = true)]
    public async Task<long> DirectArrow()
    {
        using var connection = new DuckDBConnection(DirectConnection);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{Path.Combine(_data.Snapshot, "*.parquet")}')";
        using var stream = command.ExecuteArrowStream();
        return Expect(await CountAsync(stream), nameof(DirectArrow));
    }

    /// <summary>
    /// As <see cref="DirectArrow"/> with DuckDB.NET's streaming mode: DuckDB hands out batches as it produces them
    /// instead of materializing the whole result first (the server's engine does not set it on 2026-11-25).
    /// </summary>
    [Benchmark]
    public async Task<long> DirectArrowStreaming()
    {
        using var connection = new DuckDBConnection(DirectConnection);
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{Path.Combine(_data.Snapshot, "*.parquet")}')";
        command.UseStreamingMode = true;
        using var stream = command.ExecuteArrowStream();
        return Expect(await CountAsync(stream), nameof(DirectArrowStreaming));
    }

    /// <summary>DuckDB's streaming read of the benchmark's columns from the snapshot, as the encoding diagnostics start from it.</summary>
    private async Task<DirectRead> DirectStreamingReadAsync()
    {
        var connection = new DuckDBConnection(DirectConnection);
        await connection.OpenAsync();
        var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", Columns)} FROM read_parquet('{Path.Combine(_data.Snapshot, "*.parquet")}')";
        command.UseStreamingMode = true;
        return new DirectRead(connection, command, command.ExecuteArrowStream());
    }

    /// <summary>A direct read's stream, with the command and connection it needs until it is disposed.</summary>
    private sealed class DirectRead(DuckDBConnection connection, DuckDBCommand command, Apache.Arrow.Ipc.IArrowArrayStream stream) : IDisposable
    {
        public Apache.Arrow.Ipc.IArrowArrayStream Stream => stream;

        public void Dispose()
        {
            stream.Dispose();
            command.Dispose();
            connection.Dispose();
        }
    }

    /// <summary>
    /// The SQL the server ran for this read on 2026-11-25, in process without HTTP: a view over the snapshot
    /// holding the dataset's columns (what <c>DuckDbEngine.ServeAsync</c> creates), the session locked down the
    /// same way, and the read wrapped in the row limit (<c>GovernedResult</c>, default MaxRows 50,000,000). Tells
    /// the cost of the governed SQL apart from the cost of the transport and the encoders.
    /// </summary>
    [Benchmark]
    public async Task<long> DirectGovernedSql()
    {
        using var connection = new DuckDBConnection(DirectConnection);
        await connection.OpenAsync();
        var columns = string.Join(", ", Columns.Select(c => $"\"{c}\""));
        var folder = Path.GetFullPath(_data.DataFolder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var statement in new[]
        {
            "ATTACH ':memory:' AS sales",
            "CREATE SCHEMA sales.orders",
            $"CREATE VIEW sales.orders.orders_v1 AS SELECT {columns} FROM read_parquet('{Path.Combine(_data.Snapshot, "*.parquet")}')",
            $"SET allowed_directories = ['{folder}']",
            "SET enable_external_access = false",
            "SET lock_configuration = true",
        })
        {
            using var setup = connection.CreateCommand();
            setup.CommandText = statement;
            await setup.ExecuteNonQueryAsync();
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM (\nSELECT {columns} FROM \"sales\".\"orders\".\"orders_v1\"\n) AS consumer_query LIMIT 50000001";
        using var stream = command.ExecuteArrowStream();
        return Expect(await CountAsync(stream), nameof(DirectGovernedSql));
    }

    /// <summary>GET …/data?format=arrow, decoded with <see cref="ArrowStreamReader"/> batch by batch.</summary>
    [Benchmark]
    public async Task<long> HttpArrow()
    {
        using var response = await GetAsync("arrow");
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new ArrowStreamReader(body);
        return Expect(await CountAsync(reader), nameof(HttpArrow));
    }

    /// <summary>GET …/data?format=parquet saved to a file (a Parquet footer is at the end), rows counted from the footer.</summary>
    [Benchmark]
    public async Task<long> HttpParquet()
    {
        using (var response = await GetAsync("parquet"))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await using var file = new FileStream(_download, FileMode.Create, FileAccess.Write, FileShare.None, ReadBuffer, useAsync: true);
            await body.CopyToAsync(file, ReadBuffer);
        }

        await using var saved = File.OpenRead(_download);
        await using var parquet = await ParquetReader.CreateAsync(saved);
        long rows = 0;
        for (var g = 0; g < parquet.RowGroupCount; g++)
        {
            using var group = parquet.OpenRowGroupReader(g);
            rows += group.RowCount;
        }

        return Expect(rows, nameof(HttpParquet));
    }

    /// <summary>GET …/data?format=csv read to the end; rows are the lines after the header.</summary>
    [Benchmark]
    public async Task<long> HttpCsv() => Expect(await CountLinesAsync("csv") - 1, nameof(HttpCsv));

    /// <summary>GET …/data?format=ndjson read to the end; one line per row.</summary>
    [Benchmark]
    public async Task<long> HttpNdjson() => Expect(await CountLinesAsync("ndjson"), nameof(HttpNdjson));

    private async Task<HttpResponseMessage> GetAsync(string format)
    {
        var response = await _server.Client.GetAsync($"api/v1/datasets/{GovernedReadMesh.Address}/data?format={format}", HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync();
            response.Dispose();
            throw new InvalidOperationException($"GET {format}: {(int)response.StatusCode} {problem}");
        }

        return response;
    }

    private async Task<long> CountLinesAsync(string format)
    {
        using var response = await GetAsync(format);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[ReadBuffer];
        long lines = 0;
        var last = (byte)'\n';
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            lines += span.Count((byte)'\n');
            last = span[^1];
        }

        // A last line without its newline is still a line.
        return last == '\n' ? lines : lines + 1;
    }

    private static async Task<long> CountAsync(IArrowArrayStream stream)
    {
        long rows = 0;
        while (await stream.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                rows += batch.Length;
            }
        }

        return rows;
    }

    private long Expect(long rows, string benchmark) =>
        rows == Rows ? rows : throw new InvalidOperationException($"{benchmark} read {rows:N0} rows, expected {Rows:N0}.");

    /// <summary>
    /// One read takes seconds (the text formats tens of seconds on a loaded 2-core machine), so one invocation per
    /// iteration, one warm-up and three iterations keep the whole run under 10 minutes. Server GC, as the server
    /// ships (Meshwork.Server.csproj). The generated project builds the server and all it references: on a busy
    /// machine that takes longer than BenchmarkDotNet's default build timeout of 2 minutes.
    /// </summary>
    public sealed class Jobs : ManualConfig
    {
        public Jobs()
        {
            AddJob(Job.Default.WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1).WithGcServer(true));
            WithBuildTimeout(TimeSpan.FromMinutes(10));
        }
    }
}
