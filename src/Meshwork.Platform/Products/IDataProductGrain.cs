using Meshwork.Platform.Pipelines;
using Orleans.Concurrency;

namespace Meshwork.Platform.Products;

/// <summary>
/// A data product as a grain (DESIGN.md §7): it owns its schedule and its runs. Calls are one at a time, so
/// one silo never runs a product twice at once; the run lease in the metadata store holds across silos and
/// CLIs. Keyed by the product key (<c>domain.product</c>).
/// </summary>
public interface IDataProductGrain : IGrainWithStringKey
{
    /// <summary>Runs the product's pipeline now; <paramref name="trigger"/> says why (manual, schedule, upstream ...).</summary>
    Task<ProductRunResult> RunAsync(string trigger);

    /// <summary>Reads the product's schedule and keeps its reminder (in the store) while it has one, removing it when not. Idempotent.</summary>
    Task<ProductSchedule> StartAsync();

    /// <summary>Applies the product's retention now (its daily reminder calls it): rows past it removed from every version kept.</summary>
    Task<RetentionResult> ApplyRetentionAsync();

    /// <summary>An upstream product published new data: run so this product follows.</summary>
    [OneWay]
    Task UpstreamPublishedAsync(string upstream);
}

/// <summary>What a run did, or why it could not run.</summary>
[GenerateSerializer]
public sealed record ProductRunResult(string Product, string Trigger, IReadOnlyList<DatasetRun> Datasets, string? Error)
{
    /// <summary>Whether the run published a new snapshot of any dataset.</summary>
    public bool Published => Error is null && Datasets.Any(d => !d.Unchanged);
}

/// <summary>What a product's retention job removed (rows of current and earlier versions), or why it failed.</summary>
[GenerateSerializer]
public sealed record RetentionResult(string Product, long Removed, string? Error);

/// <summary>A product's schedule (<c>meshwork.schedule</c>, a cron expression) and its next occurrence.</summary>
[GenerateSerializer]
public sealed record ProductSchedule(string Product, string? Cron, DateTimeOffset? Next, string? Error);

/// <summary>
/// Where a product's schedule stands, kept in the store as the grain's state: the time up to which its cron's occurrences
/// were handled. A grain activated elsewhere (after a node died) takes it up: an occurrence that passed in between runs at once.
/// </summary>
[GenerateSerializer]
public sealed class SchedulePosition
{
    [Id(0)]
    public DateTimeOffset? CheckedUntil { get; set; }
}

/// <summary>How product grains keep time.</summary>
public sealed class ProductGrainOptions
{
    /// <summary>
    /// The longest a scheduled product waits between checks of its cron: it checks every fifth of its cron's
    /// interval, at least every second (<see cref="DataProductGrain.ReminderPeriod"/>), and never less often than this.
    /// </summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a product whose contracts declare a retention applies it (besides at every run): daily.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromDays(1);
}
