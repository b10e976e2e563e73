using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Meshwork.Platform;

namespace Meshwork.Cli.Tests.Commands;

/// <summary>A <c>mesh up</c> process killed (SIGKILL) while it streams a read: the read is on record all the same.</summary>
public sealed class ServeCrashTests(MeshUpFixture up) : IClassFixture<MeshUpFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill9_MidStream_LeavesTheAuditRecordOfTheRead()
    {
        var token = CliRunner.Run("token", "olivia", "--data", up.Data).Output.TrimEnd().Split('\n')[^1];
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var purpose = "crash-" + Guid.NewGuid().ToString("N");
        // Millions of rows as CSV: far more than the socket buffers hold, so the server is mid-stream while we read slowly.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{up.Url}/api/v1/query?format=csv"))
        {
            Content = JsonContent.Create(new { sql = "SELECT p.*, g.i FROM customers.profiles.profiles_v1 p, range(5000000) AS g(i)", purpose }),
        };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(Cancel);
        var buffer = new byte[64 * 1024];
        var received = 0;
        while (received < buffer.Length)
        {
            received += await body.ReadAsync(buffer.AsMemory(received), Cancel);
        }

        await up.KillAsync();

        await using var store = await MeshworkPlatform.Create().OpenStoreAsync(up.Data, Cancel);
        var records = (await store.GetAuditAsync(10_000, Cancel)).Where(r => r.Entry.Purpose == purpose).ToList();
        var started = Assert.Single(records);
        Assert.Equal("started", started.Entry.Outcome);
        Assert.Equal("customers.profiles.profiles_v1", started.Entry.Resource);
        Assert.Equal("olivia", started.Entry.Principal);
    }
}
