using System.Globalization;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Apache.Arrow.Flight.Server;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Grpc.Net.Client;
using Meshwork.Server.Ports.Flight;
using Meshwork.Testing;

namespace Meshwork.Benchmarks;

/// <summary>
/// The governed read of <see cref="HttpArrow"/> over the Arrow Flight port instead (issue 17): the same server,
/// principal and dataset read (a ticket naming the dataset, as GET …/data names it), read with Arrow's FlightClient
/// (DoGet) over one gRPC channel kept for the run, as an application keeps its channel. The server is started with
/// both ports on (<see cref="PortSettings"/>).
/// </summary>
public partial class DataApiBenchmarks
{
    /// <summary>The dataset read of <see cref="HttpArrow"/> as a Flight ticket: every column, no purpose, no limit.</summary>
    public static readonly FlightTicket FlightDatasetTicket = new($$"""{"dataset": "{{GovernedReadMesh.Address}}"}""");

    /// <summary>DATE is days since 1970-01-01 in Arrow, and since 0001-01-01 in <see cref="Checksum.Days"/> (DuckDB's and Npgsql's sums).</summary>
    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    private GrpcChannel _flightChannel = null!;
    private FlightClient _flight = null!;
    private Metadata _flightHeaders = null!;

    /// <summary>
    /// Server settings that turn on both ports: PostgreSQL at a port the system picks, Flight at a port free now. The
    /// Flight setting takes no 0 (Kestrel binds it as an endpoint of its own), so the port is picked here; another
    /// process could take it before the server binds it, which on a benchmark machine is a risk worth taking.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> PortSettings() =>
        new Dictionary<string, string?>(PgWireSettings, StringComparer.Ordinal) { [FlightPort.Setting] = Ports.Free().ToString(CultureInfo.InvariantCulture) };

    /// <summary>
    /// A channel to the server's Flight port (h2c on loopback) with gRPC's default options, as an application opens one.
    /// A record batch is one gRPC message, and the client's default limit on a received message is 4 MB: the server
    /// sends DuckDB's streaming batches of 2,048 rows (about 130 KB here), far under it.
    /// </summary>
    public static GrpcChannel FlightChannel(ServerHost server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var port = server.FlightPort ?? throw new InvalidOperationException("The server was started without its Flight port.");
        return GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
    }

    /// <summary>The bearer header every Flight call carries: the port has no handshake.</summary>
    public static Metadata FlightHeaders(ServerHost server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return [new Metadata.Entry("authorization", "Bearer " + server.Token)];
    }

    /// <summary>
    /// DoGet of the dataset over the Flight port, every batch decoded and every value summed column by column (an
    /// Arrow client works on columns; strings are counted in UTF-16 characters without being materialized). The sums
    /// are checked against DuckDB's over the same snapshot, as <see cref="PgWireBinary"/>'s are, so a wrong value fails
    /// the benchmark rather than flattering it.
    /// </summary>
    [Benchmark]
    public async Task<long> FlightArrow()
    {
        using var call = _flight.GetStream(FlightDatasetTicket, _flightHeaders);
        var sums = default(Checksum);
        await foreach (var batch in call.ResponseStream)
        {
            using (batch)
            {
                Add(ref sums, batch);
            }
        }

        return Expect(Check(sums, nameof(FlightArrow)), nameof(FlightArrow));
    }

    /// <summary>
    /// Diagnostic for <c>port-throughput</c>, not a benchmark: the same DoGet with rows counted and no value summed,
    /// as <see cref="HttpArrow"/> reads. Its gap to <see cref="HttpArrow"/> is gRPC over HTTP/2 against an Arrow IPC
    /// body over HTTP/1.1; its gap to <see cref="FlightArrow"/> is what the sums cost the client.
    /// </summary>
    public async Task<long> FlightRowsOnly()
    {
        using var call = _flight.GetStream(FlightDatasetTicket, _flightHeaders);
        long rows = 0;
        await foreach (var batch in call.ResponseStream)
        {
            using (batch)
            {
                rows += batch.Length;
            }
        }

        return Expect(rows, nameof(FlightRowsOnly));
    }

    /// <summary>
    /// Diagnostic for <c>port-throughput</c>, not a benchmark: DuckDB's streaming read (<see cref="DirectArrowStreaming"/>)
    /// with every batch written by Arrow's Flight server writer (the one the port's DoGet writes to) into a sink that
    /// drops each message, in process: no governance, protobuf serialization, HTTP/2 or client. What Flight's encoding
    /// (Arrow IPC into a MemoryStream, copied into the message's ByteString) adds to DuckDB's scan.
    /// </summary>
    public async Task<long> FlightEncode()
    {
        using var read = await DirectStreamingReadAsync();
        var stream = read.Stream;
        var sink = new DroppedFlightData();
        var writer = new FlightServerRecordBatchStreamWriter(sink);
        await writer.SetupStream(stream.Schema);
        long rows = 0;
        while (await stream.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                await writer.WriteAsync(batch);
                rows += batch.Length;
            }
        }

        return sink.Bytes > 0 ? Expect(rows, nameof(FlightEncode)) : throw new InvalidOperationException("Flight's writer sent no data.");
    }

    private void SetupFlight()
    {
        _flightChannel = FlightChannel(_server);
        _flight = new FlightClient(_flightChannel);
        _flightHeaders = FlightHeaders(_server);
    }

    private void CleanupFlight() => _flightChannel.Dispose();

    /// <summary>Adds a batch's values to the sums <see cref="Check"/> compares, each column as one span.</summary>
    private static void Add(ref Checksum sums, RecordBatch batch)
    {
        sums.Rows += batch.Length;
        sums.Ids += Sum(Column<Int64Array>(batch, "id"));
        sums.Customers += Sum(Column<Int64Array>(batch, "customer_id"));
        var amount = Column<DoubleArray>(batch, "amount");
        var values = amount.Values;
        for (var i = 0; i < values.Length; i++)
        {
            sums.Amount += amount.NullCount == 0 || amount.IsValid(i) ? values[i] : 0;
        }

        sums.TextChars += Chars(Column<StringArray>(batch, "country")) + Chars(Column<StringArray>(batch, "email"));
        var created = Column<Date32Array>(batch, "created");
        if (created.NullCount > 0)
        {
            throw new InvalidOperationException("The Flight read has a NULL date; PgWireBinary's check reads the column as never NULL.");
        }

        long days = 0;
        foreach (var day in created.Values)
        {
            days += day;
        }

        sums.Days += days + ((long)UnixEpochDay * created.Length);
    }

    private static long Sum(Int64Array array)
    {
        long sum = 0;
        var values = array.Values;
        for (var i = 0; i < values.Length; i++)
        {
            sum += array.NullCount == 0 || array.IsValid(i) ? values[i] : 0;
        }

        return sum;
    }

    /// <summary>UTF-16 characters of the non-null strings (string.Length, as PgWireBinary counts): all the value bytes at once, less any bytes under a NULL.</summary>
    private static long Chars(StringArray array)
    {
        var offsets = array.ValueOffsets;
        var bytes = array.Values;
        long chars = Encoding.UTF8.GetCharCount(bytes[offsets[0]..offsets[^1]]);
        for (var i = 0; array.NullCount > 0 && i < array.Length; i++)
        {
            chars -= array.IsValid(i) ? 0 : Encoding.UTF8.GetCharCount(bytes[offsets[i]..offsets[i + 1]]);
        }

        return chars;
    }

    /// <summary>A gRPC response stream that drops what is written, keeping only the size of the Arrow bodies.</summary>
    private sealed class DroppedFlightData : IServerStreamWriter<FlightData>
    {
        public long Bytes { get; private set; }

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(FlightData message)
        {
            Bytes += message.DataBody?.Length ?? 0;
            return Task.CompletedTask;
        }
    }

    private static T Column<T>(RecordBatch batch, string name)
        where T : class, IArrowArray
    {
        var index = batch.Schema.GetFieldIndex(name);
        return index >= 0 && batch.Column(index) is T array
            ? array
            : throw new InvalidOperationException($"The Flight read's column '{name}' is {(index < 0 ? "missing" : batch.Column(index).Data.DataType.Name)}, not {typeof(T).Name}.");
    }
}
