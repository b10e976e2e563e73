using Meshwork.Platform.Serving;

namespace Meshwork.Platform.Tests.Serving;

/// <summary>The limits a port asks of the governed reader: they lower the server's, never raise them, and a cut read says so.</summary>
public sealed class GovernedReaderTests : IAsyncLifetime
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private readonly TestMesh _mesh = TestMesh.Example();
    private readonly MeshworkPlatform _platform = MeshworkPlatform.Create();
    private ServedMesh _served = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.Empty((await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel)).Errors);
        _served = await _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder, MaxRows = 3 }, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _served.DisposeAsync();
        _mesh.Dispose();
    }

    [Fact]
    public async Task FirstRows_CutsTheReadAndMarksItTruncated()
    {
        var olivia = (await _served.FindPrincipalAsync("olivia", Cancel))!;
        await using var result = await _served.ReadAsync(ReadRequest.Query(olivia, ReadChannels.Mcp, $"SELECT * FROM {Profiles}") with { Limits = new ReadLimits(FirstRows: 2) }, Cancel);
        await result.StartAsync(Cancel);
        var rows = 0L;
        await foreach (var batch in result.ReadAsync(Cancel))
        {
            rows += batch.Length;
        }

        Assert.Equal(2, rows);
        Assert.True(result.Truncated);
    }

    [Fact]
    public async Task AskedLimits_CannotRaiseTheServers()
    {
        var olivia = (await _served.FindPrincipalAsync("olivia", Cancel))!;
        await using var result = await _served.ReadAsync(ReadRequest.Read(olivia, ReadChannels.Http, Profiles) with { Limits = new ReadLimits(MaxRows: 1_000) }, Cancel);
        await result.StartAsync(Cancel);
        var error = await Assert.ThrowsAsync<ServingException>(async () =>
        {
            await foreach (var _ in result.ReadAsync(Cancel))
            {
            }
        });

        Assert.Equal(ServingError.LimitExceeded, error.Error);
        Assert.Contains("more than 3 rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByteLimit_AskedByThePort_FailsTheReadOnceExceeded()
    {
        var olivia = (await _served.FindPrincipalAsync("olivia", Cancel))!;
        await using var result = await _served.ReadAsync(ReadRequest.Read(olivia, ReadChannels.Flight, Profiles) with { Limit = 1, Limits = new ReadLimits(MaxBytes: 10) }, Cancel);
        result.Sent(10);
        var error = Assert.Throws<ServingException>(() => result.Sent(1));
        Assert.Equal(ServingError.LimitExceeded, error.Error);
    }

    [Fact]
    public async Task ALimitBelowOne_IsABadRequest_NamingIt()
    {
        var olivia = (await _served.FindPrincipalAsync("olivia", Cancel))!;
        var error = await Assert.ThrowsAsync<ServingException>(() => _served.ReadAsync(ReadRequest.Read(olivia, ReadChannels.Http, Profiles) with { Limits = new ReadLimits(FirstRows: 0) }, Cancel));
        Assert.Equal(ServingError.BadRequest, error.Error);
        Assert.Contains("first rows", error.Message, StringComparison.Ordinal);
    }
}
