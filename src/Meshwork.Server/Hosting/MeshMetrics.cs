using Meshwork.Platform.Serving;
using Prometheus;

namespace Meshwork.Server.Hosting;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own. Reads are counted as they are served; the state
/// of datasets, checks and runs is read from the metadata store at each scrape, so it includes what other
/// processes (a <c>mesh apply</c> beside the server) did.
/// </summary>
internal sealed class MeshMetrics
{
    private readonly Counter _rows;
    private readonly Counter _bytes;
    private readonly Gauge _published;
    private readonly Gauge _quarantined;
    private readonly Gauge _freshness;
    private readonly Gauge _checks;
    private readonly Gauge _runs;

    public MeshMetrics(ServedMesh served)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _rows = factory.CreateCounter("meshwork_rows_served_total", "Rows served to consumers, per dataset read.", "dataset");
        _bytes = factory.CreateCounter("meshwork_bytes_served_total", "Response bytes served to consumers, per dataset read.", "dataset");
        _published = factory.CreateGauge("meshwork_dataset_rows", "Rows in the dataset's current snapshot.", "dataset");
        _quarantined = factory.CreateGauge("meshwork_dataset_quarantined_rows", "Rows the run of the current snapshot quarantined.", "dataset");
        _freshness = factory.CreateGauge("meshwork_dataset_freshness_age_seconds", "Seconds since the dataset's current snapshot was published.", "dataset");
        _checks = factory.CreateGauge("meshwork_check_results", "Results of the dataset's latest quality checks, by status.", "dataset", "status");
        _runs = factory.CreateGauge("meshwork_pipeline_runs", "Pipeline runs recorded in the metadata store, by product and status.", "product", "status");
        Registry.AddBeforeCollectCallback(cancellationToken => CollectAsync(served, cancellationToken));
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

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
}
