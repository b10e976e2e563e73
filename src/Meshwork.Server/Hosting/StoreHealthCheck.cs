using Meshwork.Platform.Serving;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Meshwork.Server.Hosting;

/// <summary>Ready when the metadata store answers and the applied mesh is loaded.</summary>
internal sealed class StoreHealthCheck(ServedMesh served) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var state = await served.StateAsync(cancellationToken).ConfigureAwait(false);
            await served.Store.GetMetaAsync("applied", cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{state.Catalog.Count} products served from {served.DataFolder}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The metadata store does not answer.", e);
        }
    }
}
