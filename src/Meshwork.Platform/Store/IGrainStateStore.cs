namespace Meshwork.Platform.Store;

/// <summary>
/// Grains' persisted state kept in the store, as Orleans' grain storage needs it (<c>StoreGrainStorage</c> sits on this):
/// one row per grain and state name holding the state as its owner serialized it, and an etag. Every write and removal
/// names the etag it read (none for a state never written), so two activations of one grain cannot both write.
/// </summary>
public interface IGrainStateStore
{
    Task<StoredGrainState?> ReadGrainStateAsync(string grain, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a state when the stored one's etag is still <paramref name="etag"/> (null: when none is stored); returns
    /// the new etag, or null when it is not so (nothing written).
    /// </summary>
    Task<string?> WriteGrainStateAsync(string grain, string name, string state, string? etag, CancellationToken cancellationToken = default);

    /// <summary>Removes a state when its etag is still <paramref name="etag"/> (null: true when none is stored); false when it is not.</summary>
    Task<bool> ClearGrainStateAsync(string grain, string name, string? etag, CancellationToken cancellationToken = default);
}

/// <summary>A grain's state as stored: the grain, the state's name, the serialized state and the row's etag.</summary>
public sealed record StoredGrainState(string Grain, string Name, string State, string ETag);
