namespace Meshwork.Platform.Store;

/// <summary>
/// A process that holds run leases: <see cref="Instance"/> is a random id made when the process starts (never
/// its PID, which a restarted container reuses); machine and PID are for people to read.
/// </summary>
public sealed record LeaseHolder(string Instance, string Machine, int ProcessId)
{
    public override string ToString() => $"{Machine} pid {ProcessId}";
}

/// <summary>
/// A product's run lease: held by <see cref="RunId"/>'s process until <see cref="ExpiresAt"/>, which its
/// heartbeat keeps moving. The run id is also the fencing token: a publish checks the lease is still its run's.
/// </summary>
public sealed record Lease(string ProductKey, string RunId, LeaseHolder Holder, DateTimeOffset ExpiresAt)
{
    /// <summary>Why a run whose holder died is ended as failed.</summary>
    public const string LapsedFailure = "the process running it stopped (lease lapsed)";
}

/// <summary>A run tried to publish without holding its product's lease (it lapsed and another run may have it): nothing was published.</summary>
public sealed class LeaseLostException : Exception
{
    public LeaseLostException(string productKey, string runId)
        : base($"{productKey}: run {runId} no longer holds the product's lease, so it may not publish; nothing was published.")
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LeaseLostException()
    {
    }
}

/// <summary>
/// The machine, not Meshwork, is at fault: the metadata store is damaged, locked or unreadable, or the data folder
/// cannot be created or written. The message names the path and what to do; the CLI exits 2, the server answers 503.
/// Serializable by Orleans: a grain call that meets it reports it to the caller as it is.
/// </summary>
[GenerateSerializer]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StorageUnavailableException()
    {
    }
}
