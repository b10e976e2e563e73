using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Meshwork.Platform;
using Meshwork.Platform.Security;
using Meshwork.Platform.Serving;
using Meshwork.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Meshwork.Server.Tests;

/// <summary>
/// Two server replicas, as a deployment runs them (docs/deployment.md): one PostgreSQL store (<c>Meshwork:Store</c>), one
/// data folder and one secrets folder (<c>Meshwork:Secrets</c>) holding the keys. The example is applied once.
/// </summary>
public sealed class ReplicasFixture : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _a;
    private WebApplicationFactory<Program>? _b;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "meshwork-replicas-tests-" + Guid.NewGuid().ToString("N"));

    public string DataFolder => Path.Combine(Root, ".mesh");

    public string Secrets => Path.Combine(Root, "secrets");

    public string Store { get; private set; } = string.Empty;

    public WebApplicationFactory<Program> A => _a ?? throw new InvalidOperationException("Not started.");

    public WebApplicationFactory<Program> B => _b ?? throw new InvalidOperationException("Not started.");

    /// <summary>The platform as the replicas compose it: the shared store and the secrets folder's keys.</summary>
    public MeshworkPlatform Platform() => MeshworkPlatform.Create(m => m.UseStore(Store).UseKeys(new KeyProvider(secretsFolder: Secrets)));

    public async ValueTask InitializeAsync()
    {
        ServerFixture.CopyTree(Path.Combine(ServerFixture.RepositoryRoot(), "examples", "retail"), Root);
        Directory.CreateDirectory(Secrets);
        await File.WriteAllBytesAsync(Path.Combine(Secrets, PlatformKey.TokenSigning.FileName), RandomNumberGenerator.GetBytes(32));
        await File.WriteAllBytesAsync(Path.Combine(Secrets, PlatformKey.MaskHash.FileName), RandomNumberGenerator.GetBytes(32));
        await File.WriteAllBytesAsync(Path.Combine(Secrets, PlatformKey.AuditChain.FileName), RandomNumberGenerator.GetBytes(32));
        Store = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("replicas_" + Guid.NewGuid().ToString("N"));

        var result = await Platform().ApplyAsync(Root, null);
        Assert.True(result.Errors.Count == 0, string.Join('\n', result.Errors));
        _a = Replica();
        _b = Replica();
    }

    private WebApplicationFactory<Program> Replica() => new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
    {
        builder.UseSetting("Meshwork:Data", DataFolder);
        builder.UseSetting("Meshwork:Store", Store);
        builder.UseSetting("Meshwork:Secrets", Secrets);
        // The concurrent reads below must all run, none refused by a replica's own read limits.
        builder.UseSetting("Meshwork:MaxConcurrentReads", "64");
        builder.UseSetting("Meshwork:MaxConcurrentReadsPerPrincipal", "64");
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in new[] { _a, _b })
        {
            if (replica is not null)
            {
                await replica.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>Issue 13's "done means" for replicas: tokens, agreements, registry ids and one audit chain, shared through the store.</summary>
public sealed class ReplicaTests(ReplicasFixture replicas) : IClassFixture<ReplicasFixture>
{
    private const string Profiles = "/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson&limit=3";
    private const string Orders = "sales.orders.orders_v1";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_IssuedByOneReplica_IsAcceptedByTheOther()
    {
        var fromA = replicas.A.Services.GetRequiredService<ServedMesh>().Tokens.Issue("olivia");
        var fromB = replicas.B.Services.GetRequiredService<ServedMesh>().Tokens.Issue("olivia");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(replicas.B, fromA, Profiles)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(replicas.A, fromB, Profiles)).StatusCode);
    }

    [Fact]
    public async Task Token_SignedWithTheDataFolderKey_IsRefusedSinceTheKeysComeFromTheSecretsFolder()
    {
        var token = TokenService.Open(new KeyProvider(secretsFolder: null, environment: _ => null), replicas.DataFolder, TimeProvider.System).Issue("olivia");

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(replicas.A, token, Profiles)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(replicas.B, token, Profiles)).StatusCode);
    }

    [Fact]
    public async Task AccessRequest_MadeOnOneApprovedOnTheOther_IsEnforcedOnBothAtOnce()
    {
        var data = $"/api/v1/datasets/{Orders}/data?format=ndjson&limit=3&purpose=marketing";
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(replicas.A, Token("mallory"), data)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(replicas.B, Token("mallory"), data)).StatusCode);

        var requested = await Client(replicas.A, "mallory").PostAsJsonAsync("/api/v1/access-requests", new { dataset = Orders, purpose = "marketing" }, Cancel);
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync(Cancel));
        var id = (await requested.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString();
        var approved = await Client(replicas.B, "sam").PostAsJsonAsync($"/api/v1/access-requests/{id}/approve", new { reason = "campaign planning" }, Cancel);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync(Cancel));

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(replicas.A, Token("mallory"), data)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(replicas.B, Token("mallory"), data)).StatusCode);
    }

    [Fact]
    public async Task Registry_SchemaRegisteredOnOne_HasTheSameIdAndVersionOnTheOther()
    {
        var subject = "orders-events-" + Guid.NewGuid().ToString("N")[..8] + "-value";
        const string schema = """{"type":"record","name":"OrderEvent","namespace":"test","fields":[{"name":"id","type":"long"}]}""";

        var registered = await Client(replicas.A, "sam").PostAsJsonAsync($"/registry/subjects/{subject}/versions", new { schema }, Cancel);
        Assert.True(registered.StatusCode == HttpStatusCode.OK, await registered.Content.ReadAsStringAsync(Cancel));
        var id = (await registered.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetInt32();

        var byId = await Client(replicas.B, "mallory").GetFromJsonAsync<JsonElement>($"/registry/schemas/ids/{id}", Cancel);
        var onA = await Client(replicas.A, "mallory").GetFromJsonAsync<JsonElement>($"/registry/subjects/{subject}/versions/latest", Cancel);
        var onB = await Client(replicas.B, "mallory").GetFromJsonAsync<JsonElement>($"/registry/subjects/{subject}/versions/latest", Cancel);
        Assert.Contains("OrderEvent", byId.GetProperty("schema").GetString(), StringComparison.Ordinal);
        Assert.Equal(id, onB.GetProperty("id").GetInt32());
        Assert.Equal(onA.GetProperty("version").GetInt32(), onB.GetProperty("version").GetInt32());
        Assert.Equal(onA.GetProperty("id").GetInt32(), onB.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Reads_ConcurrentOnBoth_LeaveOneIntactAuditChainGrownByTwoPerRead()
    {
        const int reads = 24;
        var before = await AuditLengthAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, reads).Select(i =>
            GetAsync(i % 2 == 0 ? replicas.A : replicas.B, Token("olivia"), Profiles)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await using var store = await replicas.Platform().OpenStoreAsync(replicas.DataFolder, Cancel);
        Assert.Empty(await store.VerifyAuditAsync(cancellationToken: Cancel));
        // A read is on record twice: started before its first byte, then its completion.
        Assert.Equal(before + (2 * reads), await AuditLengthAsync());
    }

    private async Task<int> AuditLengthAsync()
    {
        await using var store = await replicas.Platform().OpenStoreAsync(replicas.DataFolder, Cancel);
        return (await store.GetAuditAsync(int.MaxValue, Cancel)).Count;
    }

    private string Token(string principal) => TokenService.Open(new KeyProvider(secretsFolder: replicas.Secrets), replicas.DataFolder, TimeProvider.System).Issue(principal);

    private HttpClient Client(WebApplicationFactory<Program> replica, string principal)
    {
        var client = replica.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(principal));
        return client;
    }

    private static async Task<HttpResponseMessage> GetAsync(WebApplicationFactory<Program> replica, string token, string path)
    {
        var client = replica.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.GetAsync(new Uri(path, UriKind.Relative), Cancel);
        // The whole body, so that the read has completed (and is on record) when this returns.
        await response.Content.LoadIntoBufferAsync(Cancel);
        return response;
    }
}
