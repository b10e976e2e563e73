namespace Meshwork.Platform.Serving;

/// <summary>How a data folder is served.</summary>
public sealed class ServeOptions
{
    /// <summary>The data folder of an applied mesh.</summary>
    public required string DataFolder { get; init; }

    /// <summary>The repository to serve; default: the one last applied into the data folder.</summary>
    public string? Repository { get; init; }

    /// <summary>Most rows one read returns; beyond it the read fails with a clear error.</summary>
    public long MaxRows { get; init; } = 50_000_000;

    /// <summary>Most bytes one read's response may have.</summary>
    public long MaxBytes { get; init; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Longest a read may run.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a product run's lease lasts without renewal; its heartbeat renews it every third of this. A run
    /// whose process died elsewhere is taken over after this long (on this machine at once).
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = Pipelines.RunLease.DefaultDuration;

    /// <summary>How often the applied state is checked for a newer apply (another process may run <c>mesh apply</c>).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);
}
