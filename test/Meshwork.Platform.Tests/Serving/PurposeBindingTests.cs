using Meshwork.Platform.Serving;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Serving;

/// <summary>Purpose limitation: a product's allowed purposes refuse access requests for any other at request time.</summary>
public sealed class PurposeBindingTests : IDisposable
{
    private const string Profiles = "customers.profiles.profiles_v1";

    private readonly TestMesh _mesh = new();
    private readonly MeshworkPlatform _platform = MeshworkPlatform.Create(m => m.UseTime(new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero))));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _mesh.Dispose();

    private async Task<ServedMesh> ServeAsync(string? allowed)
    {
        if (allowed is not null)
        {
            _mesh.Edit("domains/customers/profiles/product.odps.yaml", "inputPorts:", $"customProperties:\n  - property: meshwork.allowedPurposes\n    value: {allowed}\ninputPorts:");
        }

        Assert.Empty((await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel)).Errors);
        return await _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder }, Cancel);
    }

    [Fact]
    public async Task RequestAccess_ForAPurposeTheProductDoesNotAllow_IsRefusedNamingTheAllowedOnes()
    {
        await using var served = await ServeAsync("[Customer support, billing]");
        var sam = (await served.StateAsync(Cancel)).Mesh.People.FindPrincipal("sam")!;

        var refused = await Assert.ThrowsAsync<ServingException>(() => served.RequestAccessAsync(sam, Profiles, "marketing", null, null, Cancel));
        var allowed = await served.RequestAccessAsync(sam, Profiles, " BILLING ", null, null, Cancel);

        Assert.Equal(ServingError.Forbidden, refused.Error);
        Assert.Equal("customers.profiles says its data may be used for 'Customer support', 'billing' only (meshwork.allowedPurposes); 'marketing' is not one of them.", refused.Message);
        Assert.Equal("BILLING", allowed.Purpose);
        Assert.DoesNotContain(await served.Store.ListAgreementsAsync("sam", Profiles, Cancel), a => a.Purpose == "marketing");
    }

    [Fact]
    public async Task RequestAccess_ProductAllowingPurposesAsOneString_ReadsTheList()
    {
        await using var served = await ServeAsync("\"support, billing\"");
        var sam = (await served.StateAsync(Cancel)).Mesh.People.FindPrincipal("sam")!;

        await served.RequestAccessAsync(sam, Profiles, "support", null, null, Cancel);

        Assert.Equal(ServingError.Forbidden, (await Assert.ThrowsAsync<ServingException>(() => served.RequestAccessAsync(sam, Profiles, "analytics", null, null, Cancel))).Error);
    }

    [Fact]
    public async Task RequestAccess_ProductNamingNoPurposes_TakesAny()
    {
        await using var served = await ServeAsync(null);
        var sam = (await served.StateAsync(Cancel)).Mesh.People.FindPrincipal("sam")!;

        var agreement = await served.RequestAccessAsync(sam, Profiles, "anything at all", null, null, Cancel);

        Assert.Equal("anything at all", agreement.Purpose);
    }
}
