using System.Text;
using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>The applied mesh's files: what a server serves and runs without a checkout.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    private static AppliedMesh Mesh(string stamp, params (string Path, string Text)[] files) =>
        new(stamp, "/repos/retail", new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), [.. files.Select(f => AppliedFile.Of(f.Path, Encoding.UTF8.GetBytes(f.Text)))]);

    [Fact]
    public async Task GetAppliedMesh_NothingRecorded_IsNull()
    {
        var store = await OpenAsync();

        Assert.Null(await store.GetAppliedMeshAsync(Cancel));
    }

    [Fact]
    public async Task GetAppliedMesh_StampSetWithoutFiles_IsNull()
    {
        // A data folder applied by a Meshwork that kept no files: the server asks for a new apply.
        var store = await OpenAsync();
        await store.SetMetaAsync(MetaKeys.Applied, "old", Cancel);

        Assert.Null(await store.GetAppliedMeshAsync(Cancel));
    }

    [Fact]
    public async Task RecordAppliedMesh_IsReadBackWholeByAnotherInstance_AndBecomesCurrent()
    {
        var binary = AppliedFile.Of("domains/sales/orders/orders.sql", [0, 1, 2, 255, 254]);
        var text = Mesh("s1", ("mesh.yaml", "name: retail\n"), ("people.yaml", "teams: []\n"));
        var recorded = text with { Files = [.. text.Files, binary] };
        await (await OpenAsync()).RecordAppliedMeshAsync(recorded, Cancel);

        var other = await OpenAsync();
        var read = await other.GetAppliedMeshAsync(Cancel);

        Assert.NotNull(read);
        Assert.Equal(("s1", "/repos/retail", recorded.AppliedAt), (read.Stamp, read.Origin, read.AppliedAt));
        Assert.Equal(["domains/sales/orders/orders.sql", "mesh.yaml", "people.yaml"], read.Files.Select(f => f.Path));
        Assert.Equal(binary.Content, read.Files[0].Content);
        Assert.All(read.Files, f => Assert.True(f.IsIntact, f.Path));
        Assert.Equal("s1", await other.GetMetaAsync(MetaKeys.Applied, Cancel));
        Assert.Equal("/repos/retail", await other.GetMetaAsync(MetaKeys.Repository, Cancel));
    }

    [Fact]
    public async Task RecordAppliedMesh_Newer_ReplacesTheCurrent_AndKeepsAnUnchangedContentOnce()
    {
        var store = await OpenAsync();
        await store.RecordAppliedMeshAsync(Mesh("s1", ("mesh.yaml", "name: retail\n"), ("people.yaml", "teams: []\n")), Cancel);

        await store.RecordAppliedMeshAsync(Mesh("s2", ("mesh.yaml", "name: retail\n"), ("people.yaml", "teams: [a]\n")), Cancel);

        var current = await store.GetAppliedMeshAsync(Cancel);
        Assert.Equal("s2", current!.Stamp);
        Assert.Equal("teams: [a]\n", Encoding.UTF8.GetString(current.Files.Single(f => f.Path == "people.yaml").Content));
        // Three contents for four files: mesh.yaml is the same in both applies. (An UPDATE that changes nothing counts the rows.)
        Assert.Equal(3, await ExecuteBehindTheStoreAsync("UPDATE applied_contents SET hash = hash", Cancel));
    }

    [Fact]
    public async Task RecordAppliedMesh_ManyApplies_KeepsTheNewestOnlyAndForgetsTheirContents()
    {
        var store = await OpenAsync();

        for (var i = 0; i < AppliedMesh.Kept + 3; i++)
        {
            await store.RecordAppliedMeshAsync(Mesh($"s{i}", ("mesh.yaml", $"name: retail{i}\n")), Cancel);
        }

        Assert.Equal($"s{AppliedMesh.Kept + 2}", (await store.GetAppliedMeshAsync(Cancel))!.Stamp);
        Assert.Equal(AppliedMesh.Kept, await ExecuteBehindTheStoreAsync("UPDATE applied_meshes SET origin = origin", Cancel));
        Assert.Equal(AppliedMesh.Kept, await ExecuteBehindTheStoreAsync("UPDATE applied_contents SET hash = hash", Cancel));
    }

    [Fact]
    public async Task RecordAppliedMesh_SameStampTwice_FailsAndKeepsTheFirst()
    {
        var store = await OpenAsync();
        await store.RecordAppliedMeshAsync(Mesh("s1", ("mesh.yaml", "name: first\n")), Cancel);

        await Assert.ThrowsAnyAsync<Exception>(() => store.RecordAppliedMeshAsync(Mesh("s1", ("mesh.yaml", "name: second\n")), Cancel));

        var current = await store.GetAppliedMeshAsync(Cancel);
        Assert.Equal("name: first\n", Encoding.UTF8.GetString(Assert.Single(current!.Files).Content));
    }

    [Fact]
    public async Task RecordAppliedMesh_ConcurrentAppliesFromSeveralInstances_LeaveOneWholeMeshCurrent()
    {
        var stores = new List<IMetadataStore>();
        for (var i = 0; i < 4; i++)
        {
            stores.Add(await OpenAsync());
        }

        // Every apply shares mesh.yaml with the others and has a people file of its own.
        await Task.WhenAll(stores.SelectMany((store, i) => Enumerable.Range(0, 5).Select(async j =>
        {
            await Task.Yield();
            await store.RecordAppliedMeshAsync(Mesh($"s{i}-{j}", ("mesh.yaml", "name: retail\n"), ("people.yaml", $"teams: [t{i}-{j}]\n")), Cancel);
        })));

        var current = await (await OpenAsync()).GetAppliedMeshAsync(Cancel);
        Assert.NotNull(current);
        Assert.Equal(["mesh.yaml", "people.yaml"], current.Files.Select(f => f.Path));
        Assert.Equal($"teams: [t{current.Stamp[1..]}]\n", Encoding.UTF8.GetString(current.Files[1].Content));
        Assert.Equal(AppliedMesh.Kept, await ExecuteBehindTheStoreAsync("UPDATE applied_meshes SET origin = origin", Cancel));
    }

    [Fact]
    public async Task GetAppliedMesh_ContentChangedBehindTheStore_IsReadAsNotIntact()
    {
        var store = await OpenAsync();
        await store.RecordAppliedMeshAsync(Mesh("s1", ("mesh.yaml", "name: retail\n"), ("people.yaml", "teams: []\n")), Cancel);

        // Both contents become one of them: the other file's content no longer has its hash.
        Assert.Equal(2, await ExecuteBehindTheStoreAsync("UPDATE applied_contents SET content = (SELECT content FROM applied_contents ORDER BY hash LIMIT 1)", Cancel));

        Assert.Single((await store.GetAppliedMeshAsync(Cancel))!.Files, f => !f.IsIntact);
    }
}
