using Meshwork.Model;
using Meshwork.Platform.Privacy;
using Meshwork.Platform.Products;
using Meshwork.Platform.Serving;

namespace Meshwork.Server.Hosting;

/// <summary>
/// Wakes the grain of every product that has a schedule or a retention, at start and whenever a new apply may have changed
/// schedules; the grains keep their own time from there (a reminder each, in the store). Each scan also ends the runs
/// whose process is gone. A scan that fails (a node that has just joined may not know where grains can go yet) is
/// tried again soon.
/// </summary>
internal sealed partial class ProductScheduler(ServedMesh served, IGrainFactory grains, ILogger<ProductScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = Rescan;
            try
            {
                // Runs whose process died elsewhere end as failed once their lease lapses.
                await served.EndAbandonedRunsAsync(stoppingToken);
                var state = await served.StateAsync(stoppingToken);
                foreach (var product in state.Catalog.Entries.Select(e => e.Product)
                    .Where(p => p.CustomProperties.Any(c => c.Property == Schedules.Property) || DatasetPrivacy.HasRetention(state.Mesh, p)))
                {
                    var schedule = await grains.GetGrain<IDataProductGrain>(product.Key).StartAsync();
                    if (schedule.Error is { } error)
                    {
                        LogBadSchedule(logger, product.Key, error);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e.Message);
                next = Retry;
            }

            await Task.Delay(next, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Product} has no valid schedule: {Error}")]
    private static partial void LogBadSchedule(ILogger logger, string product, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking scheduled products failed: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string error);
}
