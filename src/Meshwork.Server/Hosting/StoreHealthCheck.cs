using Meshwork.Platform.Serving;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Meshwork.Server.Hosting;

/// <summary>Ready when the metadata store answers and the applied mesh is loaded; degraded while the newest apply cannot be loaded.</summary>
internal sealed class StoreHealthCheck(ServedMesh served) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var state = await served.StateAsync(cancellationToken).ConfigureAwait(false);
            await served.Store.GetMetaAsync("applied", cancellationToken).ConfigureAwait(false);
            // A newer apply that does not load leaves the previous one served: working, but not what was applied.
            return served.RefreshFailure is { } failure
                ? HealthCheckResult.Degraded($"{state.Catalog.Count} products served from an older apply: {failure}")
                : HealthCheckResult.Healthy($"{state.Catalog.Count} products served from {served.DataFolder}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The metadata store does not answer.", e);
        }
    }
}
