using Cronos;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Serving;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Meshwork.Platform.Products;

/// <summary>
/// The grain behind <see cref="IDataProductGrain"/>: cron from the product's <c>meshwork.schedule</c> custom
/// property (5 fields, or 6 with seconds; UTC), checked every <see cref="ProductGrainOptions.Tick"/> against
/// the platform's <see cref="TimeProvider"/>; after a run that published, each downstream product is told.
/// </summary>
public sealed partial class DataProductGrain(ServedMesh served, IOptions<ProductGrainOptions> options, ILogger<DataProductGrain> logger) : Grain, IDataProductGrain
{
    private IGrainTimer? _timer;
    private CronExpression? _cron;
    private string? _cronText;
    private DateTimeOffset _checkedUntil;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _checkedUntil = served.Time.GetUtcNow();
        return Task.CompletedTask;
    }

    public async Task<ProductRunResult> RunAsync(string trigger)
    {
        try
        {
            var runs = await served.RunProductAsync(Key).ConfigureAwait(true);
            var result = new ProductRunResult(Key, trigger, runs, null);
            if (result.Published)
            {
                await NotifyDownstreamAsync().ConfigureAwait(true);
            }

            return result;
        }
        catch (Exception e) when (e is ServingException or PipelineException or MeshworkException)
        {
            LogRunFailed(logger, Key, trigger, e.Message);
            return new ProductRunResult(Key, trigger, [], e.Message);
        }
    }

    public async Task<ProductSchedule> StartAsync()
    {
        var state = await served.StateAsync().ConfigureAwait(true);
        var text = state.Mesh.FindProduct(Key)?.CustomProperties.FirstOrDefault(p => p.Property == Schedules.Property)?.StringValue;
        if (text != _cronText)
        {
            _cronText = text;
            _cron = null;
            if (text is not null)
            {
                if (!Schedules.TryParse(text, out var cron, out var error))
                {
                    return new ProductSchedule(Key, text, null, $"'{text}' is not a cron expression: {error}");
                }

                _cron = cron;
            }
        }

        if (_cron is null)
        {
            _timer?.Dispose();
            _timer = null;
            return new ProductSchedule(Key, null, null, null);
        }

        var tick = options.Value.Tick;
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(tick, tick) { KeepAlive = true });
        return new ProductSchedule(Key, _cronText, _cron.GetNextOccurrence(_checkedUntil, TimeZoneInfo.Utc), null);
    }

    public async Task UpstreamPublishedAsync(string upstream) => await RunAsync($"upstream {upstream} published").ConfigureAwait(true);

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        if (_cron is null)
        {
            return;
        }

        var now = served.Time.GetUtcNow();
        if (_cron.GetNextOccurrence(_checkedUntil, TimeZoneInfo.Utc) is { } due && due <= now)
        {
            // Occurrences missed while the silo was down or busy collapse into one run.
            _checkedUntil = now;
            await RunAsync($"schedule {_cronText}").ConfigureAwait(true);
        }
    }

    private async Task NotifyDownstreamAsync()
    {
        var state = await served.StateAsync().ConfigureAwait(true);
        var mesh = state.Mesh;
        foreach (var downstream in state.Catalog.Entries.Select(e => e.Product)
            .Where(p => p.InputPorts.Any(i => mesh.FindPublisher(i.ContractId)?.Product.Key == Key)))
        {
            await GrainFactory.GetGrain<IDataProductGrain>(downstream.Key).UpstreamPublishedAsync(Key).ConfigureAwait(true);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run of {Product} ({Trigger}) failed: {Error}")]
    private static partial void LogRunFailed(ILogger logger, string product, string trigger, string error);
}
