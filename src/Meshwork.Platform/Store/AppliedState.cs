using Meshwork.Platform.Planning;

namespace Meshwork.Platform.Store;

/// <summary>What the platform has applied: the actual state plans compare the repository with.</summary>
public sealed record AppliedState(IReadOnlyList<AppliedProduct> Products, IReadOnlyList<AppliedPort> Ports, IReadOnlyList<AppliedDataset> Datasets)
{
    public static AppliedState Empty { get; } = new([], [], []);
}

public sealed record AppliedProduct(string Key, string ProductId, string? OwnerTeam, DateTimeOffset AppliedAt);

public enum PortStatus
{
    Live,
    Deprecated,
    Dropped,
}

/// <summary>A port version as applied: one row per product, port name and major version.</summary>
public sealed record AppliedPort(
    string ProductKey,
    string Name,
    int Major,
    string Version,
    string ContractId,
    PortStatus Status,
    DateTimeOffset AppliedAt,
    DateTimeOffset? SunsetAt);

/// <summary>A dataset a port version publishes, with the schema consumers rely on and its current snapshot.</summary>
public sealed record AppliedDataset(
    string Address,
    string ProductKey,
    string PortName,
    int Major,
    DatasetSchema Schema,
    string? CurrentSnapshot,
    DateTimeOffset? PublishedAt);

/// <summary>A lineage edge: <paramref name="Upstream"/> (a dataset address or a source file) feeds a product.</summary>
public sealed record LineageEdge(string Upstream, string Downstream, string Port);
