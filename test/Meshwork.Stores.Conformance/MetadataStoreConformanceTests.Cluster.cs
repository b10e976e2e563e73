using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>Cluster membership: conditional writes on the version's and the row's etags, as Orleans' membership protocol needs.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    private const string Cluster = "mesh-test";

    private MembershipRow Member(string node, string status = "Active", string entry = "{}") => new(node, status, Time.GetUtcNow(), entry);

    [Fact]
    public async Task Cluster_Initialized_HasVersionZeroAndNoMembers_AndInitializingAgainChangesNothing()
    {
        var store = await OpenAsync();
        await store.InitializeClusterAsync(Cluster, Cancel);
        var first = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);

        await store.InitializeClusterAsync(Cluster, Cancel);
        var again = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);

        Assert.Equal((0, 0), (first.Version, first.Members.Count));
        Assert.NotEmpty(first.VersionEtag);
        AssertSameView(first, again);
    }

    [Fact]
    public async Task InsertMember_WithTheCurrentVersionEtag_AddsItAndMovesTheVersion()
    {
        var store = await OpenAsync();
        await store.InitializeClusterAsync(Cluster, Cancel);
        var view = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);

        Assert.True(await store.InsertMemberAsync(Cluster, Member("10.0.0.1:11111@1", entry: """{"a":1}"""), 1, view.VersionEtag, Cancel));

        var after = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);
        var member = Assert.Single(after.Members);
        Assert.Equal(("10.0.0.1:11111@1", "Active", """{"a":1}"""), (member.Node, member.Status, member.Entry));
        Assert.NotEmpty(member.ETag);
        Assert.Equal(1, after.Version);
        Assert.NotEqual(view.VersionEtag, after.VersionEtag);
    }

    [Fact]
    public async Task InsertMember_WithAStaleVersionEtagOrAnExistingName_IsRefusedAndWritesNothing()
    {
        var store = await OpenAsync();
        await store.InitializeClusterAsync(Cluster, Cancel);
        var stale = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);
        Assert.True(await store.InsertMemberAsync(Cluster, Member("a"), 1, stale.VersionEtag, Cancel));
        var current = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);

        Assert.False(await store.InsertMemberAsync(Cluster, Member("b"), 2, stale.VersionEtag, Cancel));
        Assert.False(await store.InsertMemberAsync(Cluster, Member("a"), 2, current.VersionEtag, Cancel));

        AssertSameView(current, await store.ReadClusterAsync(Cluster, cancellationToken: Cancel));
    }

    [Fact]
    public async Task UpdateMember_NeedsBothEtagsCurrent()
    {
        var store = await OpenAsync();
        await store.InitializeClusterAsync(Cluster, Cancel);
        Assert.True(await store.InsertMemberAsync(Cluster, Member("a"), 1, (await store.ReadClusterAsync(Cluster, cancellationToken: Cancel)).VersionEtag, Cancel));
        var view = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);
        var row = view.Members[0];

        Assert.False(await store.UpdateMemberAsync(Cluster, Member("a", "Dead"), "not-its-etag", 2, view.VersionEtag, Cancel));
        Assert.False(await store.UpdateMemberAsync(Cluster, Member("a", "Dead"), row.ETag, 2, "not-the-version", Cancel));
        AssertSameView(view, await store.ReadClusterAsync(Cluster, cancellationToken: Cancel));

        Assert.True(await store.UpdateMemberAsync(Cluster, Member("a", "Dead", """{"dead":true}"""), row.ETag, 2, view.VersionEtag, Cancel));
        var after = await store.ReadClusterAsync(Cluster, "a", Cancel);
        Assert.Equal(("Dead", """{"dead":true}""", 2), (after.Members[0].Status, after.Members[0].Entry, after.Version));
        Assert.NotEqual(row.ETag, after.Members[0].ETag);
    }

    [Fact]
    public async Task Cluster_TwoNodesWritingFromTheSameView_OnlyOneWins()
    {
        var (first, second) = (await OpenAsync(), await OpenAsync());
        await first.InitializeClusterAsync(Cluster, Cancel);
        var view = await first.ReadClusterAsync(Cluster, cancellationToken: Cancel);

        var results = await Task.WhenAll(
            first.InsertMemberAsync(Cluster, Member("a"), 1, view.VersionEtag, Cancel),
            second.InsertMemberAsync(Cluster, Member("b"), 1, view.VersionEtag, Cancel));

        Assert.Single(results, r => r);
        Assert.Single((await second.ReadClusterAsync(Cluster, cancellationToken: Cancel)).Members);
    }

    [Fact]
    public async Task UpdateIAmAlive_ChangesNoEtag_AndDefunctMembersAreTheDeadOnesLastAliveBefore()
    {
        var store = await OpenAsync();
        await store.InitializeClusterAsync(Cluster, Cancel);
        foreach (var (node, status) in new[] { ("alive", "Active"), ("dead-old", MembershipRow.Dead), ("dead-recent", MembershipRow.Dead) })
        {
            var view = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);
            Assert.True(await store.InsertMemberAsync(Cluster, Member(node, status), view.Version + 1, view.VersionEtag, Cancel));
        }

        var before = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);
        Time.Advance(TimeSpan.FromMinutes(10));
        await store.UpdateIAmAliveAsync(Cluster, "dead-recent", Time.GetUtcNow(), Cancel);
        await store.UpdateIAmAliveAsync(Cluster, "alive", Time.GetUtcNow(), Cancel);
        var touched = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);

        Assert.Equal(before.VersionEtag, touched.VersionEtag);
        Assert.Equal(before.Members.Select(m => m.ETag), touched.Members.Select(m => m.ETag));
        Assert.Equal(Time.GetUtcNow(), touched.Members.Single(m => m.Node == "alive").IAmAlive);

        Assert.Equal(1, await store.RemoveDefunctMembersAsync(Cluster, Time.GetUtcNow().AddMinutes(-5), Cancel));
        Assert.Equal(["alive", "dead-recent"], (await store.ReadClusterAsync(Cluster, cancellationToken: Cancel)).Members.Select(m => m.Node));
    }

    [Fact]
    public async Task DeleteCluster_RemovesItsMembersAndVersionOnly()
    {
        var store = await OpenAsync();
        foreach (var cluster in new[] { Cluster, "other" })
        {
            await store.InitializeClusterAsync(cluster, Cancel);
            Assert.True(await store.InsertMemberAsync(cluster, Member("a"), 1, (await store.ReadClusterAsync(cluster, cancellationToken: Cancel)).VersionEtag, Cancel));
        }

        await store.DeleteClusterAsync(Cluster, Cancel);

        var deleted = await store.ReadClusterAsync(Cluster, cancellationToken: Cancel);
        Assert.Equal((0, string.Empty, 0), (deleted.Version, deleted.VersionEtag, deleted.Members.Count));
        Assert.Single((await store.ReadClusterAsync("other", cancellationToken: Cancel)).Members);
    }

    private static void AssertSameView(ClusterView expected, ClusterView actual)
    {
        Assert.Equal((expected.Version, expected.VersionEtag), (actual.Version, actual.VersionEtag));
        Assert.Equal(expected.Members, actual.Members);
    }
}
