using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>The schema registry's persistence (<see cref="IMetadataStore.Registry"/>).</summary>
public abstract partial class MetadataStoreConformanceTests
{
    private static readonly Func<IReadOnlyList<RegisteredSchema>, IReadOnlyList<string>> Accept = _ => [];

    private static string Avro(string name) => $$"""{"type":"record","name":"{{name}}","fields":[]}""";

    private static Task<RegistrationOutcome> RegisterAsync(IRegistryStore registry, string subject, string name, IReadOnlyList<SchemaReference>? references = null,
        Func<IReadOnlyList<RegisteredSchema>, IReadOnlyList<string>>? check = null) =>
        registry.RegisterAsync(subject, "AVRO", " " + Avro(name), Avro(name), references ?? [], check ?? Accept, Cancel);

    [Fact]
    public async Task Register_NewSchema_GetsAnIdAndVersionOne_AndAgainReturnsTheSame()
    {
        var registry = (await OpenAsync()).Registry;

        var created = await RegisterAsync(registry, "s-value", "A");
        var again = await RegisterAsync(registry, "s-value", "A");

        Assert.Equal((1, true), (created.Version, created.Created));
        Assert.Empty(created.Refusals);
        Assert.Equal(created with { Created = false }, again);
        var read = await registry.GetSchemaAsync(created.Id, Cancel);
        Assert.Equal((created.Id, "AVRO", " " + Avro("A")), (read!.Id, read.SchemaType, read.Schema));
        Assert.Empty(read.References);
        Assert.Null(await registry.GetSchemaAsync(created.Id + 1000, Cancel));
    }

    [Fact]
    public async Task Register_SameSchemaUnderAnotherSubject_KeepsItsId_NewSchemaGetsANewIdAndNextVersion()
    {
        var registry = (await OpenAsync()).Registry;
        var a = await RegisterAsync(registry, "s-value", "A");

        var elsewhere = await RegisterAsync(registry, "t-value", "A");
        IReadOnlyList<RegisteredSchema>? seen = null;
        var b = await RegisterAsync(registry, "s-value", "B", check: live =>
        {
            seen = live;
            return [];
        });

        Assert.Equal((a.Id, 1, true), (elsewhere.Id, elsewhere.Version, elsewhere.Created));
        Assert.Equal(2, b.Version);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal([a.Id], seen!.Select(s => s.Id));
        Assert.Equal(a.Id, await registry.FindSchemaAsync("AVRO", Avro("A"), [], Cancel));
        Assert.Null(await registry.FindSchemaAsync("JSON", Avro("A"), [], Cancel));
        Assert.Null(await registry.FindSchemaAsync("AVRO", Avro("A"), [new SchemaReference("x", "t-value", 1)], Cancel));
        Assert.Equal([new SubjectVersion("s-value", 1, a.Id, false), new SubjectVersion("t-value", 1, a.Id, false)], await registry.UsagesAsync(a.Id, false, Cancel));
    }

    [Fact]
    public async Task Register_RefusedByTheCheck_RegistersNothing()
    {
        var registry = (await OpenAsync()).Registry;
        await RegisterAsync(registry, "s-value", "A");

        var refused = await RegisterAsync(registry, "s-value", "B", check: _ => ["incompatible"]);

        Assert.Equal(["incompatible"], refused.Refusals);
        Assert.Null(await registry.FindSchemaAsync("AVRO", Avro("B"), [], Cancel));
        Assert.Equal([1], (await registry.VersionsAsync("s-value", true, Cancel)).Select(v => v.Version));
    }

    [Fact]
    public async Task DeleteVersions_SoftThenPermanent_HidesThenRemoves_AndNumbersAreNeverReused()
    {
        var registry = (await OpenAsync()).Registry;
        var a = await RegisterAsync(registry, "s-value", "A");
        await RegisterAsync(registry, "s-value", "B");
        await RegisterAsync(registry, "t-value", "C");

        Assert.Empty(await registry.DeleteVersionsAsync("s-value", [2], permanent: true, Cancel)); // only a soft-deleted version is deleted for good
        Assert.Equal([2], await registry.DeleteVersionsAsync("s-value", [2], permanent: false, Cancel));
        Assert.Empty(await registry.DeleteVersionsAsync("s-value", [2, 9], permanent: false, Cancel));

        Assert.Equal([1], (await registry.VersionsAsync("s-value", false, Cancel)).Select(v => v.Version));
        Assert.Equal([(1, false), (2, true)], (await registry.VersionsAsync("s-value", true, Cancel)).Select(v => (v.Version, v.Deleted)));
        Assert.Equal(3, (await RegisterAsync(registry, "s-value", "D")).Version);

        await registry.DeleteVersionsAsync("t-value", [1], permanent: false, Cancel);
        Assert.Equal(["s-value"], await registry.SubjectsAsync(false, Cancel));
        Assert.Equal(["s-value", "t-value"], await registry.SubjectsAsync(true, Cancel));
        Assert.Equal([1], await registry.DeleteVersionsAsync("t-value", [1], permanent: true, Cancel));
        Assert.Equal(["s-value"], await registry.SubjectsAsync(true, Cancel));
        Assert.NotNull(await registry.GetSchemaAsync(a.Id, Cancel));
    }

    [Fact]
    public async Task IsReferenced_WhileALiveSchemaReferencesTheVersion()
    {
        var registry = (await OpenAsync()).Registry;
        await RegisterAsync(registry, "base-value", "Base");
        var reference = new SchemaReference("Base", "base-value", 1);
        var user = await RegisterAsync(registry, "user-value", "User", [reference]);

        Assert.True(await registry.IsReferencedAsync("base-value", 1, Cancel));
        Assert.False(await registry.IsReferencedAsync("base-value", 2, Cancel));
        Assert.Equal([reference], (await registry.GetSchemaAsync(user.Id, Cancel))!.References);
        Assert.Equal(user.Id, await registry.FindSchemaAsync("AVRO", Avro("User"), [reference], Cancel));

        await registry.DeleteVersionsAsync("user-value", [1], permanent: false, Cancel);
        Assert.False(await registry.IsReferencedAsync("base-value", 1, Cancel));
    }

    [Fact]
    public async Task RegistryConfig_PerSubjectAndField()
    {
        var registry = (await OpenAsync()).Registry;
        Assert.Null(await registry.GetRegistryConfigAsync("", "compatibility", Cancel));

        await registry.SetRegistryConfigAsync("", "compatibility", "FULL", Cancel);
        await registry.SetRegistryConfigAsync("", "mode", "READONLY", Cancel);
        await registry.SetRegistryConfigAsync("s-value", "compatibility", "NONE", Cancel);

        Assert.Equal(("FULL", "READONLY"), (await registry.GetRegistryConfigAsync("", "compatibility", Cancel), await registry.GetRegistryConfigAsync("", "mode", Cancel)));
        Assert.Equal(("NONE", null), (await registry.GetRegistryConfigAsync("s-value", "compatibility", Cancel), await registry.GetRegistryConfigAsync("s-value", "mode", Cancel)));
        await registry.SetRegistryConfigAsync("", "compatibility", null, Cancel);
        Assert.Null(await registry.GetRegistryConfigAsync("", "compatibility", Cancel));
        Assert.Equal("READONLY", await registry.GetRegistryConfigAsync("", "mode", Cancel));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => registry.GetRegistryConfigAsync("", "schema; DROP TABLE x", Cancel));
    }

    [Fact]
    public async Task Register_SameSchemaFromEightInstancesAtOnce_GetsOneIdAndOneVersion()
    {
        var registries = new List<IRegistryStore>();
        for (var i = 0; i < 8; i++)
        {
            registries.Add((await OpenAsync()).Registry);
        }

        var outcomes = await Task.WhenAll(registries.Select((registry, i) => Task.Run(() => RegisterAsync(registry, i % 2 == 0 ? "s-value" : "t-value", "A"), Cancel)));

        Assert.Single(outcomes.Select(o => o.Id).Distinct());
        Assert.All(outcomes, o => Assert.Equal(1, o.Version));
        Assert.Equal(2, outcomes.Count(o => o.Created));
        Assert.Single(await registries[0].VersionsAsync("s-value", true, Cancel));
        Assert.Single(await registries[0].VersionsAsync("t-value", true, Cancel));
    }
}
