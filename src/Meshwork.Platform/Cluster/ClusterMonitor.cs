using Meshwork.Platform.Products;

namespace Meshwork.Platform.Cluster;

/// <summary>
/// What the cluster looks like now, as Orleans' membership and the nodes' activations say: every node (the dead ones
/// until the store forgets them), its status and last heartbeat, and the products whose grains it hosts. The same view
/// for a single server (a cluster of one).
/// </summary>
public sealed class ClusterMonitor(IGrainFactory grains, bool clustered, string clusterId)
{
    public async Task<ClusterStatus> ReadAsync()
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var members = await management.GetDetailedHosts(onlyActive: false).ConfigureAwait(false);
        // Every activation on the active nodes, kept to the product grains: their type is the one a product reference carries.
        var productType = grains.GetGrain<IDataProductGrain>("-").GetGrainId().Type;
        var activations = await management.GetDetailedGrainStatistics().ConfigureAwait(false);
        var hosted = activations.Where(a => a.GrainId.Type == productType)
            .ToLookup(a => a.SiloAddress, a => a.GrainId.Key.ToString()!);

        var nodes = members
            .OrderBy(m => m.SiloName, StringComparer.Ordinal).ThenByDescending(m => m.StartTime)
            .Select(m => new ClusterNodeStatus(m.SiloName, m.SiloAddress.ToParsableString(), m.HostName, Status(m.Status),
                Utc(m.StartTime), m.IAmAliveTime == default ? null : Utc(m.IAmAliveTime),
                [.. hosted[m.SiloAddress].Order(StringComparer.Ordinal)]))
            .ToList();
        return new ClusterStatus(clustered, clusterId, nodes);
    }

    private static string Status(SiloStatus status) => status.ToString().ToLowerInvariant();

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}

/// <summary>The cluster as <c>GET /api/v1/cluster</c> shows it; <see cref="Clustered"/> is false for a server on its own.</summary>
public sealed record ClusterStatus(bool Clustered, string ClusterId, IReadOnlyList<ClusterNodeStatus> Nodes);

/// <summary>
/// One node: its name (<c>--node</c>), its silo address, the machine, its status (<c>active</c>, <c>joining</c>,
/// <c>shuttingdown</c>, <c>dead</c> ...), when it started, its last heartbeat in the store, and the products it hosts.
/// </summary>
public sealed record ClusterNodeStatus(string Node, string Address, string Host, string Status, DateTimeOffset StartedAt, DateTimeOffset? LastHeartbeat,
    IReadOnlyList<string> Products);
