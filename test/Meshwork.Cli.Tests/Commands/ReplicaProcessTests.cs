using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Meshwork.Testing;

namespace Meshwork.Cli.Tests.Commands;

/// <summary>One <c>mesh serve</c> process on the fixture's store and data folder.</summary>
public sealed class ReplicaProcess
{
    internal ReplicaProcess(string url, MeshProcess process)
    {
        Url = url;
        Process = process;
    }

    public string Url { get; }

    internal MeshProcess Process { get; }

    public override string ToString() => Url;
}

/// <summary>
/// Two <c>mesh serve</c> processes as a deployment runs them (docs/deployment.md): one PostgreSQL store, one data
/// folder, the same keys in the environment. The example is applied with <c>mesh apply</c>, then its checkout is
/// deleted: the replicas serve what the store holds.
/// </summary>
public sealed class ReplicaProcessesFixture : IAsyncLifetime
{
    private readonly string _root = CliRunner.NewTempPath();
    private readonly ConcurrentDictionary<string, Task<string>> _tokens = new(StringComparer.Ordinal);
    private readonly List<MeshProcess> _processes = [];
    private ReplicaProcess? _a;
    private ReplicaProcess? _b;

    public string Repository => Path.Combine(_root, "repository");

    public string Data => Path.Combine(_root, "data");

    public string Store { get; private set; } = string.Empty;

    public ReplicaProcess A => _a ?? throw new InvalidOperationException("Not started.");

    public ReplicaProcess B => _b ?? throw new InvalidOperationException("Not started.");

    /// <summary>
    /// What every process of the deployment is given: the three keys (so none is made in the data folder), and none of
    /// the test host's own store or secrets settings.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>
    {
        ["MESHWORK_TOKEN_SIGNING_KEY"] = NewKey(),
        ["MESHWORK_MASK_HASH_KEY"] = NewKey(),
        ["MESHWORK_AUDIT_CHAIN_KEY"] = NewKey(),
        ["MESHWORK_STORE"] = null,
        ["MESHWORK_SECRETS"] = null,
    };

    public async ValueTask InitializeAsync()
    {
        CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), Repository);
        Store = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("replica_processes_" + Guid.NewGuid().ToString("N"), TestContext.Current.CancellationToken);
        var (exitCode, output, error) = await MeshAsync("apply", Repository, "--data", Data, "--store", Store, "--yes");
        Assert.True(exitCode == 0, $"mesh apply: exit {exitCode}: {error}{output}");
        Directory.Delete(Repository, recursive: true);

        var replicas = await Task.WhenAll(StartReplicaAsync(), StartReplicaAsync());
        (_a, _b) = (replicas[0], replicas[1]);
    }

    /// <summary>Runs <c>mesh ARGS</c> as a process of the deployment (its keys in the environment).</summary>
    public Task<(int ExitCode, string Output, string Error)> MeshAsync(params string[] args) => MeshProcess.RunAsync(Environment, TestContext.Current.CancellationToken, args);

    /// <summary>A token from <c>mesh token PRINCIPAL --store</c>, issued once per principal.</summary>
    public Task<string> TokenAsync(string principal) => _tokens.GetOrAdd(principal, p => IssueAsync(p, Environment));

    /// <summary>A token from <c>mesh token</c> given <paramref name="environment"/> instead of the deployment's.</summary>
    public async Task<string> IssueAsync(string principal, IReadOnlyDictionary<string, string?> environment)
    {
        var (exitCode, output, error) = await MeshProcess.RunAsync(environment, "token", principal, "--data", Data, "--store", Store);
        Assert.True(exitCode == 0, $"mesh token {principal}: exit {exitCode}: {error}");
        return output.TrimEnd().Split('\n')[^1];
    }

    /// <summary>Starts one more <c>mesh serve</c> on the store and data folder, and waits until it answers.</summary>
    public async Task<ReplicaProcess> StartReplicaAsync()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var environment = new Dictionary<string, string?>(Environment)
        {
            // The concurrent reads of the audit test must all run, none refused by a replica's own read limits.
            ["Meshwork__MaxConcurrentReads"] = "64",
            ["Meshwork__MaxConcurrentReadsPerPrincipal"] = "64",
        };
        var process = MeshProcess.Start(environment, "serve", "--data", Data, "--store", Store, "--urls", url);
        lock (_processes)
        {
            _processes.Add(process);
        }

        await process.WaitForHealthAsync(url, TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        return new ReplicaProcess(url, process);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}

/// <summary>
/// Issue 13's "done means", with real processes: two <c>mesh serve</c> on one PostgreSQL store, without the checkout,
/// share tokens, agreements, registry ids and one audit chain, and a killed replica loses nothing it acknowledged.
/// </summary>
public sealed class ReplicaProcessTests(ReplicaProcessesFixture replicas) : IClassFixture<ReplicaProcessesFixture>
{
    private const string Profiles = "/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson&limit=3";

    private static readonly HttpClient Http = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private ReplicaProcess A => replicas.A;

    private ReplicaProcess B => replicas.B;

    [Fact]
    public async Task Token_FromMeshTokenWithTheSharedKey_IsAcceptedByBothAndOneSignedWithAnotherKeyByNeither()
    {
        var token = await replicas.TokenAsync("olivia");
        var otherKey = new Dictionary<string, string?>(replicas.Environment) { ["MESHWORK_TOKEN_SIGNING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var forged = await replicas.IssueAsync("olivia", otherKey);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(A, token, "/api/v1/products")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(B, token, "/api/v1/products")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(A, forged, "/api/v1/products")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(B, forged, "/api/v1/products")).StatusCode);
    }

    [Fact]
    public async Task AccessRequest_MadeOnOneApprovedOnTheOther_IsEnforcedOnBothAtOnce()
    {
        const string orders = "sales.orders.orders_v1";
        var read = $"/api/v1/datasets/{orders}/data?format=ndjson&limit=3&purpose=marketing";
        var mallory = await replicas.TokenAsync("mallory");
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(A, mallory, read)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(B, mallory, read)).StatusCode);

        var requested = await PostAsync(A, mallory, "/api/v1/access-requests", new { dataset = orders, purpose = "marketing" });
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync(Cancel));
        var id = (await requested.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString();
        var approved = await PostAsync(B, await replicas.TokenAsync("sam"), $"/api/v1/access-requests/{id}/approve", new { reason = "campaign planning" });
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync(Cancel));

        // No waiting: each replica reads the agreements from the store on every request.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(A, mallory, read)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(B, mallory, read)).StatusCode);
    }

    [Fact]
    public async Task Registry_SchemaRegisteredOnOne_HasTheSameIdOnTheOtherAndRegistersThereUnderIt()
    {
        var subject = "order-events-" + Guid.NewGuid().ToString("N")[..8] + "-value";
        var schema = new { schema = """{"type":"record","name":"OrderEvent","namespace":"test","fields":[{"name":"id","type":"long"}]}""" };
        var sam = await replicas.TokenAsync("sam");

        var onA = await PostAsync(A, sam, $"/registry/subjects/{subject}/versions", schema);
        Assert.True(onA.StatusCode == HttpStatusCode.OK, await onA.Content.ReadAsStringAsync(Cancel));
        var registered = await onA.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var byId = await GetAsync(B, sam, $"/registry/schemas/ids/{registered.GetProperty("id").GetInt32()}");
        var latestOnB = await GetAsync(B, sam, $"/registry/subjects/{subject}/versions/latest");
        var again = await PostAsync(B, sam, $"/registry/subjects/{subject}/versions", schema);

        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
        Assert.Contains("OrderEvent", (await byId.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("schema").GetString(), StringComparison.Ordinal);
        Assert.Equal(registered.GetProperty("id").GetInt32(), (await latestOnB.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetInt32());
        Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync(Cancel));
        var registeredAgain = await again.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        Assert.Equal(registered.GetProperty("id").GetInt32(), registeredAgain.GetProperty("id").GetInt32());
        Assert.Equal(registered.GetProperty("version").GetInt32(), registeredAgain.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Reads_ConcurrentOnBoth_LeaveOneIntactAuditChainGrownByTwoPerRead()
    {
        const int readsPerReplica = 10;
        var olivia = await replicas.TokenAsync("olivia");
        var before = await AuditHeadAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 2 * readsPerReplica).Select(i => GetAsync(i % 2 == 0 ? A : B, olivia, Profiles)));
        var (verified, output, error) = await replicas.MeshAsync("audit", "verify", "--data", replicas.Data, "--store", replicas.Store);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(verified == 0, $"mesh audit verify: exit {verified}: {output}{error}");
        Assert.Contains("intact", output, StringComparison.Ordinal);
        // A read is on record twice: started before its first byte, then its completion.
        Assert.Equal(before + (2 * 2 * readsPerReplica), await AuditHeadAsync());
    }

    [Fact]
    public async Task Serve_WithoutTheCheckout_ListsTheExamplesProductsAndRunsATransformOnEither()
    {
        var examples = Directory.EnumerateFiles(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail", "domains"), "product.odps.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(f))) + "." + Path.GetFileName(Path.GetDirectoryName(f)))
            .Order(StringComparer.Ordinal).ToList();
        var olivia = await replicas.TokenAsync("olivia");

        Assert.False(Directory.Exists(replicas.Repository), "the checkout is still there");
        Assert.Equal(examples, await ProductKeysAsync(A, olivia));
        Assert.Equal(examples, await ProductKeysAsync(B, olivia));
        // A product computed by transform.sql alone: its SQL can only come from the applied mesh in the store.
        var run = await PostAsync(B, await replicas.TokenAsync("admin"), "/api/v1/products/finance.revenue_report/runs", new { });
        var body = await run.Content.ReadAsStringAsync(Cancel);
        Assert.True(run.StatusCode == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        Assert.Contains(result.GetProperty("datasets").EnumerateArray(), d => d.GetProperty("address").GetString() == "finance.revenue_report.monthly_revenue_v1");
    }

    [Fact]
    public async Task Kill9_OfAReplica_AfterItApprovedAnAgreement_TheOtherEnforcesItAndKeepsAnswering()
    {
        // A replica of its own: the others serve the rest of the tests.
        var doomed = await replicas.StartReplicaAsync();
        const string products = "sales.products.products_v1";
        var read = $"/api/v1/datasets/{products}/data?format=ndjson&limit=3&purpose=reporting";
        var frank = await replicas.TokenAsync("frank");
        var admin = await replicas.TokenAsync("admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(B, frank, read)).StatusCode);
        var requested = await PostAsync(doomed, frank, "/api/v1/access-requests", new { dataset = products, purpose = "reporting" });
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync(Cancel));
        var id = (await requested.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("id").GetString();
        var approved = await PostAsync(doomed, admin, $"/api/v1/access-requests/{id}/approve", new { reason = "margin report" });
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync(Cancel));

        await doomed.Process.KillAsync();

        var listed = await GetAsync(B, admin, "/api/v1/access-requests");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var agreement = Assert.Single((await listed.Content.ReadFromJsonAsync<JsonElement>(Cancel)).EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.Equal("active", agreement.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(B, frank, read)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(new Uri($"{B.Url}/healthz"), Cancel)).StatusCode);
    }

    /// <summary>The audit log's length: the newest record's seq, which never skips (<c>mesh audit head</c>).</summary>
    private async Task<long> AuditHeadAsync()
    {
        var (exitCode, output, error) = await replicas.MeshAsync("audit", "head", "--data", replicas.Data, "--store", replicas.Store, "--format", "json");
        Assert.True(exitCode == 0, $"mesh audit head: exit {exitCode}: {error}");
        return JsonDocument.Parse(output).RootElement.GetProperty("seq").GetInt64();
    }

    private static async Task<List<string>> ProductKeysAsync(ReplicaProcess replica, string token)
    {
        var response = await GetAsync(replica, token, "/api/v1/products?limit=200");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        return [.. page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("key").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static Task<HttpResponseMessage> GetAsync(ReplicaProcess replica, string token, string path) => SendAsync(HttpMethod.Get, replica, token, path, null);

    private static Task<HttpResponseMessage> PostAsync(ReplicaProcess replica, string token, string path, object body) => SendAsync(HttpMethod.Post, replica, token, path, body);

    private static async Task<HttpResponseMessage> SendAsync(HttpMethod method, ReplicaProcess replica, string token, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(replica.Url + path)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Http.SendAsync(request, Cancel);
        // The whole body, so that a read has completed (and is on record) when this returns.
        await response.Content.LoadIntoBufferAsync(Cancel);
        return response;
    }
}
