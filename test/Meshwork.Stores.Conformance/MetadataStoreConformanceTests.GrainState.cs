namespace Meshwork.Stores.Conformance;

/// <summary>Grains' state: written over the etag it was read with (none for a first write), so a stale writer is refused.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    [Fact]
    public async Task GrainState_WrittenOverItsEtag_IsReadBack_AndAStaleWriteOrClearIsRefused()
    {
        var store = await OpenAsync();
        Assert.Null(await store.ReadGrainStateAsync("dataproduct/sales.orders", "schedule", Cancel));

        var first = await store.WriteGrainStateAsync("dataproduct/sales.orders", "schedule", """{"n":1}""", etag: null, Cancel);
        Assert.NotNull(first);
        Assert.Null(await store.WriteGrainStateAsync("dataproduct/sales.orders", "schedule", """{"n":9}""", etag: null, Cancel));
        var second = await store.WriteGrainStateAsync("dataproduct/sales.orders", "schedule", """{"n":2}""", first, Cancel);
        Assert.NotNull(second);
        Assert.Null(await store.WriteGrainStateAsync("dataproduct/sales.orders", "schedule", """{"n":9}""", first, Cancel));

        Assert.Equal(new Meshwork.Platform.Store.StoredGrainState("dataproduct/sales.orders", "schedule", """{"n":2}""", second),
            await store.ReadGrainStateAsync("dataproduct/sales.orders", "schedule", Cancel));
        Assert.Null(await store.ReadGrainStateAsync("dataproduct/sales.orders", "other", Cancel));

        Assert.False(await store.ClearGrainStateAsync("dataproduct/sales.orders", "schedule", first, Cancel));
        Assert.False(await store.ClearGrainStateAsync("dataproduct/sales.orders", "schedule", etag: null, Cancel));
        Assert.True(await store.ClearGrainStateAsync("dataproduct/sales.orders", "schedule", second, Cancel));
        Assert.True(await store.ClearGrainStateAsync("dataproduct/sales.orders", "schedule", etag: null, Cancel));
        Assert.Null(await store.ReadGrainStateAsync("dataproduct/sales.orders", "schedule", Cancel));
    }
}
