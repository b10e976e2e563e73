using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Meshwork.Loading;
using Meshwork.Platform.Cluster;
using Meshwork.Platform.Products;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;

namespace Meshwork.Server.Hosting;

/// <summary>
/// The server's Orleans silo. Reminders (the product grains' schedules) are kept in the metadata store in every mode.
/// Without <c>Meshwork:Cluster:Enabled</c> the silo is a cluster of its own (localhost clustering, on free ports), as
/// the embedded default always was. With it, the silo joins the cluster whose membership the (shared) store keeps:
/// every server on that store is a node of one cluster (docs/cluster.md).
/// </summary>
internal static class MeshworkSilo
{
    /// <summary>The service id of every Meshwork cluster; the cluster id tells clusters on one store apart.</summary>
    public const string ServiceId = "meshwork";

    public static void Configure(ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = ClusterSettings.From(configuration.GetSection("Meshwork"));
        silo.Configure<SiloOptions>(o => o.SiloName = settings.Node);
        UseStore(silo, configuration, settings);
        if (!settings.Enabled)
        {
            silo.UseLocalhostClustering(settings.SiloPort ?? FreePort(), settings.GatewayPort ?? FreePort(), serviceId: ServiceId, clusterId: settings.ClusterId);
            return;
        }

        silo.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = ServiceId;
            o.ClusterId = settings.ClusterId;
        });
        // No Orleans client connects to a node (HTTP is the way in), so the gateway is off unless a port is given.
        silo.ConfigureEndpoints(settings.AdvertisedAddress(), settings.SiloPort ?? ClusterSettings.DefaultSiloPort, settings.GatewayPort ?? 0, listenOnAnyHostAddress: true);
    }

    /// <summary>
    /// What a silo keeps in the metadata store: reminders and grain state always; with <c>Meshwork:Cluster:Enabled</c>, the membership too,
    /// with failure detection tuned to fail over in seconds. The served mesh (<see cref="MeshServer.AddServedMesh"/>) must
    /// be among the silo's services: its store is the one used.
    /// </summary>
    public static void UseStore(ISiloBuilder silo, IConfiguration configuration, ClusterSettings settings)
    {
        silo.AddReminders();
        silo.Configure<ReminderOptions>(o =>
        {
            // Products check their cron every fifth of its interval, and at least every second (DataProductGrain.ReminderPeriod).
            var tick = configuration.GetSection("Meshwork:Schedule").GetValue("Tick", new ProductGrainOptions().Tick);
            o.MinimumReminderPeriod = tick < TimeSpan.FromSeconds(1) ? tick : TimeSpan.FromSeconds(1);
        });
        silo.Services.AddSingleton<IReminderTable>(provider => new StoreReminderTable(provider.GetRequiredService<ServedMesh>().Store));
        silo.Services.AddGrainStorage(StoreGrainStorage.Name, (provider, _) => new StoreGrainStorage(provider.GetRequiredService<ServedMesh>().Store));
        if (!settings.Enabled)
        {
            return;
        }

        silo.Services.AddSingleton<IMembershipTable>(provider => new StoreMembershipTable(provider.GetRequiredService<ServedMesh>().Store, settings.ClusterId));
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // Orleans' defaults take tens of seconds to fail over (docs/cluster.md#failure-detection): each node probes others
            // (up to ten) every ProbeTimeout; two missed probes make a suspicion, and two suspicions (or one, in a cluster of
            // two) declare a node dead. A node declared dead that still runs stops itself.
            o.ProbeTimeout = settings.ProbeTimeout;
            o.NumMissedProbesLimit = settings.MissedProbes;
            o.NumVotesForDeathDeclaration = 2;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
            o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            o.DefunctSiloExpiration = TimeSpan.FromHours(1);
        });
    }

    /// <summary>Refuses a cluster on a store that only this machine can share, before anything starts.</summary>
    public static void Validate(ClusterSettings settings, IMetadataStoreProvider stores)
    {
        if (settings.Enabled && !stores.SharedByMachines)
        {
            throw new MeshworkException($"A cluster keeps its membership, reminders and runs in a store every node shares; the {stores.Name} store is this machine's. " +
                "Pass --store postgresql://… (the same on every node).");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// How a server takes part in a cluster: <c>Meshwork:Cluster:*</c> and <c>Meshwork:Node</c> (<c>mesh serve --cluster …</c>),
/// read from configuration only; the address to advertise is resolved when a silo is configured, never for a server on its own.
/// </summary>
public sealed record ClusterSettings(bool Enabled, string ClusterId, string Node, string? Advertise, int? SiloPort, int? GatewayPort, TimeSpan ProbeTimeout, int MissedProbes)
{
    /// <summary>Orleans' usual silo port.</summary>
    public const int DefaultSiloPort = 11111;

    public static ClusterSettings From(IConfigurationSection meshwork)
    {
        ArgumentNullException.ThrowIfNull(meshwork);
        var cluster = meshwork.GetSection("Cluster");
        return new ClusterSettings(
            cluster.GetValue("Enabled", false),
            cluster["ClusterId"] is { Length: > 0 } id ? id : "meshwork",
            meshwork["Node"] is { Length: > 0 } node ? node : Environment.MachineName,
            cluster["Advertise"] is { Length: > 0 } advertise ? advertise : null,
            cluster.GetValue<int?>("SiloPort") is > 0 and var silo ? silo : null,
            cluster.GetValue<int?>("GatewayPort") is > 0 and var gateway ? gateway : null,
            cluster.GetValue("ProbeTimeout", TimeSpan.FromSeconds(1)),
            cluster.GetValue("MissedProbes", 2));
    }

    /// <summary>The address other nodes reach this one at: <see cref="Advertise"/> (an address, or a name resolved to IPv4), else this machine's.</summary>
    public IPAddress AdvertisedAddress() =>
        Advertise is null ? DefaultAddress() : IPAddress.TryParse(Advertise, out var address) ? address : Resolve(Advertise);

    private static IPAddress Resolve(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new MeshworkException($"--advertise {host}: the name has no IPv4 address; give the address other nodes reach this one at.");
        }
        catch (SocketException e)
        {
            throw new MeshworkException($"--advertise {host}: the name does not resolve ({e.Message}); give the address other nodes reach this one at.", e);
        }
    }

    /// <summary>The first IPv4 address of an interface that is up and not the loopback; the loopback when there is none.</summary>
    private static IPAddress DefaultAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? IPAddress.Loopback;
}
