using Meshwork.Loading;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Planning;

/// <summary>
/// <c>mesh diff</c>: two versions of customers.profiles.v1 (base fixture) classified like the plan classifies
/// them, with the live consumers each breaking change would break. marketing.audience reads the profiles
/// through an input port and names only customer_id in its transform.
/// </summary>
public sealed class ContractDiffTests : IDisposable
{
    private const string ProfilesFile = "domains/customers/profiles/profiles.odcs.yaml";
    private const string ProfilesId = "customers.profiles.v1";

    private readonly TestMesh _mesh = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly MeshworkPlatform _platform;

    public ContractDiffTests() => _platform = MeshworkPlatform.Create(m => m.UseTime(_time));

    public void Dispose() => _mesh.Dispose();

    private string Profiles(string version, params string[] properties)
    {
        var columns = string.Join('\n', properties);
        var path = Path.Combine(_mesh.Root, $"profiles-{Guid.NewGuid():N}.odcs.yaml");
        File.WriteAllText(path, $"""
            apiVersion: v3.1.0
            kind: DataContract
            id: customers.profiles.v1
            version: {version}
            status: active
            domain: customers
            schema:
              - name: profiles
                properties:
            {columns}
            """);
        return path;
    }

    private const string CustomerId = """
              - name: customer_id
                logicalType: integer
                required: true
                primaryKey: true
        """;

    private const string Email = """
              - name: email
                logicalType: string
                classification: confidential
                tags: [pii, "pii:email"]
        """;

    private async Task ApplyAsync()
    {
        var result = await _platform.ApplyAsync(_mesh.Root, null);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task Diff_ColumnTheConsumerUses_BreaksThatConsumer()
    {
        await ApplyAsync();
        var changed = Profiles("1.3.0", CustomerId.Replace("logicalType: integer", "logicalType: string", StringComparison.Ordinal), Email);

        var diff = await _platform.DiffAsync(ProfilesId, changed, _mesh.Root, null);

        var change = Assert.Single(diff.Changes);
        Assert.True(change.Change.Breaking);
        Assert.Equal("customer_id", change.Change.Column);
        Assert.Equal("marketing.audience", Assert.Single(change.Breaks).Id);
        Assert.True(diff.BreaksLiveConsumer);
        Assert.Contains("as applied", diff.Old.Label, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_BreakingChangeToAColumnNoConsumerUses_BreaksNobody()
    {
        await ApplyAsync();

        var diff = await _platform.DiffAsync(ProfilesId, Profiles("1.3.0", CustomerId), _mesh.Root, null);

        var change = Assert.Single(diff.Changes);
        Assert.Equal(("email", true), (change.Change.Column, change.Change.Breaking));
        Assert.Empty(change.Breaks);
        Assert.False(diff.BreaksLiveConsumer);
        Assert.Equal("customer_id", Assert.Single(Assert.Single(diff.Consumers["profiles"]).Columns!));
    }

    [Fact]
    public async Task Diff_ColumnAnAgreementCovers_BreaksItsHolder()
    {
        await ApplyAsync();
        await using (var served = await _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder }))
        {
            var people = (await served.StateAsync()).Mesh.People;
            var request = await served.RequestAccessAsync(people.FindPrincipal("mallory")!, "customers.profiles.profiles_v1", "churn analysis", ["customer_id", "email"], null);
            await served.DecideAsync(people.FindPrincipal("olivia")!, request.Id, AgreementStatus.Active, null);
        }

        var diff = await _platform.DiffAsync(ProfilesId, Profiles("1.3.0", CustomerId), _mesh.Root, null);

        var broken = Assert.Single(Assert.Single(diff.Changes).Breaks);
        Assert.Equal("mallory", broken.Id);
        Assert.StartsWith("agreement ", broken.Via, StringComparison.Ordinal);
        Assert.True(diff.BreaksLiveConsumer);
    }

    [Fact]
    public async Task Diff_OptionalColumnAdded_IsCompatible()
    {
        var optional = """
                  - name: nickname
                    logicalType: string
            """;

        var diff = await _platform.DiffAsync(Profiles("1.2.0", CustomerId, Email), Profiles("1.3.0", CustomerId, Email, optional), _mesh.Root, null);

        var change = Assert.Single(diff.Changes);
        Assert.False(change.Change.Breaking);
        Assert.Contains("added as optional", change.Change.Description, StringComparison.Ordinal);
        Assert.False(diff.Breaking);
    }

    [Fact]
    public async Task Diff_BreakingChangeAsANewMajorVersion_ListsConsumersAsNeedingMigration()
    {
        await ApplyAsync();

        var diff = await _platform.DiffAsync(ProfilesId, Profiles("2.0.0", CustomerId.Replace("logicalType: integer", "logicalType: string", StringComparison.Ordinal)), _mesh.Root, null);

        Assert.True(diff.NewMajor);
        Assert.True(diff.Breaking);
        Assert.False(diff.BreaksLiveConsumer);
        var text = new StringWriter();
        DiffWriter.WriteText(diff, text);
        Assert.Contains("needs migration: marketing.audience", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_ContractIdAlone_ComparesTheAppliedVersionWithTheRepository()
    {
        await ApplyAsync();
        var file = Path.Combine(_mesh.Root, ProfilesFile);
        File.WriteAllText(file, File.ReadAllText(file).Replace("version: 1.2.0", "version: 1.3.0", StringComparison.Ordinal)
            .Replace("        tags: [pii, \"pii:email\"]", "        tags: [pii, \"pii:email\"]\n        required: true", StringComparison.Ordinal));

        var diff = await _platform.DiffAsync(ProfilesId, null, _mesh.Root, null);

        Assert.Equal("1.3.0", diff.New.Version);
        var change = Assert.Single(diff.Changes);
        Assert.Contains("optional → required", change.Change.Description, StringComparison.Ordinal);
        Assert.True(change.Change.Breaking);
    }

    [Fact]
    public async Task Diff_AndPlan_ClassifyTheSameEditTheSameWay()
    {
        await ApplyAsync();
        var file = Path.Combine(_mesh.Root, ProfilesFile);
        File.WriteAllText(file, File.ReadAllText(file).Replace("logicalType: integer", "logicalType: string", StringComparison.Ordinal));

        var diff = await _platform.DiffAsync(ProfilesId, null, _mesh.Root, null);
        var plan = (await _platform.PlanAsync(_mesh.Root, null)).Plan!;

        var breaking = Assert.Single(plan.Changes, c => c.Kind == ChangeKind.BreakingChange);
        Assert.Equal(diff.Changes.Select(c => (c.Change.Column, c.Change.Breaking)), breaking.SchemaChanges.Select(c => (c.Column, c.Breaking)));
        Assert.Equal(diff.Changes.SelectMany(c => c.Breaks).Select(c => c.Id).Distinct(), breaking.Consumers.Select(c => c.Id));
    }

    [Fact]
    public async Task Diff_InvalidContractFile_IsAnErrorNamingTheFile()
    {
        var broken = Path.Combine(_mesh.Root, "broken.odcs.yaml");
        File.WriteAllText(broken, "apiVersion: v3.1.0\nkind: DataContract\nschema: 7\n");

        var error = await Assert.ThrowsAsync<MeshworkException>(() => _platform.DiffAsync(broken, Profiles("1.2.0", CustomerId), _mesh.Root, null));

        Assert.Contains("broken.odcs.yaml is not a valid ODCS contract", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_UnknownContractId_SaysItIsNeitherAFileNorAnId()
    {
        var error = await Assert.ThrowsAsync<MeshworkException>(() => _platform.DiffAsync("no.such.v1", null, _mesh.Root, null));

        Assert.Contains("neither a contract file nor a contract id", error.Message, StringComparison.Ordinal);
    }
}
