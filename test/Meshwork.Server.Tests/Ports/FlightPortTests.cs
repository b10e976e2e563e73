using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Apache.Arrow.Types;
using Grpc.Core;
using Grpc.Net.Client;
using Meshwork.Platform.Security;
using Meshwork.Server.Ports.Flight;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Configuration;

namespace Meshwork.Server.Tests.Ports;

/// <summary>The example served with the Flight port on (<c>Meshwork:Flight:Port</c>), in-process.</summary>
public sealed class FlightServerFixture : ServerFixture
{
    /// <summary>The Flight port: the in-process server binds nothing, but the Flight service answers only calls addressed to it.</summary>
    public const int Port = 8815;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { [FlightPort.Setting] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}

/// <summary>
/// The Arrow Flight port with Arrow's own FlightClient over a gRPC channel: governed reads as the caller (mallory masked
/// and filtered, olivia clear), one schema for every reader, SQL commands, tickets replayed from GetFlightInfo, the
/// listing of what the caller may read, gRPC statuses for refusals, the audit record, and Kestrel listening on the port.
/// </summary>
public sealed class FlightPortTests(FlightServerFixture server) : IClassFixture<FlightServerFixture>
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DoGet_Profiles_IsMaskedAndFilteredForMallory_ClearForOlivia()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);

        var (_, mallory) = await ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}", "purpose": "marketing"}"""), Headers("mallory"));
        var (_, olivia) = await ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}"}"""), Headers("olivia"));

        Assert.NotEmpty(mallory);
        Assert.True(olivia.Count > mallory.Count, $"olivia read {olivia.Count} rows, mallory {mallory.Count}");
        Assert.All(mallory, r => Assert.Equal("DE", r["country"]));
        Assert.All(mallory, r => Assert.Matches("^x+[.x]*@x+\\.x+$", r["email"]!));
        Assert.Contains(olivia, r => r["email"]!.Contains("@example.", StringComparison.Ordinal));
        Assert.Contains(olivia, r => r["country"] != "DE");
    }

    [Fact]
    public async Task GetFlightInfo_OfADatasetPath_GivesTheSchemaAndATicketThatDoGetReplays()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var headers = Headers("olivia");

        var info = await client.GetInfo(FlightDescriptor.CreatePathDescriptor(Profiles), headers).ResponseAsync;
        var endpoint = Assert.Single(info.Endpoints);
        var (schema, rows) = await ReadAsync(client, endpoint.Ticket, headers);

        Assert.Equal(Describe(info.Schema), Describe(schema));
        Assert.Contains("email", schema.FieldsList.Select(f => f.Name));
        Assert.NotEmpty(rows);
    }

    [Fact]
    public async Task Schema_OfADataset_IsTheSameForEveryReader_InGetSchemaAndDoGet()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var descriptor = FlightDescriptor.CreatePathDescriptor(Profiles);

        var olivia = await client.GetSchema(descriptor, Headers("olivia")).ResponseAsync;
        var mallory = await client.GetSchema(descriptor, Headers("mallory")).ResponseAsync;
        var (streamed, _) = await ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}", "purpose": "marketing"}"""), Headers("mallory"));

        Assert.NotEmpty(olivia.FieldsList);
        Assert.Equal(Describe(olivia), Describe(mallory));
        Assert.Equal(Describe(olivia), Describe(streamed));
    }

    [Fact]
    public async Task SqlCommand_IsReadAsAQuery_ThroughGetFlightInfoOrAsATicketOfItsOwn()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var headers = Headers("mallory");
        var sql = $"SELECT email, country FROM {Profiles}";

        var info = await client.GetInfo(FlightDescriptor.CreateCommandDescriptor(sql), headers).ResponseAsync;
        var (_, replayed) = await ReadAsync(client, Assert.Single(info.Endpoints).Ticket, headers);
        var (schema, direct) = await ReadAsync(client, new FlightTicket(sql), headers);

        Assert.Equal(["email", "country"], info.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(["email", "country"], schema.FieldsList.Select(f => f.Name));
        Assert.NotEmpty(direct);
        Assert.Equal(direct.Count, replayed.Count);
        Assert.All(direct, r => Assert.Equal("DE", r["country"]));
        Assert.All(direct, r => Assert.Matches("^x+[.x]*@x+\\.x+$", r["email"]!));
    }

    [Fact]
    public async Task Calls_WithoutAToken_OrWithABadOne_AreUnauthenticated()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var ticket = new FlightTicket($$"""{"dataset": "{{Profiles}}"}""");

        var none = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, ticket, []));
        var bad = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, ticket, [new Metadata.Entry("authorization", "Bearer not-a-token")]));
        var listed = await Assert.ThrowsAsync<RpcException>(() => ListAsync(client, []));

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Contains("authorization: Bearer", none.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, bad.StatusCode);
        Assert.Contains("not valid", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, listed.StatusCode);
    }

    [Fact]
    public async Task Refusals_AreTheirGrpcStatus_WithTheirReason_AndLeakNothing()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);

        var file = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, new FlightTicket("SELECT * FROM read_csv('/etc/passwd')"), Headers("olivia")));
        var denied = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}"}"""), Headers("sam")));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.GetInfo(FlightDescriptor.CreatePathDescriptor("customers.profiles.nothing_v1"), Headers("olivia")).ResponseAsync);
        var misspelt = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}", "colums": ["email"]}"""), Headers("olivia")));

        Assert.Equal(StatusCode.InvalidArgument, file.StatusCode);
        Assert.DoesNotContain("root:", file.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("'sam' may not read", denied.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, misspelt.StatusCode);
        Assert.Contains("colums", misspelt.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListFlights_ListsOnlyWhatTheCallerMayRead_EachWithATicketThatReads()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);

        var olivia = await ListAsync(client, Headers("olivia"));
        var sam = await ListAsync(client, Headers("sam"));
        var admin = await ListAsync(client, Headers("admin"));
        var customers = await ListAsync(client, Headers("admin"), "customers.");

        var oliviaAddresses = olivia.Select(f => Assert.Single(f.Descriptor.Paths)).ToList();
        var samAddresses = sam.Select(f => Assert.Single(f.Descriptor.Paths)).ToList();
        var adminAddresses = admin.Select(f => Assert.Single(f.Descriptor.Paths)).ToList();
        Assert.Contains(Profiles, oliviaAddresses);
        Assert.All(oliviaAddresses, a => Assert.StartsWith("customers.", a, StringComparison.Ordinal));
        Assert.DoesNotContain(Profiles, samAddresses);
        Assert.NotEmpty(samAddresses);
        Assert.Subset(adminAddresses.ToHashSet(), oliviaAddresses.Concat(samAddresses).ToHashSet());
        Assert.True(adminAddresses.Count > oliviaAddresses.Count + samAddresses.Count, string.Join(", ", adminAddresses));
        Assert.Equal(adminAddresses.Where(a => a.StartsWith("customers.", StringComparison.Ordinal)), customers.Select(f => Assert.Single(f.Descriptor.Paths)));

        var profiles = olivia.Single(f => f.Descriptor.Paths.Single() == Profiles);
        var (_, rows) = await ReadAsync(client, Assert.Single(profiles.Endpoints).Ticket, Headers("olivia"));
        Assert.NotEmpty(rows);
    }

    [Fact]
    public async Task ListFlights_ADatasetReadableUnderAnAgreementOnly_IsListedWithItsPurpose_WhichItsTicketStates()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var requested = await server.Client("nina").PostAsJsonAsync("/api/v1/access-requests", new { dataset = Profiles, purpose = "reporting" }, Cancel);
        var id = (await requested.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString();
        var approved = await server.Client("olivia").PostAsJsonAsync($"/api/v1/access-requests/{id}/approve", new { }, Cancel);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        var flights = await ListAsync(client, Headers("nina"));
        var profiles = Assert.Single(flights, f => f.Descriptor.Type == FlightDescriptorType.Command && f.Descriptor.Command.ToStringUtf8().Contains(Profiles, StringComparison.Ordinal));
        var (_, rows) = await ReadAsync(client, Assert.Single(profiles.Endpoints).Ticket, Headers("nina"));
        var withoutPurpose = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}"}"""), Headers("nina")));

        Assert.Contains("\"purpose\":\"reporting\"", profiles.Descriptor.Command.ToStringUtf8(), StringComparison.Ordinal);
        Assert.NotEmpty(rows);
        Assert.Equal(StatusCode.PermissionDenied, withoutPurpose.StatusCode);
    }

    [Fact]
    public async Task DoGet_IsAudited_AsTheCallersRead_AndGetFlightInfoAsASchemaOnlyRead()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var purpose = "flight-audit-" + Guid.NewGuid().ToString("N");
        var request = $$"""{"dataset": "{{Profiles}}", "purpose": "{{purpose}}", "limit": 3}""";

        var info = await client.GetInfo(FlightDescriptor.CreateCommandDescriptor(request), Headers("olivia")).ResponseAsync;
        var (_, rows) = await ReadAsync(client, Assert.Single(info.Endpoints).Ticket, Headers("olivia"));

        var records = await AuditAsync(purpose);
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal("olivia", r.GetProperty("principal").GetString()));
        Assert.All(records, r => Assert.Equal("read", r.GetProperty("action").GetString()));
        Assert.All(records, r => Assert.Equal(Profiles, r.GetProperty("resource").GetString()));
        var (read, readStarted, schemaOnly, schemaStarted) = (records[0], records[1], records[2], records[3]);
        Assert.Equal("started", schemaStarted.GetProperty("outcome").GetString());
        Assert.Contains("schema only", schemaOnly.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(0, schemaOnly.GetProperty("rows").GetInt64());
        Assert.Equal("started", readStarted.GetProperty("outcome").GetString());
        Assert.Equal("allowed", read.GetProperty("outcome").GetString());
        Assert.Equal(3, rows.Count);
        Assert.Equal(rows.Count, read.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task DoGet_AbandonedByTheClient_IsOnRecordAsAborted()
    {
        await using var kestrel = await KestrelServer.StartAsync(server.DataFolder);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{kestrel.FlightPort}");
        var purpose = "flight-abandon-" + Guid.NewGuid().ToString("N");
        // Large enough that the server is still writing when the client hangs up.
        var ticket = new FlightTicket($$"""{"sql": "SELECT a.email, b.email AS other, c.phone FROM {{Profiles}} a, {{Profiles}} b, {{Profiles}} c", "purpose": "{{purpose}}"}""");
        using (var hangUp = CancellationTokenSource.CreateLinkedTokenSource(Cancel))
        {
            using var call = new FlightClient(channel).GetStream(ticket, Headers("olivia"), deadline: null, hangUp.Token);
            Assert.True(await call.ResponseStream.MoveNext(Cancel));
            call.ResponseStream.Current.Dispose();
            await hangUp.CancelAsync();
        }

        // The completion is written when the server notices, shortly after.
        var outcome = (string?)null;
        for (var attempt = 0; attempt < 100 && outcome is null; attempt++)
        {
            await Task.Delay(100, Cancel);
            outcome = (await AuditAsync(purpose)).Select(r => r.GetProperty("outcome").GetString()).FirstOrDefault(o => o != "started");
        }

        Assert.Equal("aborted", outcome);
    }

    [Fact]
    public async Task Writes_AndActions_AreUnimplemented_WithoutWaitingForTheClient()
    {
        using var channel = Channel();
        var client = new FlightClient(channel);
        var headers = Headers("admin");
        // The client leaves its stream open: the port must answer at once, not wait for a body that never ends.
        var deadline = DateTime.UtcNow.AddSeconds(30);

        using var put = client.StartPut(FlightDescriptor.CreatePathDescriptor(Profiles), headers, deadline, Cancel);
        var write = await Assert.ThrowsAsync<RpcException>(() => put.ResponseStream.MoveNext(Cancel));
        var actions = await Assert.ThrowsAsync<RpcException>(() => client.ListActions(headers, deadline: null, Cancel).ResponseStream.MoveNext(Cancel));

        Assert.Equal(StatusCode.Unimplemented, write.StatusCode);
        Assert.Contains("read-only", write.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unimplemented, actions.StatusCode);
    }

    [Fact]
    public async Task Kestrel_ListensOnTheFlightPort_WithHttp2_BesideTheHttpUrl()
    {
        await using var kestrel = await KestrelServer.StartAsync(server.DataFolder);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{kestrel.FlightPort}");
        using var http = new HttpClient { BaseAddress = new Uri(kestrel.Url) };

        var (_, rows) = await ReadAsync(new FlightClient(channel), new FlightTicket($"SELECT customer_id, email FROM {Profiles}"), Headers("olivia"));
        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Cancel);

        Assert.NotEmpty(rows);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // The Flight service is not on the HTTP port.
        using var httpChannel = GrpcChannel.ForAddress(kestrel.Url);
        await Assert.ThrowsAsync<RpcException>(() => ReadAsync(new FlightClient(httpChannel), new FlightTicket($"SELECT customer_id FROM {Profiles}"), Headers("olivia")));
    }

    [Fact]
    public async Task DoGet_PastTheByteLimit_IsResourceExhausted_AndASmallReadPasses()
    {
        await using var kestrel = await KestrelServer.StartAsync(server.DataFolder, new Dictionary<string, string?> { ["Meshwork:MaxBytes"] = "2048" });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{kestrel.FlightPort}");
        var client = new FlightClient(channel);

        var (_, small) = await ReadAsync(client, new FlightTicket($"SELECT customer_id FROM {Profiles} LIMIT 1"), Headers("olivia"));
        var large = await Assert.ThrowsAsync<RpcException>(() => ReadAsync(client, new FlightTicket($$"""{"dataset": "{{Profiles}}"}"""), Headers("olivia")));

        Assert.Single(small);
        Assert.Equal(StatusCode.ResourceExhausted, large.StatusCode);
        Assert.Contains("bytes", large.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlightEndpoints_MatchOnlyOnConnectionsToTheFlightPort()
    {
        var flight = new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(new FlightPortMetadata(FlightServerFixture.Port)), "flight");
        var api = new Endpoint(_ => Task.CompletedTask, EndpointMetadataCollection.Empty, "api");
        var policy = new FlightPortMatcherPolicy();

        async Task<bool[]> ValidOnAsync(int localPort)
        {
            var context = new DefaultHttpContext();
            context.Features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { LocalPort = localPort });
            var candidates = new CandidateSet([flight, api], [new RouteValueDictionary(), new RouteValueDictionary()], [0, 0]);
            await policy.ApplyAsync(context, candidates);
            return [candidates.IsValidCandidate(0), candidates.IsValidCandidate(1)];
        }

        var onFlightPort = await ValidOnAsync(FlightServerFixture.Port);
        var onHttpPort = await ValidOnAsync(5080);
        var inProcess = await ValidOnAsync(0);

        Assert.True(policy.AppliesToEndpoints([api, flight]));
        Assert.Equal([true, true], onFlightPort);
        Assert.Equal([false, true], onHttpPort);
        // The in-process test server's connections have no local port.
        Assert.Equal([true, true], inProcess);
    }

    /// <summary>A channel to the in-process server, addressed to the Flight port (the service answers there only).</summary>
    private GrpcChannel Channel() =>
        GrpcChannel.ForAddress($"http://localhost:{FlightServerFixture.Port}", new GrpcChannelOptions { HttpHandler = server.Factory.Server.CreateHandler() });

    private Metadata Headers(string principal) => [new Metadata.Entry("authorization", "Bearer " + TokenService.Open(server.DataFolder, TimeProvider.System).Issue(principal))];

    /// <summary>A ticket's read: its schema, and its rows with each column's values as text.</summary>
    private static async Task<(Schema Schema, List<Dictionary<string, string?>> Rows)> ReadAsync(FlightClient client, FlightTicket ticket, Metadata headers)
    {
        using var call = client.GetStream(ticket, headers, deadline: null, Cancel);
        var rows = new List<Dictionary<string, string?>>();
        await foreach (var batch in call.ResponseStream.WithCancellation(Cancel))
        {
            using (batch)
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    rows.Add(batch.Schema.FieldsList.Select((f, c) => (f.Name, Value: Text(batch.Column(c), i))).ToDictionary(p => p.Name, p => p.Value));
                }
            }
        }

        return (await call.ResponseStream.Schema, rows);
    }

    private static async Task<List<FlightInfo>> ListAsync(FlightClient client, Metadata headers, string criteria = "")
    {
        using var call = client.ListFlights(new FlightCriteria(criteria), headers, deadline: null, Cancel);
        var flights = new List<FlightInfo>();
        while (await call.ResponseStream.MoveNext(Cancel))
        {
            flights.Add(call.ResponseStream.Current);
        }

        return flights;
    }

    private static string? Text(IArrowArray column, int row) => column.IsNull(row) ? null : column switch
    {
        StringArray text => text.GetString(row),
        Int64Array number => number.GetValue(row)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Int32Array number => number.GetValue(row)?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => column.GetType().Name,
    };

    /// <summary>A schema as comparable text: each field's name and full type (unit, zone, precision where the type has one).</summary>
    private static List<string> Describe(Schema schema) =>
        [.. schema.FieldsList.Select(f => f.Name + ":" + f.DataType switch
        {
            TimestampType t => $"timestamp[{t.Unit},{t.Timezone}]",
            Decimal128Type d => $"decimal({d.Precision},{d.Scale})",
            _ => f.DataType.Name,
        })];

    /// <summary>The audit entries whose purpose is <paramref name="purpose"/>, newest first.</summary>
    private async Task<List<JsonElement>> AuditAsync(string purpose) =>
        [.. (await server.Client("admin").GetFromJsonAsync<JsonElement>("/api/v1/audit?limit=10000", Cancel)).EnumerateArray()
            .Select(r => r.GetProperty("entry")).Where(e => e.GetProperty("purpose").ValueKind == JsonValueKind.String && e.GetProperty("purpose").GetString() == purpose)];

    /// <summary>The real server on Kestrel, as <c>mesh serve --flight-port</c> builds it, on free ports over the fixture's applied folder.</summary>
    private sealed class KestrelServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private KestrelServer(WebApplication app, string url, int flightPort)
        {
            _app = app;
            Url = url;
            FlightPort = flightPort;
        }

        public string Url { get; }

        public int FlightPort { get; }

        public static async Task<KestrelServer> StartAsync(string dataFolder, IReadOnlyDictionary<string, string?>? settings = null)
        {
            var url = $"http://127.0.0.1:{Meshwork.Testing.Ports.Free()}";
            var flightPort = Meshwork.Testing.Ports.Free();
            var app = MeshServer.Build([], builder =>
            {
                builder.WebHost.UseUrls(url);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Meshwork:Data"] = dataFolder,
                    [Meshwork.Server.Ports.Flight.FlightPort.Setting] = flightPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                });
                builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            });
            await app.StartAsync(Cancel);
            return new KestrelServer(app, url, flightPort);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
