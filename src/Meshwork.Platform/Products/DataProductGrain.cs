using Cronos;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Cluster;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Serving;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Meshwork.Platform.Products;

/// <summary>
/// The grain behind <see cref="IDataProductGrain"/>: cron from the product's <c>meshwork.schedule</c> custom
/// property (5 fields, or 6 with seconds; UTC), checked by a durable Orleans reminder against the platform's
/// <see cref="TimeProvider"/>. The reminder and the grain's <see cref="SchedulePosition"/> live in the metadata store,
/// so when the node hosting the grain dies, a survivor's reminder service fires it and the grain comes back there,
/// where it stood. After a run that published, each downstream product is told. Placed at random among the live nodes,
/// so that products spread over a cluster rather than stay on the node that woke them first.
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed partial class DataProductGrain(
    ServedMesh served,
    IOptions<ProductGrainOptions> options,
    ILogger<DataProductGrain> logger,
    [PersistentState("schedule", StoreGrainStorage.Name)] IPersistentState<SchedulePosition> position) : Grain, IDataProductGrain, IRemindable
{
    /// <summary>The name of the reminder that wakes a scheduled product.</summary>
    public const string ScheduleReminder = "schedule";

    /// <summary>The name of the reminder that applies a product's retention daily (<see cref="ProductGrainOptions.RetentionInterval"/>).</summary>
    public const string RetentionReminder = "retention";

    private CronExpression? _cron;
    private string? _cronText;
    private TimeSpan? _reminderPeriod;
    private DateTimeOffset _checkedUntil;
    private bool _retentionKept;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Where the schedule stood when the grain was last active (on any node): occurrences missed since collapse into
        // one run at the first check. A product never scheduled before starts from now.
        _checkedUntil = position.State.CheckedUntil ?? served.Time.GetUtcNow();
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
        await KeepRetentionReminderAsync().ConfigureAwait(true);
        if (await LoadScheduleAsync().ConfigureAwait(true) is { } error)
        {
            return new ProductSchedule(Key, _cronText, null, error);
        }

        if (_cron is null)
        {
            await StopReminderAsync().ConfigureAwait(true);
            return new ProductSchedule(Key, null, null, null);
        }

        // Registered once per activation and whenever the period changes: the reminder is a row in the store.
        var period = ReminderPeriod(_cron, served.Time.GetUtcNow(), options.Value.Tick);
        if (_reminderPeriod != period)
        {
            await this.RegisterOrUpdateReminder(ScheduleReminder, period, period).ConfigureAwait(true);
            _reminderPeriod = period;
        }

        return new ProductSchedule(Key, _cronText, _cron.GetNextOccurrence(_checkedUntil, TimeZoneInfo.Utc), null);
    }

    public async Task UpstreamPublishedAsync(string upstream) => await RunAsync($"upstream {upstream} published").ConfigureAwait(true);

    public async Task<RetentionResult> ApplyRetentionAsync()
    {
        try
        {
            var results = await served.ApplyRetentionAsync(dryRun: false, productKey: Key).ConfigureAwait(true);
            var error = results.Select(r => r.Error).OfType<string>().FirstOrDefault();
            if (error is not null)
            {
                LogRetentionFailed(logger, Key, error);
            }

            return new RetentionResult(Key, results.SelectMany(r => r.Datasets).Sum(d => d.Removed is { } removed ? removed.Current + removed.Earlier : 0), error);
        }
        catch (Exception e) when (e is ServingException or PipelineException or MeshworkException)
        {
            LogRetentionFailed(logger, Key, e.Message);
            return new RetentionResult(Key, 0, e.Message);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetentionReminder)
        {
            await ApplyRetentionAsync().ConfigureAwait(true);
            return;
        }

        if (reminderName != ScheduleReminder)
        {
            return;
        }

        // Woken by the reminder (after a failover, a restart or an idle deactivation): the schedule is read first.
        if (_reminderPeriod is null)
        {
            var schedule = await StartAsync().ConfigureAwait(true);
            if (schedule.Error is not null || schedule.Cron is null)
            {
                // The product lost its schedule (or the mesh lost the product) while no grain held it.
                await StopReminderAsync().ConfigureAwait(true);
                return;
            }
        }

        var now = served.Time.GetUtcNow();
        if (_cron?.GetNextOccurrence(_checkedUntil, TimeZoneInfo.Utc) is { } due && due <= now)
        {
            // Occurrences missed while this grain was busy collapse into one run.
            _checkedUntil = now;
            try
            {
                await RunAsync($"schedule {_cronText}").ConfigureAwait(true);
            }
            finally
            {
                // Recorded after the run: a run cut short by its node's death is run again where the grain comes back.
                position.State.CheckedUntil = now;
                await position.WriteStateAsync().ConfigureAwait(true);
            }
        }
    }

    /// <summary>
    /// How often the reminder fires: a fifth of the cron's interval, at least every second (or every
    /// <paramref name="tick"/>, when that is shorter) and at most every <paramref name="tick"/>, so that a run starts
    /// at most a fifth of its interval late and a daily product is not woken every second.
    /// </summary>
    public static TimeSpan ReminderPeriod(CronExpression cron, DateTimeOffset now, TimeSpan tick)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var floor = tick < TimeSpan.FromSeconds(1) ? tick : TimeSpan.FromSeconds(1);
        if (cron.GetNextOccurrence(now, TimeZoneInfo.Utc) is not { } next || cron.GetNextOccurrence(next, TimeZoneInfo.Utc) is not { } after)
        {
            return tick;
        }

        var fifth = (after - next) / 5;
        return fifth < floor ? floor : fifth > tick ? tick : fifth;
    }

    /// <summary>Reads the product's schedule from the served mesh; an error when it is not a cron expression.</summary>
    private async Task<string?> LoadScheduleAsync()
    {
        var state = await served.StateAsync().ConfigureAwait(true);
        var text = state.Mesh.FindProduct(Key)?.CustomProperties.FirstOrDefault(p => p.Property == Schedules.Property)?.StringValue;
        if (text == _cronText && (_cron is not null || text is null))
        {
            return null;
        }

        _cronText = text;
        _cron = null;
        if (text is null)
        {
            return null;
        }

        if (!Schedules.TryParse(text, out var cron, out var error))
        {
            return $"'{text}' is not a cron expression: {error}";
        }

        _cron = cron;
        return null;
    }

    /// <summary>Keeps the daily retention reminder while the product's contracts declare a retention, and removes it when they no longer do.</summary>
    private async Task KeepRetentionReminderAsync()
    {
        var state = await served.StateAsync().ConfigureAwait(true);
        var wanted = state.Mesh.FindProduct(Key) is { } product && Privacy.DatasetPrivacy.HasRetention(state.Mesh, product);
        if (wanted && !_retentionKept)
        {
            await this.RegisterOrUpdateReminder(RetentionReminder, options.Value.RetentionInterval, options.Value.RetentionInterval).ConfigureAwait(true);
        }
        else if (!wanted && await this.GetReminder(RetentionReminder).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }

        _retentionKept = wanted;
    }

    private async Task StopReminderAsync()
    {
        if (await this.GetReminder(ScheduleReminder).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }

        _reminderPeriod = null;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention of {Product} failed: {Error}")]
    private static partial void LogRetentionFailed(ILogger logger, string product, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run of {Product} ({Trigger}) failed: {Error}")]
    private static partial void LogRunFailed(ILogger logger, string product, string trigger, string error);
}
