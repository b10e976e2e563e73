using Meshwork.Model;
using Meshwork.Platform.Cluster;
using Meshwork.Platform.Serving;
using Microsoft.AspNetCore.Authentication;
using Prometheus;

namespace Meshwork.Server.Hosting;

/// <summary>
/// The server's Prometheus metrics, in registries of its own. Reads are counted as they are served; the state
/// of datasets, checks and runs is read from the metadata store at each scrape, so it includes what other
/// processes (a <c>mesh apply</c> beside the server) did. Those per-dataset series are exact counts that no
/// access plan filters, so <c>/metrics</c> serves them only to a principal <see cref="ServedMesh.MayReadDatasetMetrics"/>
/// allows; the HTTP series (labelled by route pattern, never by dataset) are for anyone.
/// </summary>
internal sealed class MeshMetrics
{
    private static readonly string[] NodeStates = ["active", "joining", "shuttingdown", "dead"];

    private readonly Counter _rows;
    private readonly Counter _bytes;
    private readonly Gauge _published;
    private readonly Gauge _quarantined;
    private readonly Gauge _freshness;
    private readonly Gauge _checks;
    private readonly Gauge _runs;
    private readonly Gauge _nodes;
    private readonly Gauge _hosted;
    private readonly Gauge _heartbeat;

    public MeshMetrics(ServedMesh served, ClusterMonitor cluster)
    {
        var factory = Metrics.WithCustomRegistry(DatasetRegistry);
        _rows = factory.CreateCounter("meshwork_rows_served_total", "Rows served to consumers, per dataset read.", "dataset");
        _bytes = factory.CreateCounter("meshwork_bytes_served_total", "Response bytes served to consumers, per dataset read.", "dataset");
        _published = factory.CreateGauge("meshwork_dataset_rows", "Rows in the dataset's current snapshot.", "dataset");
        _quarantined = factory.CreateGauge("meshwork_dataset_quarantined_rows", "Rows the run of the current snapshot quarantined.", "dataset");
        _freshness = factory.CreateGauge("meshwork_dataset_freshness_age_seconds", "Seconds since the dataset's current snapshot was published.", "dataset");
        _checks = factory.CreateGauge("meshwork_check_results", "Results of the dataset's latest quality checks, by status.", "dataset", "status");
        _runs = factory.CreateGauge("meshwork_pipeline_runs", "Pipeline runs recorded in the metadata store, by product and status.", "product", "status");
        // The cluster's series are the platform's inside: for the same principals as the per-dataset ones (GET /api/v1/cluster is for admins).
        _nodes = factory.CreateGauge("meshwork_cluster_nodes", "Nodes of the cluster by status (a server without --cluster is a cluster of one).", "status");
        _hosted = factory.CreateGauge("meshwork_cluster_products_hosted", "Product grains active on each live node.", "node");
        _heartbeat = factory.CreateGauge("meshwork_cluster_heartbeat_age_seconds", "Seconds since each live node last wrote its heartbeat.", "node");
        DatasetRegistry.AddBeforeCollectCallback(cancellationToken => CollectAsync(served, cancellationToken));
        DatasetRegistry.AddBeforeCollectCallback(_ => CollectClusterAsync(cluster, served.Time.GetUtcNow()));
    }

    /// <summary>The series for anyone: HTTP requests, no dataset in any label.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>The per-dataset, per-product and cluster series.</summary>
    public CollectorRegistry DatasetRegistry { get; } = Metrics.NewCustomRegistry();

    /// <summary>
    /// <c>GET /metrics</c> in the Prometheus text format: the open series, then the per-dataset ones when the caller
    /// may read them. A bearer token that does not authenticate is refused (401) rather than answered with less,
    /// so a scrape with an expired token fails where it shows.
    /// </summary>
    public async Task ScrapeAsync(HttpContext context)
    {
        var principal = context.Items[typeof(Principal)] as Principal;
        if (principal is null && context.Request.Headers.Authorization.Count > 0)
        {
            await context.ChallengeAsync().ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        var body = context.Response.Body;
        await Registry.CollectAndExportAsTextAsync(body, context.RequestAborted).ConfigureAwait(false);
        if (principal is not null && ServedMesh.MayReadDatasetMetrics(principal))
        {
            await DatasetRegistry.CollectAndExportAsTextAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Counts a finished read against every dataset it read.</summary>
    public void Served(IEnumerable<string> datasets, long rows, long bytes)
    {
        foreach (var dataset in datasets)
        {
            _rows.WithLabels(dataset).Inc(rows);
            _bytes.WithLabels(dataset).Inc(bytes);
        }
    }

    private async Task CollectAsync(ServedMesh served, CancellationToken cancellationToken)
    {
        var state = await served.StateAsync(cancellationToken).ConfigureAwait(false);
        var now = served.Time.GetUtcNow();
        foreach (var entry in state.Catalog.Entries)
        {
            foreach (var status in await served.StatusAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                if (status.Snapshot is { } snapshot)
                {
                    _published.WithLabels(status.Address).Set(snapshot.Rows);
                    _quarantined.WithLabels(status.Address).Set(snapshot.Quarantined);
                    _freshness.WithLabels(status.Address).Set((now - snapshot.CreatedAt).TotalSeconds);
                }

                foreach (var group in new[] { "passed", "failed", "warned", "error" })
                {
                    _checks.WithLabels(status.Address, group).Set(status.Checks.Count(c => c.Status == group));
                }
            }
        }

        foreach (var (product, status, count) in await served.Store.GetRunCountsAsync(cancellationToken).ConfigureAwait(false))
        {
            _runs.WithLabels(product, status).Set(count);
        }
    }

    private async Task CollectClusterAsync(ClusterMonitor cluster, DateTimeOffset now)
    {
        var status = await cluster.ReadAsync().ConfigureAwait(false);
        foreach (var state in NodeStates)
        {
            _nodes.WithLabels(state).Set(status.Nodes.Count(n => n.Status == state));
        }

        // A node that left the live ones leaves these series too.
        var live = status.Nodes.Where(n => n.Status == "active").ToList();
        foreach (var gone in _hosted.GetAllLabelValues().Where(l => !live.Any(n => n.Node == l[0])).ToList())
        {
            _hosted.RemoveLabelled(gone);
            _heartbeat.RemoveLabelled(gone);
        }

        foreach (var node in live)
        {
            _hosted.WithLabels(node.Node).Set(node.Products.Count);
            _heartbeat.WithLabels(node.Node).Set(node.LastHeartbeat is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0);
        }
    }
}
