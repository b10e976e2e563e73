namespace Meshwork.Platform.Serving;

/// <summary>How a data folder is served.</summary>
public sealed record ServeOptions
{
    /// <summary>The data folder of an applied mesh (its snapshots; the applied mesh itself is read from the store).</summary>
    public required string DataFolder { get; init; }

    /// <summary>Most rows one read returns; beyond it the read fails with a clear error.</summary>
    public long MaxRows { get; init; } = 50_000_000;

    /// <summary>Most bytes one read's response may have.</summary>
    public long MaxBytes { get; init; } = 20L * 1024 * 1024 * 1024;

    /// <summary>Longest a read may run, from its start to its last byte; the engine is interrupted then.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most reads running at once in this server; one more is refused (HTTP 429) until one ends.</summary>
    public int MaxConcurrentReads { get; init; } = 8;

    /// <summary>Most reads one principal may have running at once.</summary>
    public int MaxConcurrentReadsPerPrincipal { get; init; } = 4;

    /// <summary>Most memory one read's engine session may use.</summary>
    public long SessionMemoryBytes { get; init; } = 1L << 30;

    /// <summary>Threads one read's engine session may use: half the cores, so one read never takes them all.</summary>
    public int SessionThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Most values a generator (<c>range</c>, <c>generate_series</c>) may produce in one query.</summary>
    public long MaxGeneratedRows { get; init; } = 10_000_000;

    /// <summary>
    /// How long a product run's lease lasts without renewal; its heartbeat renews it every third of this. A run
    /// whose process died elsewhere is taken over after this long (on this machine at once).
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = Pipelines.RunLease.DefaultDuration;

    /// <summary>This server's name in the runs it records and in the cluster view (<c>mesh serve --node</c>); the machine's name by default.</summary>
    public string Node { get; init; } = Environment.MachineName;

    /// <summary>How often the store is checked for a newer apply (any process may run <c>mesh apply</c>); a newer one is loaded in the background.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);
}
