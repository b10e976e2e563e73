using System.Text;
using Meshwork.Loading;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Tests.Serving;

public sealed class ServedFromStoreTests : ServedFromStoreTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store: the applied mesh is kept there.</summary>
public sealed class ServedFromStoreOnPostgresTests : ServedFromStoreTests<PostgresTestStore>;

/// <summary>
/// A server serves the applied mesh the store keeps, never the repository checkout: without the checkout, through
/// a newer apply (loaded in the background), and refusing a damaged or missing one with a clear error.
/// </summary>
public abstract class ServedFromStoreTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private const string Product = "domains/marketing/audience/product.odps.yaml";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "meshwork-served-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override void DisposeMore()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private async Task ApplyAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        var result = await Platform.ApplyAsync(Repo.Root, _data, cancellationToken: Cancel);
        Assert.Empty(result.Errors);
    }

    private Task<ServedMesh> ServeAsync() => Platform.ServeAsync(new ServeOptions { DataFolder = _data, RefreshInterval = TimeSpan.FromSeconds(2) }, Cancel);

    [Fact]
    public async Task Open_CheckoutDeletedAfterApply_ServesReadsAndRunsTheAppliedMesh()
    {
        await ApplyAsync();
        var transform = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "domains/marketing/audience/transform.sql"), Cancel);
        Repo.Dispose();
        Assert.False(Directory.Exists(Repo.Root));

        await using var served = await ServeAsync();
        var state = await served.StateAsync(Cancel);
        var mallory = state.Mesh.People.FindPrincipal("mallory")!;
        await using (var read = await served.ReadDatasetAsync(mallory, "marketing.audience.audience_v2", null, null, null, "analysis", Cancel))
        {
            await read.StartAsync(Cancel);
            await foreach (var _ in read.ReadAsync(Cancel))
            {
            }

            Assert.Equal(2, read.Rows);
        }

        var runs = await served.RunProductAsync("marketing.audience", Cancel);

        Assert.Equal(["customers.profiles", "marketing.audience", "sales.orders"], state.Catalog.Entries.Select(e => e.Product.Key).Order(StringComparer.Ordinal));
        Assert.Equal("marketing.audience.audience_v2", Assert.Single(runs).Address);
        Assert.StartsWith(Path.Combine(_data, AppliedMeshFolder.FolderName), state.Mesh.RootPath, StringComparison.Ordinal);
        Assert.Equal(transform, await File.ReadAllTextAsync(Path.Combine(state.Mesh.RootPath, "domains/marketing/audience/transform.sql"), Cancel));
    }

    [Fact]
    public async Task State_NewerApply_IsLoadedByTheTimerInTheBackground_NeverByARequest()
    {
        await ApplyAsync();
        await using var served = await ServeAsync();
        var before = await served.StateAsync(Cancel);
        Repo.Edit(Product, "status: active", "status: active\ndescription:\n  purpose: Customers worth a campaign, by spend.");
        await ApplyAsync();

        // A request before the timer fires gets the loaded state at once: nothing is read, let alone linted, on its path.
        var request = served.StateAsync(Cancel);
        Assert.True(request.IsCompletedSuccessfully);
        Assert.Same(before, await request);

        Time.Advance(TimeSpan.FromSeconds(2));
        var after = before;
        for (var waited = 0; after == before && waited < 200; waited++)
        {
            await Task.Delay(50, Cancel);
            after = await served.StateAsync(Cancel);
        }

        Assert.NotSame(before, after);
        Assert.Equal("Customers worth a campaign, by spend.", after.Mesh.FindProduct("marketing.audience")!.Description.Purpose);
        Assert.Null(served.RefreshFailure);
    }

    [Fact]
    public async Task Refresh_NewerApplyThatDoesNotLoad_KeepsServingThePreviousAndSaysWhy()
    {
        await ApplyAsync();
        await using var served = await ServeAsync();
        var before = await served.StateAsync(Cancel);
        await using (var store = await Platform.OpenStoreAsync(_data, Cancel))
        {
            await store.RecordAppliedMeshAsync(new AppliedMesh("broken", "/elsewhere", Time.GetUtcNow(), [AppliedFile.Of("mesh.yaml", Encoding.UTF8.GetBytes("name: [\n"))]), Cancel);
        }

        var error = await Assert.ThrowsAsync<MeshworkException>(() => served.RefreshAsync(Cancel));

        Assert.Contains("does not load here (mesh.yaml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("run 'mesh apply' again", error.Message, StringComparison.Ordinal);
        Assert.Same(before, await served.StateAsync(Cancel));
        Assert.Equal(error.Message, served.RefreshFailure);

        await ApplyAsync();
        Assert.NotSame(before, await served.RefreshAsync(Cancel));
        Assert.Null(served.RefreshFailure);
    }

    [Fact]
    public async Task Open_AppliedFileDamagedInTheStore_IsRefusedNamingTheFile()
    {
        await ApplyAsync();
        await using (var store = await Platform.OpenStoreAsync(_data, Cancel))
        {
            var applied = (await store.GetAppliedMeshAsync(Cancel))!;
            // A content whose hash is not the one it is kept under (a disk error, or a hand edit of the database).
            var damaged = applied.Files.Select(f => f.Path == "people.yaml" ? f with { Hash = new string('0', 64), Content = Encoding.UTF8.GetBytes("teams: []\n") } : f).ToList();
            await store.RecordAppliedMeshAsync(applied with { Stamp = "damaged", Files = damaged }, Cancel);
        }

        var error = await Assert.ThrowsAsync<MeshworkException>(ServeAsync);

        Assert.Contains("'people.yaml' is damaged in the metadata store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_LastApplyKeptNoMeshInTheStore_AsksForANewApply()
    {
        await using (var store = await Platform.OpenStoreAsync(_data, Cancel))
        {
            await store.SetMetaAsync(MetaKeys.Applied, "applied by an older Meshwork", Cancel);
        }

        var error = await Assert.ThrowsAsync<MeshworkException>(ServeAsync);

        Assert.Contains("did not keep the applied mesh in the store; run 'mesh apply' again", error.Message, StringComparison.Ordinal);
    }
}
