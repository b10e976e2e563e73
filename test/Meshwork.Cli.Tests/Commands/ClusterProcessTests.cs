using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Meshwork.Testing;

namespace Meshwork.Cli.Tests.Commands;

/// <summary>
/// Issue 15's "done means" with real processes: three <c>mesh serve --cluster</c> nodes on one throwaway PostgreSQL store
/// and one data folder; customer profiles scheduled every 5 seconds, their source growing every second so that each
/// scheduled run publishes (and is recorded). The node that ran the last run is killed with SIGKILL.
/// </summary>
public sealed class ClusterProcessTests : IAsyncLifetime
{
    private const string Product = "customers.profiles";
    private const string Read = "/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson&limit=3";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly string _root = CliRunner.NewTempPath();
    private readonly CancellationTokenSource _stopWriting = new();
    private readonly Dictionary<string, string?> _environment = new()
    {
        ["MESHWORK_TOKEN_SIGNING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["MESHWORK_MASK_HASH_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["MESHWORK_AUDIT_CHAIN_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["MESHWORK_STORE"] = null,
        ["MESHWORK_SECRETS"] = null,
    };

    private MeshCluster? _cluster;
    private Task? _writer;
    private string _store = string.Empty;
    private string _admin = string.Empty;
    private DateTimeOffset _clusterStarted;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Repository => Path.Combine(_root, "repository");

    private string Data => Path.Combine(_root, "data");

    private MeshCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync()
    {
        CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), Repository);
        ExampleMesh.Schedule(Repository, "domains/customers/profiles", "*/5 * * * * *");

        _store = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("cluster_processes_" + Guid.NewGuid().ToString("N"), Cancel);
        var (exitCode, output, error) = await MeshProcess.RunAsync(_environment, Cancel, "apply", Repository, "--data", Data, "--store", _store, "--yes");
        Assert.True(exitCode == 0, $"mesh apply: exit {exitCode}: {error}{output}");
        (exitCode, output, error) = await MeshProcess.RunAsync(_environment, Cancel, "token", "admin", "--data", Data, "--store", _store);
        Assert.True(exitCode == 0, $"mesh token: exit {exitCode}: {error}");
        _admin = output.TrimEnd().Split('\n')[^1];

        _clusterStarted = DateTimeOffset.UtcNow;
        _cluster = new MeshCluster(_store, Data, _environment);
        await _cluster.StartAsync(3, TimeSpan.FromSeconds(120), Cancel);
        _writer = ExampleMesh.GrowCustomersAsync(Repository, TimeSpan.FromSeconds(1), 70_000, _stopWriting.Token);
    }

    [Fact]
    public async Task KilledNode_ItsScheduledProductRunsOnASurvivor_ReadsNeverFail_AndItRejoins()
    {
        await WaitForClusterAsync(active: 3);

        // The node that ran the product's last scheduled run is the one to lose.
        var last = await WaitForRunAsync(Cluster.Alive[0], after: _clusterStarted, TimeSpan.FromSeconds(60));
        var victim = Cluster[last.Node];
        var survivors = Cluster.Alive.Where(n => n != victim).ToList();
        using var reading = new CancellationTokenSource();
        var reads = ReadContinuouslyAsync(survivors, reading.Token);

        await victim.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;

        // A survivor runs it, at its next schedule. How soon (the issue asks for 15 s) is measured by the cluster-failover
        // benchmark (docs/benchmarks.md), not timed here: a loaded test machine only makes it later.
        var next = await WaitForRunAsync(survivors[0], after: killedAt, TimeSpan.FromSeconds(60));
        Assert.NotEqual(victim.Name, next.Node);
        Assert.Contains(next.Node, survivors.Select(s => s.Name));

        await reading.CancelAsync();
        var (served, failures) = await reads;
        Assert.True(served > 0, "no read was sent to a survivor");
        Assert.True(failures.Count == 0, $"{failures.Count} of {served + failures.Count} reads on survivors failed: {string.Join("; ", failures.Take(3))}");

        // No two runs of the product ever overlapped in time, the killed node's last one included.
        var runs = (await RunsAsync(survivors[0])).Where(r => r.Finished is not null).OrderBy(r => r.Started).ToList();
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i - 1].Finished <= runs[i].Started, $"run {runs[i - 1].Id} on {runs[i - 1].Node} ({runs[i - 1].Started:O} to {runs[i - 1].Finished:O}) overlaps run {runs[i].Id} on {runs[i].Node} ({runs[i].Started:O})");
        }

        // The killed node comes back under its name and rejoins; the cluster view shows three active nodes again.
        await Cluster.StartNodeAsync(victim.Name, TimeSpan.FromSeconds(120), Cancel);
        var view = await WaitForClusterAsync(active: 3);
        Assert.Contains(view.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("node").GetString() == victim.Name && n.GetProperty("status").GetString() == "dead");

        await _stopWriting.CancelAsync();
        var (exitCode, output, error) = await MeshProcess.RunAsync(_environment, Cancel, "audit", "verify", "--data", Data, "--store", _store);
        Assert.True(exitCode == 0, $"mesh audit verify: exit {exitCode}: {error}{output}");
    }

    [Fact]
    public async Task ClusterView_IsForAdmins_AndItsNodesAreCountedInMetrics()
    {
        var view = await WaitForClusterAsync(active: 3);
        Assert.True(view.GetProperty("clustered").GetBoolean());
        Assert.Equal(["node-1", "node-2", "node-3"], view.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()).Order(StringComparer.Ordinal));

        var (_, output, _) = await MeshProcess.RunAsync(_environment, Cancel, "token", "mallory", "--data", Data, "--store", _store);
        using var asMallory = new HttpRequestMessage(HttpMethod.Get, $"{Cluster.Alive[0].Url}/api/v1/cluster");
        asMallory.Headers.Authorization = new AuthenticationHeaderValue("Bearer", output.TrimEnd().Split('\n')[^1]);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await Http.SendAsync(asMallory, Cancel)).StatusCode);

        using var metricsResponse = await SendAsync(Cluster.Alive[1], "/metrics", Cancel);
        var metrics = await metricsResponse.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("meshwork_cluster_nodes{status=\"active\"} 3", metrics, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopWriting.CancelAsync();
        if (_writer is not null)
        {
            await _writer;
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _stopWriting.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>Reads from the survivors in turn until stopped: how many were served, and every failure.</summary>
    private async Task<(int Served, List<string> Failures)> ReadContinuouslyAsync(List<MeshNode> survivors, CancellationToken stop)
    {
        var served = 0;
        var failures = new List<string>();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var node = survivors[i % survivors.Count];
            try
            {
                using var response = await SendAsync(node, Read, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.IsSuccessStatusCode && body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3)
                {
                    served++;
                }
                else
                {
                    failures.Add($"{node.Name}: {(int)response.StatusCode} {body}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures.Add($"{node.Name}: {e.Message}");
            }

            await Task.Delay(200, CancellationToken.None);
        }

        return (served, failures);
    }

    private async Task<Run> WaitForRunAsync(MeshNode via, DateTimeOffset after, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var runs = await RunsAsync(via);
            if (runs.FirstOrDefault(r => r.Status == "succeeded" && r.Started > after) is { } run)
            {
                return run;
            }

            Assert.True(waited.Elapsed < within, $"no run of {Product} succeeded within {within.TotalSeconds:0} s after {after:O}; runs: " +
                string.Join("; ", runs.Take(5).Select(r => $"{r.Status} on {r.Node} at {r.Started:O}")) + "\n" + string.Join("\n", Cluster.Nodes.Select(n => $"--- {n}\n{n.Process.Output()}")));
            await Task.Delay(250, Cancel);
        }
    }

    private async Task<JsonElement> WaitForClusterAsync(int active)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var response = await SendAsync(Cluster.Alive[0], "/api/v1/cluster", Cancel);
            var view = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
            var count = view.TryGetProperty("nodes", out var nodes) ? nodes.EnumerateArray().Count(n => n.GetProperty("status").GetString() == "active") : -1;
            if (count == active)
            {
                return view;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the cluster has {count} active nodes, not {active}: {view}");
            await Task.Delay(500, Cancel);
        }
    }

    private async Task<List<Run>> RunsAsync(MeshNode via)
    {
        using var response = await SendAsync(via, $"/api/v1/products/{Product}/runs?limit=200", Cancel);
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).EnumerateArray().Select(r => new Run(
            r.GetProperty("runId").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("node").GetString() ?? string.Empty,
            r.GetProperty("startedAt").GetDateTimeOffset(), r.GetProperty("finishedAt").ValueKind == JsonValueKind.Null ? null : r.GetProperty("finishedAt").GetDateTimeOffset()))];
    }

    private async Task<HttpResponseMessage> SendAsync(MeshNode node, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{node.Url}{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _admin);
        return await Http.SendAsync(request, cancellationToken);
    }

    private sealed record Run(string Id, string Status, string Node, DateTimeOffset Started, DateTimeOffset? Finished);
}
