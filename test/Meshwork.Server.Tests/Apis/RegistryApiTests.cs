using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Meshwork.Platform.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Meshwork.Server.Tests.Apis;

/// <summary>The example served on a real loopback port, for clients that bring their own HTTP stack (Confluent's).</summary>
public class KestrelServerFixture : IAsyncLifetime
{
    private readonly ServerFixture _applied;
    private WebApplication? _app;

    public KestrelServerFixture()
        : this(new ServerFixture())
    {
    }

    /// <param name="applied">Applies the example (and chooses the store) before this fixture serves it.</param>
    protected KestrelServerFixture(ServerFixture applied) => _applied = applied;

    public string Url { get; private set; } = string.Empty;

    public string DataFolder => _applied.DataFolder;

    public async ValueTask InitializeAsync()
    {
        await _applied.InitializeAsync();
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        }

        _app = MeshServer.Build([], builder =>
        {
            builder.WebHost.UseUrls(Url);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Meshwork:Data"] = _applied.DataFolder, ["Meshwork:Store"] = _applied.Store });
        });
        await _app.StartAsync();
    }

    public string Token(string principal) => TokenService.Open(DataFolder, TimeProvider.System).Issue(principal);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _applied.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary><see cref="KestrelServerFixture"/> on the PostgreSQL store.</summary>
public sealed class PostgresKestrelServerFixture() : KestrelServerFixture(new PostgresServerFixture());

public sealed class RegistryApiTests(KestrelServerFixture server) : RegistryApiTests<KestrelServerFixture>(server);

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class RegistryApiOnPostgresTests(PostgresKestrelServerFixture server) : RegistryApiTests<PostgresKestrelServerFixture>(server);

/// <summary>The registry with Confluent's .NET client and Avro serializer, unchanged, against the real server.</summary>
public abstract partial class RegistryApiTests<TFixture>(TFixture server) : IClassFixture<TFixture>
    where TFixture : KestrelServerFixture
{
    private const string UserV1 = """{"type":"record","name":"User","namespace":"test","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}""";
    private const string UserV2 = """{"type":"record","name":"User","namespace":"test","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"email","type":["null","string"],"default":null}]}""";
    private const string UserBreaking = """{"type":"record","name":"User","namespace":"test","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConfluentClient_RegistersFetchesAndEvolvesASubject()
    {
        using var client = Client("admin");
        var subject = Subject();

        var id = await client.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));
        var again = await client.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));
        var fetched = await client.GetSchemaAsync(id);
        var evolved = await client.RegisterSchemaAsync(subject, new Schema(UserV2, SchemaType.Avro));
        var latest = await client.GetLatestSchemaAsync(subject);
        var looked = await client.LookupSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro), ignoreDeletedSchemas: true);

        Assert.Equal(id, again);
        Assert.Contains("\"User\"", fetched.SchemaString, StringComparison.Ordinal);
        Assert.NotEqual(id, evolved);
        Assert.Equal(2, latest.Version);
        Assert.Equal(evolved, latest.Id);
        Assert.Equal(1, looked.Version);
    }

    [Fact]
    public async Task ConfluentClient_IncompatibleRegistration_IsItsConflictError()
    {
        using var client = Client("admin");
        var subject = Subject();
        await client.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));

        var error = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema(UserBreaking, SchemaType.Avro)));

        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.Equal(409, error.ErrorCode);
        Assert.False(await client.IsCompatibleAsync(subject, new Schema(UserBreaking, SchemaType.Avro)));
        Assert.True(await client.IsCompatibleAsync(subject, new Schema(UserV2, SchemaType.Avro)));
    }

    [Fact]
    public async Task ConfluentClient_ConfigRoundTrips()
    {
        using var client = Client("admin");
        var subject = Subject();
        await client.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));

        await client.UpdateCompatibilityAsync(Compatibility.Full, subject);

        Assert.Equal(Compatibility.Full, await client.GetCompatibilityAsync(subject));
    }

    [Fact]
    public async Task AvroSerializer_WritesAndTheDeserializerReadsARecordThroughTheRegistry()
    {
        using var client = Client("admin");
        var topic = "users-" + Guid.NewGuid().ToString("N")[..8];
        var schema = (Avro.RecordSchema)Avro.Schema.Parse(UserV1);
        var record = new GenericRecord(schema);
        record.Add("id", 42L);
        record.Add("name", "Ada");

        var bytes = await new AvroSerializer<GenericRecord>(client).SerializeAsync(record, new SerializationContext(MessageComponentType.Value, topic));
        var read = await new AvroDeserializer<GenericRecord>(client).DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, topic));

        Assert.Equal(42L, read["id"]);
        Assert.Equal("Ada", read["name"]);
        Assert.Contains($"{topic}-value", await client.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task BasicAuth_WithPrincipalAndToken_IsAccepted()
    {
        using var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig
        {
            Url = server.Url + "/registry",
            BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo,
            BasicAuthUserInfo = $"admin:{server.Token("admin")}",
        });

        Assert.NotNull(await client.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task Registry_WithoutCredentials_Is401()
    {
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri($"{server.Url}/registry/subjects"), Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Rest_ErrorsUseConfluentCodes_AndBooleansAreCaseInsensitive()
    {
        using var http = Http("admin");
        var subject = Subject();
        var body = new StringContent(JsonSerializer.Serialize(new { schema = UserV1 }), Encoding.UTF8, "application/vnd.schemaregistry.v1+json");
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(new Uri($"{server.Url}/registry/subjects/{subject}/versions"), body, Cancel)).StatusCode);

        var missingSubject = await http.GetAsync(new Uri($"{server.Url}/registry/subjects/nope-{subject}/versions/1"), Cancel);
        var missingVersion = await http.GetAsync(new Uri($"{server.Url}/registry/subjects/{subject}/versions/7"), Cancel);
        var badVersion = await http.GetAsync(new Uri($"{server.Url}/registry/subjects/{subject}/versions/x"), Cancel);
        var missingId = await http.GetAsync(new Uri($"{server.Url}/registry/schemas/ids/999999"), Cancel);
        var invalid = await http.PostAsync(new Uri($"{server.Url}/registry/subjects/{subject}/versions"),
            new StringContent("{\"schema\":\"{not avro\"}", Encoding.UTF8, "application/json"), Cancel);
        var permanentFirst = await http.DeleteAsync(new Uri($"{server.Url}/registry/subjects/{subject}?permanent=True"), Cancel);
        var soft = await http.DeleteAsync(new Uri($"{server.Url}/registry/subjects/{subject}"), Cancel);
        var permanent = await http.DeleteAsync(new Uri($"{server.Url}/registry/subjects/{subject}?permanent=True"), Cancel);

        Assert.Equal(40401, await CodeAsync(missingSubject));
        Assert.Equal(40402, await CodeAsync(missingVersion));
        Assert.Equal(42202, await CodeAsync(badVersion));
        Assert.Equal(40403, await CodeAsync(missingId));
        Assert.Equal(42201, await CodeAsync(invalid));
        Assert.Equal(40405, await CodeAsync(permanentFirst));
        Assert.Equal(HttpStatusCode.OK, soft.StatusCode);
        Assert.Equal(HttpStatusCode.OK, permanent.StatusCode);
    }

    [Fact]
    public async Task Versions_AfterASoftDelete_AreNumberedPastTheDeletedOne()
    {
        using var client = Client("admin");
        using var http = Http("admin");
        var subject = Subject();
        await client.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));
        await client.RegisterSchemaAsync(subject, new Schema(UserV2, SchemaType.Avro));
        await http.DeleteAsync(new Uri($"{server.Url}/registry/subjects/{subject}/versions/2"), Cancel);

        await client.UpdateCompatibilityAsync(Compatibility.None, subject);
        var third = await http.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = UserBreaking }, Cancel);

        Assert.Equal(3, (await third.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task PublishedDatasets_AreRegisteredAsAvroUnderAddressValue()
    {
        using var client = Client("mallory");

        var latest = await client.GetLatestSchemaAsync("customers.profiles.profiles_v1-value");

        var schema = (Avro.RecordSchema)Avro.Schema.Parse(latest.SchemaString);
        Assert.Equal("profiles_v1", schema.Name);
        Assert.Equal("customers.profiles", schema.Namespace);
        Assert.Equal(Avro.Schema.Type.Long, schema["customer_id"].Schema.Tag);
        Assert.Equal(Avro.Schema.Type.Union, schema["phone"].Schema.Tag); // optional: a union with null
    }

    [Fact]
    public async Task PublishedDatasets_AreRegisteredAsJsonSchemaUnderAddressJsonValue()
    {
        using var client = Client("mallory");

        var latest = await client.GetLatestSchemaAsync("customers.profiles.profiles_v1.json-value");

        Assert.Equal(SchemaType.Json, latest.SchemaType);
        using var schema = JsonDocument.Parse(latest.SchemaString);
        Assert.Equal("integer", schema.RootElement.GetProperty("properties").GetProperty("customer_id").GetProperty("type").GetString());
        Assert.Contains("customer_id", schema.RootElement.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task OtherSubject_IsWrittenByThosePolicyPermits_AndRefusedToOthers()
    {
        // examples/retail/policies/owners-write-registry-subjects.policy.yaml permits product owners.
        using var owner = Http("olivia");
        using var analyst = Http("mallory");
        var subject = Subject();

        var permitted = await owner.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = UserV1 }, Cancel);
        var refused = await analyst.PostAsJsonAsync($"{server.Url}/registry/subjects/{subject}/versions", new { schema = UserV2 }, Cancel);

        Assert.Equal(HttpStatusCode.OK, permitted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(40301, await CodeAsync(refused));
    }

    [Fact]
    public async Task ProductJsonSubject_IsWrittenByThePlatformOnly()
    {
        using var owner = Http("olivia");

        var response = await owner.PostAsJsonAsync($"{server.Url}/registry/subjects/customers.profiles.profiles_v1.json-value/versions",
            new { schema = """{"type":"object"}""", schemaType = "JSON" }, Cancel);

        Assert.Equal(40301, await CodeAsync(response));
    }

    [Fact]
    public async Task ProductSubject_IsWrittenByThePlatformOnly()
    {
        using var owner = Http("olivia");

        var response = await owner.PostAsJsonAsync($"{server.Url}/registry/subjects/customers.profiles.profiles_v1-value/versions", new { schema = UserV1 }, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(40301, await CodeAsync(response));
    }

    [Theory]
    [InlineData("customers.profiles.profiles_v2-value")] // a version not published yet
    [InlineData("customers.profiles.profiles_v1-key")]
    [InlineData("customers.profiles.profiles_v9.json-value")]
    [InlineData("customers.profiles.not_an_object_v1-value")] // an object the contract does not have (yet)
    [InlineData("Customers.profiles.profiles_v1-VALUE")] // the published subject, but for case
    [InlineData("customers.PROFILES.profiles_v3-value")]
    public async Task ProductSubjectForm_IsRefusedToAnOwnerThePolicyLetsWriteOtherSubjects(string subject)
    {
        // sam owns sales' products: the example's policy lets owners write subjects outside data products.
        using var squatter = Http("sam");

        var response = await squatter.PostAsJsonAsync($"{server.Url}/registry/subjects/{Uri.EscapeDataString(subject)}/versions", new { schema = UserV1 }, Cancel);

        var error = await ErrorAsync(response);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(40301, error.Code);
        Assert.Contains("customers.profiles", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductSubjectLookAlike_IsRefusedEvenToAnAdmin_NamingThePlatformSubject()
    {
        using var admin = Http("admin");

        var response = await admin.PostAsJsonAsync($"{server.Url}/registry/subjects/Customers.profiles.profiles_v1-VALUE/versions", new { schema = UserV1 }, Cancel);

        var error = await ErrorAsync(response);
        Assert.Equal(40301, error.Code);
        Assert.Contains("differs only by case from 'customers.profiles.profiles_v1-value'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnpublishedVersionSubject_IsRegisteredByThePlatform()
    {
        // What the owning team's next publish does: the pipeline registers the new version's subjects.
        using var pipeline = Client("pipeline");
        var subject = "customers.profiles.squat_" + Guid.NewGuid().ToString("N")[..8] + "_v2-value";

        var id = await pipeline.RegisterSchemaAsync(subject, new Schema(UserV1, SchemaType.Avro));

        Assert.Equal(id, (await pipeline.GetLatestSchemaAsync(subject)).Id);
    }

    [Fact]
    public async Task SubjectOfAnUnknownProduct_IsWrittenByThosePolicyPermits()
    {
        using var owner = Http("sam");

        var response = await owner.PostAsJsonAsync($"{server.Url}/registry/subjects/nowhere.things.{Subject().Replace('-', '_')}_v1-value/versions", new { schema = UserV1 }, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Subject() => "subject-" + Guid.NewGuid().ToString("N")[..8];

    private CachedSchemaRegistryClient Client(string principal) => new(new SchemaRegistryConfig
    {
        Url = server.Url + "/registry",
        BearerAuthCredentialsSource = BearerAuthCredentialsSource.StaticToken,
        BearerAuthToken = server.Token(principal),
        BearerAuthLogicalCluster = "meshwork",
        BearerAuthIdentityPoolId = "meshwork",
    });

    private HttpClient Http(string principal)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token(principal));
        return http;
    }

    private static async Task<(int Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        return (error.GetProperty("error_code").GetInt32(), error.GetProperty("message").GetString() ?? string.Empty);
    }

    private static async Task<int> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("error_code").GetInt32();
}
