using System.Text.Json.Nodes;
using Meshwork.Platform.Lineage;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Lineage;

/// <summary>
/// The HTTP transport against a real local receiver, on applies of the base fixture mesh (three products): events
/// arrive at OPENLINEAGE_URL + OPENLINEAGE_ENDPOINT with the API key as a Bearer token, a refused event is retried, and
/// a receiver that is down or hangs never fails or holds up the apply.
/// </summary>
public sealed class HttpLineageTransportTests : IDisposable
{
    private readonly TestMesh _mesh = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _mesh.Dispose();

    private MeshworkPlatform Platform(Action<LineageOptions> configure) =>
        MeshworkPlatform.Create(m => m.UseTime(_time).AddOpenLineage(o =>
        {
            (o.File, o.Disabled) = (null, false);
            configure(o);
        }));

    [Fact]
    public async Task Apply_PostsEveryEventToTheEndpoint_WithTheApiKeyAsABearerToken()
    {
        using var receiver = new LineageReceiver();
        var environment = new Dictionary<string, string>
        {
            [LineageOptions.UrlVariable] = receiver.Url.AbsoluteUri.TrimEnd('/'),
            [LineageOptions.ApiKeyVariable] = "s3cret-key",
        };
        var platform = Platform(o => o.ApplyEnvironment(environment.GetValueOrDefault));
        await using var lineage = platform.Lineage;

        var result = await platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(result.Errors);
        var received = receiver.Received.ToList();
        Assert.Equal(6, received.Count); // START and COMPLETE of each of three products
        Assert.All(received, r => Assert.Equal("/api/v1/lineage", r.Path));
        Assert.All(received, r => Assert.Equal("Bearer s3cret-key", r.Authorization));
        var events = received.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.All(events, e => Assert.Empty(OpenLineageSchemas.Problems(e)));
        Assert.Equal(3, events.Count(e => (string?)e["eventType"] == "COMPLETE"));
        Assert.Equal(6, lineage.Sent);
    }

    [Fact]
    public async Task Apply_WithoutAnApiKey_SendsNoAuthorization_AndARefusedEventIsRetried()
    {
        using var receiver = new LineageReceiver { Answer = n => n == 1 ? 503 : 200 };
        var platform = Platform(o => (o.Url, o.ApiKey, o.InitialBackoff) = (receiver.Url, null, TimeSpan.FromMilliseconds(20)));
        await using var lineage = platform.Lineage;

        var result = await platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(result.Errors);
        var received = receiver.Received.ToList();
        Assert.All(received, r => Assert.Null(r.Authorization));
        // The first event was refused once, then sent again: seven requests, six events delivered, none lost.
        Assert.Equal(7, received.Count);
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.Equal((6L, 0L, 0L), (lineage.Sent, lineage.Failed, lineage.Dropped));
    }

    [Fact]
    public async Task Apply_WithTheReceiverDown_Succeeds_AndItsEventsAreRetriedThenGivenUpOrDropped()
    {
        var platform = Platform(o => (o.Url, o.MaxAttempts, o.InitialBackoff, o.QueueCapacity) = (LineageReceiver.Down(), 2, TimeSpan.FromMilliseconds(10), 2));
        await using var lineage = platform.Lineage;

        var result = await platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Products.Count(p => p.Outcome == "applied"));
        // Every one of the six events is accounted for: given up after its attempts, or dropped from the full queue.
        Assert.Equal(0, lineage.Sent);
        Assert.Equal(6, lineage.Failed + lineage.Dropped);
        Assert.True(lineage.Failed >= 1);
    }

    [Fact]
    public async Task Apply_WithAReceiverThatNeverAnswers_FinishesWhileItsRequestIsStillOpen_AndTheFullQueueDropsTheOldest()
    {
        using var receiver = new LineageReceiver { Hang = true };
        var platform = Platform(o => (o.Url, o.RequestTimeout, o.QueueCapacity, o.FlushTimeout) = (receiver.Url, TimeSpan.FromMinutes(5), 1, TimeSpan.Zero));
        var lineage = platform.Lineage;

        var result = await platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel);

        Assert.Empty(result.Errors);
        // The apply is done while the receiver still holds the first request it got: no run waited for it.
        for (var waited = 0; receiver.Received.IsEmpty && waited < 200; waited++)
        {
            await Task.Delay(50, Cancel);
        }

        Assert.Single(receiver.Received);
        Assert.Equal(0, lineage.Sent);
        // Six events: one in flight, the newest queued, the ones between dropped oldest first (five when the first was
        // not yet taken off the queue as the others came).
        Assert.InRange(lineage.Dropped, 4, 5);
        await lineage.DisposeAsync();
    }
}
