using System.Text.Json;
using Meshwork.Platform.Store;
using Orleans.Storage;

namespace Meshwork.Platform.Cluster;

/// <summary>
/// Orleans' grain storage on the metadata store (<see cref="IGrainStateStore"/>): a grain's state as JSON of its own
/// type (nothing depends on how Orleans serializes), written only over the etag it was read with. A write that finds
/// another etag (a second activation of the grain wrote first) throws <see cref="InconsistentStateException"/>, on which
/// Orleans deactivates the stale activation.
/// </summary>
public sealed class StoreGrainStorage(IGrainStateStore store) : IGrainStorage
{
    /// <summary>The name grains give <c>[PersistentState(name, Name)]</c> to keep their state in the store.</summary>
    public const string Name = "meshwork";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (await store.ReadGrainStateAsync(grainId.ToString(), stateName).ConfigureAwait(false) is { } stored)
        {
            grainState.State = JsonSerializer.Deserialize<T>(stored.State, Json)!;
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var etag = await store.WriteGrainStateAsync(grainId.ToString(), stateName, JsonSerializer.Serialize(grainState.State, Json), grainState.ETag).ConfigureAwait(false)
            ?? throw Inconsistent(stateName, grainId, grainState.ETag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (!await store.ClearGrainStateAsync(grainId.ToString(), stateName, grainState.ETag).ConfigureAwait(false))
        {
            throw Inconsistent(stateName, grainId, grainState.ETag);
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static InconsistentStateException Inconsistent(string stateName, GrainId grainId, string? etag) =>
        new($"The state '{stateName}' of {grainId} was written by another activation since it was read (etag {etag ?? "none"}); this one is stale.",
            storedEtag: "unknown", currentEtag: etag ?? "none");
}
