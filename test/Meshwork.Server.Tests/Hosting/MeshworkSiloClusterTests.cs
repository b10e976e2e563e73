using System.Diagnostics;
using Meshwork.Platform;
using Meshwork.Platform.Cluster;
using Meshwork.Platform.Products;
using Meshwork.Platform.Serving;
using Meshwork.Server.Hosting;
using Meshwork.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Meshwork.Server.Tests.Hosting;

/// <summary>
/// Three silos in this process, each configured exactly as <c>mesh serve --cluster</c> configures a node
/// (<see cref="MeshworkSilo.Configure"/>: membership and reminders in a PostgreSQL metadata store) over its own served
/// mesh. Orleans' in-process test cluster is not used: it always keeps the membership in its own in-memory table, which
/// is what this test must not do. The example's customer profiles are scheduled every second, and their source grows
/// during the test, so that every scheduled run publishes and is recorded with the silo that ran it.
/// </summary>
public sealed class MeshworkSiloClusterTests : IAsyncLifetime
{
    private const string Scheduled = "customers.profiles";
    private const string ClusterId = "silo-cluster-tests";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "meshwork-silo-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<Silo> _silos = [];
    private string? _store;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string DataFolder => Path.Combine(_root, ".mesh");

    public async ValueTask InitializeAsync()
    {
        ServerFixture.CopyTree(Path.Combine(ServerFixture.RepositoryRoot(), "examples", "retail"), _root);
        ExampleMesh.Schedule(_root, "domains/customers/profiles", "* * * * * *");
        _store = await PostgresServerFixture.CreateDatabaseAsync();
        var applied = await MeshworkPlatform.Create(m => m.UseStore(_store)).ApplyAsync(_root, null, cancellationToken: Cancel);
        Assert.True(applied.Errors.Count == 0, string.Join('\n', applied.Errors));

        foreach (var name in new[] { "silo-a", "silo-b", "silo-c" })
        {
            _silos.Add(await StartSiloAsync(name));
        }
    }

    [Fact]
    public async Task ProductGrains_HaveOneActivationEach_OnALiveSilo_AndMoveToASurvivorWhenTheirSiloDies()
    {
        var products = await ProductsAsync();
        foreach (var product in products)
        {
            await Grains().GetGrain<IDataProductGrain>(product).StartAsync();
        }

        // The silos joined through Meshwork's membership table: the store lists all three, active.
        Assert.Equal(3, (await Served.Store.ReadClusterAsync(ClusterId, cancellationToken: Cancel)).Members.Count(m => m.Status == "Active"));
        var hosts = await HostsAsync();
        Assert.Equal(products.Order(StringComparer.Ordinal), hosts.Keys.Order(StringComparer.Ordinal));
        var live = Alive.Select(s => s.Address).ToHashSet();
        Assert.All(hosts.Values, host => Assert.Contains(host, live));

        // Kill the silo of a product that is not scheduled (nothing but this test wakes it): the next call places it anew.
        var (moved, dead) = hosts.First(h => h.Key != Scheduled);
        await _silos.Single(s => s.Address == dead).KillAsync();
        var run = await Grains().GetGrain<IDataProductGrain>(moved).RunAsync("test");

        Assert.Null(run.Error);
        var after = await HostsAsync();
        Assert.NotEqual(dead, after[moved]);
        Assert.Contains(after[moved], Alive.Select(s => s.Address));

        // The survivors declared the killed silo dead in the store.
        var waited = Stopwatch.StartNew();
        while ((await Served.Store.ReadClusterAsync(ClusterId, dead.ToParsableString(), Cancel)).Members.Single().Status != "Dead")
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"{dead} was not declared dead in the store");
            await Task.Delay(250, Cancel);
        }
    }

    [Fact]
    public async Task ScheduledProduct_WhoseSiloIsKilled_IsRunByItsReminderOnASurvivor()
    {
        using var growing = new CancellationTokenSource();
        var writer = ExampleMesh.GrowCustomersAsync(_root, TimeSpan.FromMilliseconds(300), 80_000, growing.Token);
        try
        {
            await Grains().GetGrain<IDataProductGrain>(Scheduled).StartAsync();
            var first = await WaitForRunAsync(after: DateTimeOffset.MinValue, nodeOtherThan: null);
            var host = (await HostsAsync())[Scheduled];
            var silo = _silos.Single(s => s.Address == host);
            await silo.KillAsync();
            var killedAt = DateTimeOffset.UtcNow;

            // Nobody calls the grain: its reminder, kept in the store, fires on a survivor and runs it there.
            var next = await WaitForRunAsync(after: killedAt, nodeOtherThan: silo.Name);
            Assert.NotEqual(silo.Name, next.Node);
            Assert.NotNull(first.Node);
        }
        finally
        {
            await growing.CancelAsync();
            await writer;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Alive.ToList())
        {
            await silo.KillAsync();
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

    private IEnumerable<Silo> Alive => _silos.Where(s => !s.Killed);

    private ServedMesh Served => Alive.First().Services.GetRequiredService<ServedMesh>();

    /// <summary>Grain calls from a live silo, as a server's own requests make them.</summary>
    private IGrainFactory Grains() => Alive.First().Services.GetRequiredService<IGrainFactory>();

    private async Task<List<string>> ProductsAsync() => [.. (await Served.StateAsync(Cancel)).Catalog.Entries.Select(e => e.Product.Key)];

    /// <summary>Where each product grain is active, as the cluster view reports the live silos' activations; none twice.</summary>
    private async Task<Dictionary<string, SiloAddress>> HostsAsync()
    {
        var view = await new ClusterMonitor(Grains(), clustered: true, ClusterId).ReadAsync();
        var hosted = view.Nodes.SelectMany(n => n.Products.Select(p => (Product: p, Silo: SiloAddress.FromParsableString(n.Address)))).ToList();
        Assert.Equal(hosted.Count, hosted.Select(h => h.Product).Distinct().Count());
        return hosted.ToDictionary(h => h.Product, h => h.Silo);
    }

    private async Task<Meshwork.Platform.Store.RunRecord> WaitForRunAsync(DateTimeOffset after, string? nodeOtherThan)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var runs = await Served.Store.GetRunsAsync(Scheduled, 50, Cancel);
            if (runs.FirstOrDefault(r => r.Status == "succeeded" && r.StartedAt > after && r.Node != nodeOtherThan) is { } run)
            {
                return run;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"no scheduled run of {Scheduled} after {after:O}: " +
                string.Join("; ", runs.Take(5).Select(r => $"{r.Status} on {r.Node} at {r.StartedAt:O}")));
            await Task.Delay(250, Cancel);
        }
    }

    /// <summary>A node's host as <c>mesh serve --cluster</c> builds it, without the HTTP side: the served mesh and the silo.</summary>
    private async Task<Silo> StartSiloAsync(string name)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Meshwork:Data"] = DataFolder,
            ["Meshwork:Store"] = _store,
            ["Meshwork:Node"] = name,
            ["Meshwork:Cluster:Enabled"] = "true",
            ["Meshwork:Cluster:ClusterId"] = ClusterId,
            ["Meshwork:Cluster:Advertise"] = "127.0.0.1",
            ["Meshwork:Cluster:SiloPort"] = Meshwork.Testing.Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Services.AddServedMesh(builder.Configuration);
        builder.UseOrleans(silo => MeshworkSilo.Configure(silo, builder.Configuration));
        var host = builder.Build();
        await host.StartAsync(Cancel);
        return new Silo(name, host);
    }

    /// <summary>One silo's host; killing it stops it without a graceful leave, as a lost process would.</summary>
    private sealed class Silo(string name, IHost host)
    {
        public string Name { get; } = name;

        public IServiceProvider Services => host.Services;

        public SiloAddress Address { get; } = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        public bool Killed { get; private set; }

        public async Task KillAsync()
        {
            Killed = true;
            // A cancelled stop is Orleans' ungraceful one: the silo does not tell the cluster it leaves; the others find out.
            await host.StopAsync(new CancellationToken(canceled: true));
            host.Dispose();
        }
    }
}
