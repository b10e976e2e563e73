using Meshwork.Platform.Serving;

namespace Meshwork.Platform.Tests.Serving;

/// <summary>The port a read comes through is <c>request.channel</c> to policies: here agents (mcp) are denied what people may read.</summary>
public sealed class ReadChannelTests : IDisposable
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private readonly TestMesh _mesh = TestMesh.Example();
    private readonly MeshworkPlatform _platform = MeshworkPlatform.Create();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Read_ThroughTheMcpChannel_IsDeniedByAPolicyOnTheChannel_AndOtherChannelsAreNot()
    {
        File.WriteAllText(Path.Combine(_mesh.Root, "policies", "no-agents-on-customers.policy.yaml"), """
            apiVersion: meshwork/v1
            kind: Policy
            name: no-agents-on-customers
            type: access
            description: AI agents do not read customer data.
            targets:
              domains: [customers]
            when: "request.channel == 'mcp'"
            effect: deny
            """);
        Assert.Empty((await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel)).Errors);
        await using var served = await _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder }, Cancel);
        var olivia = (await served.FindPrincipalAsync("olivia", Cancel))!;

        var denied = await Assert.ThrowsAsync<ServingException>(() => served.ReadAsync(ReadRequest.Query(olivia, ReadChannels.Mcp, $"SELECT count(*) AS n FROM {Profiles}"), Cancel));
        await using (await served.ReadAsync(ReadRequest.Query(olivia, ReadChannels.Sql, $"SELECT count(*) AS n FROM {Profiles}"), Cancel))
        {
        }

        await using (await served.ReadAsync(ReadRequest.Read(olivia, ReadChannels.Ui, Profiles) with { Limit = 5 }, Cancel))
        {
        }

        Assert.Equal(ServingError.Forbidden, denied.Error);
        Assert.Contains("no-agents-on-customers", denied.Message, StringComparison.Ordinal);
    }
}
