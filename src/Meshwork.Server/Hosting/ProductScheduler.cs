using System.Net;
using System.Net.Sockets;
using Meshwork.Model;
using Meshwork.Platform.Products;
using Meshwork.Platform.Serving;

namespace Meshwork.Server.Hosting;

/// <summary>
/// Wakes the grain of every product that has a schedule, at start and whenever a new apply may have changed
/// schedules; the grains keep their own time from there. Each scan also ends the runs whose process is gone.
/// </summary>
internal sealed partial class ProductScheduler(ServedMesh served, IGrainFactory grains, ILogger<ProductScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Rescan = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The embedded default: one silo with localhost clustering, on free ports unless configured, so several
    /// servers (and test hosts) on one machine never collide.
    /// </summary>
    public static void ConfigureSilo(ISiloBuilder silo, IConfigurationSection section) =>
        silo.UseLocalhostClustering(
            siloPort: section.GetValue("SiloPort", 0) is > 0 and var siloPort ? siloPort : FreePort(),
            gatewayPort: section.GetValue("GatewayPort", 0) is > 0 and var gatewayPort ? gatewayPort : FreePort(),
            serviceId: "meshwork",
            clusterId: section["ClusterId"] ?? "meshwork");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Rescan);
        do
        {
            try
            {
                // Runs whose process died elsewhere end as failed once their lease lapses.
                await served.EndAbandonedRunsAsync(stoppingToken);
                var state = await served.StateAsync(stoppingToken);
                foreach (var product in state.Catalog.Entries.Select(e => e.Product)
                    .Where(p => p.CustomProperties.Any(c => c.Property == Schedules.Property)))
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
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Product} has no valid schedule: {Error}")]
    private static partial void LogBadSchedule(ILogger logger, string product, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking scheduled products failed: {Error}")]
    private static partial void LogScanFailed(ILogger logger, string error);
}
