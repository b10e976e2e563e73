using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Server;
using Grpc.Core;
using Meshwork.Model;
using Meshwork.Platform.Serving;
using Meshwork.Server.Hosting;

namespace Meshwork.Server.Ports.Flight;

/// <summary>
/// The Arrow Flight service: datasets and SQL queries as Arrow record batches over gRPC, for pyarrow, ADBC-style
/// clients and anything else that speaks Flight. Like every port it authenticates (a platform bearer token in the
/// <c>authorization</c> call header) and encodes; each read is the caller's governed read through
/// <see cref="ServedMesh.ReadAsync(ReadRequest, CancellationToken)"/> with the channel <c>flight</c>, decided and
/// audited there. The port is read-only: data is published by product pipelines, never put by a client.
/// </summary>
internal sealed class MeshworkFlightServer(ServedMesh served, PlatformTokens tokens, MeshMetrics metrics) : FlightServer
{
    private const string Bearer = "Bearer ";

    /// <summary>A dataset's (or query's) governed schema and a ticket to read it; the schema is the one every reader gets.</summary>
    public override Task<FlightInfo> GetFlightInfo(FlightDescriptor request, ServerCallContext context) => Mapped(async () =>
    {
        var principal = await AuthenticateAsync(context);
        var read = FlightReadRequest.FromDescriptor(request);
        var schema = await SchemaAsync(principal, read, context);
        return new FlightInfo(schema, request, [new FlightEndpoint(new FlightTicket(read.ToBytes()), [])], totalRecords: -1, totalBytes: -1);
    });

    public override Task<Schema> GetSchema(FlightDescriptor request, ServerCallContext context) => Mapped(async () =>
    {
        var principal = await AuthenticateAsync(context);
        return await SchemaAsync(principal, FlightReadRequest.FromDescriptor(request), context);
    });

    /// <summary>Streams the ticket's read: the governed schema, then its record batches, each counted against the byte limit before it is sent.</summary>
    public override Task DoGet(FlightTicket ticket, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context) => Mapped(async () =>
    {
        var principal = await AuthenticateAsync(context);
        var read = FlightReadRequest.FromTicket(ticket);
        var cancellationToken = context.CancellationToken;
        await using var result = await served.ReadAsync(read.For(principal), cancellationToken);
        try
        {
            var schema = await result.StartAsync(cancellationToken);
            await responseStream.SetupStream(schema);
            await foreach (var batch in result.ReadAsync(cancellationToken))
            {
                result.Sent(BufferBytes(batch));
                await responseStream.WriteAsync(batch);
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The client hung up, most often while a batch was being written: on record as such, not as a complete read.
            result.Fail("aborted", "the client went away");
            throw;
        }
        finally
        {
            metrics.Served(result.Plans.Select(p => p.Address), result.Rows, result.Bytes);
        }

        return true;
    });

    /// <summary>
    /// One flight per published dataset the caller may read (the platform decides which), optionally those whose address
    /// starts with the criteria's text (<c>customers.</c>). Each names its dataset and carries a ticket; its schema is
    /// left empty, since giving it would read every dataset: GetFlightInfo or GetSchema give one dataset's.
    /// </summary>
    public override Task ListFlights(FlightCriteria request, IAsyncStreamWriter<FlightInfo> responseStream, ServerCallContext context) => Mapped(async () =>
    {
        var principal = await AuthenticateAsync(context);
        var prefix = request.Expression.ToStringUtf8().Trim();
        var empty = new Schema.Builder().Build();
        foreach (var dataset in await served.ReadableDatasetsAsync(principal, ReadChannels.Flight, context.CancellationToken))
        {
            if (!dataset.Address.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            // Readable only under an agreement: the descriptor and ticket state its purpose, as the read must.
            var read = new FlightReadRequest { Dataset = dataset.Address, Purpose = dataset.Purpose };
            var descriptor = dataset.Purpose is null ? FlightDescriptor.CreatePathDescriptor(dataset.Address) : FlightDescriptor.CreateCommandDescriptor(read.ToBytes().ToByteArray());
            await responseStream.WriteAsync(new FlightInfo(empty, descriptor, [new FlightEndpoint(new FlightTicket(read.ToBytes()), [])], totalRecords: -1, totalBytes: -1));
        }

        return true;
    });

    public override Task DoPut(FlightServerRecordBatchStreamReader requestStream, IAsyncStreamWriter<FlightPutResult> responseStream, ServerCallContext context) =>
        Task.FromException(Unimplemented("DoPut: Meshwork's Flight port is read-only; data is published by product pipelines (mesh apply, product runs)."));

    public override Task DoExchange(FlightServerRecordBatchStreamReader requestStream, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context) =>
        Task.FromException(Unimplemented("DoExchange: Meshwork's Flight port is read-only and takes no data; read with DoGet."));

    public override Task DoAction(FlightAction request, IAsyncStreamWriter<FlightResult> responseStream, ServerCallContext context) =>
        Task.FromException(Unimplemented($"DoAction '{request.Type}': Meshwork's Flight port has no actions; read with GetFlightInfo and DoGet."));

    public override Task ListActions(IAsyncStreamWriter<FlightActionType> responseStream, ServerCallContext context) =>
        Task.FromException(Unimplemented("ListActions: Meshwork's Flight port has no actions; read with GetFlightInfo and DoGet."));

    public override Task Handshake(IAsyncStreamReader<FlightHandshakeRequest> requestStream, IAsyncStreamWriter<FlightHandshakeResponse> responseStream, ServerCallContext context) =>
        Task.FromException(Unimplemented("Handshake: Meshwork's Flight port has none; send a platform token (mesh token PRINCIPAL) as the header 'authorization: Bearer <token>' of every call."));

    /// <summary>
    /// The governed schema of a read: the read is started (planned, audited as started) for its schema and closed
    /// without a row read; its completion record says so. Starting it is what makes the schema the caller's own.
    /// </summary>
    private async Task<Schema> SchemaAsync(Principal principal, FlightReadRequest read, ServerCallContext context)
    {
        await using var result = await served.ReadAsync(read.For(principal), context.CancellationToken);
        var schema = await result.StartAsync(context.CancellationToken);
        result.Note("schema only (Flight GetFlightInfo or GetSchema): no rows were read");
        return schema;
    }

    /// <summary>The principal of the call's platform token; a call without a valid one is refused before anything is read.</summary>
    private async Task<Principal> AuthenticateAsync(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) || header.AsMemory(Bearer.Length).Trim().IsEmpty)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                "The Flight call has no platform token: send the header 'authorization: Bearer <token>' with a token from 'mesh token PRINCIPAL'."));
        }

        var id = await tokens.ValidateAsync(header.AsMemory(Bearer.Length).Trim())
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                "The bearer token is not valid: not signed with this data folder's key, not for Meshwork, or expired. Get a new one with 'mesh token PRINCIPAL'."));
        return await served.FindPrincipalAsync(id, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, $"The token's principal '{id}' is not in people.yaml."));
    }

    /// <summary>Runs a call, answering the platform's refusals with the gRPC status a Flight client expects and their message.</summary>
    private static async Task<T> Mapped<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ServingException e)
        {
            throw new RpcException(new Status(StatusOf(e.Error), e.Message));
        }
    }

    private static StatusCode StatusOf(ServingError error) => error switch
    {
        ServingError.Forbidden => StatusCode.PermissionDenied,
        ServingError.NotFound => StatusCode.NotFound,
        ServingError.BadRequest => StatusCode.InvalidArgument,
        ServingError.LimitExceeded or ServingError.TooManyRequests => StatusCode.ResourceExhausted,
        ServingError.Failed => StatusCode.Unavailable,
        ServingError.Conflict => StatusCode.FailedPrecondition,
        _ => StatusCode.Internal,
    };

    private static RpcException Unimplemented(string message) => new(new Status(StatusCode.Unimplemented, message));

    /// <summary>The bytes a batch holds in its Arrow buffers (children and dictionaries included): what sending it costs, near enough.</summary>
    private static long BufferBytes(RecordBatch batch) => batch.Arrays.Sum(a => BufferBytes(a.Data));

    private static long BufferBytes(ArrayData data) =>
        (data.Buffers?.Sum(b => (long)b.Length) ?? 0) + (data.Children?.Sum(BufferBytes) ?? 0) + (data.Dictionary is { } dictionary ? BufferBytes(dictionary) : 0);
}
