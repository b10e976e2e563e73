namespace Meshwork.Governance.Tests.Access;

public sealed class ResourcesTests : IDisposable
{
    private readonly PolicyMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public void Datasets_AreAddressedByDomainProductObjectAndMajor()
    {
        var datasets = Resources.Datasets(_mesh.Load()).ToList();

        Assert.Equal([PolicyMesh.Profiles, PolicyMesh.Audience, PolicyMesh.Orders], datasets.Select(d => d.Address).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Datasets_CarryOwnerPortAndColumnsWithTagsAndClassification()
    {
        var profiles = Resources.Datasets(_mesh.Load()).Single(d => d.Address == PolicyMesh.Profiles);

        Assert.Equal(("customers", "customers.profiles", "profiles", "team-customers"), (profiles.Domain, profiles.ProductKey, profiles.Port, profiles.OwnerTeam));
        var email = profiles.Columns.Single(c => c.Name == "email");
        Assert.Equal(["pii", "pii:email"], email.Tags);
        Assert.Equal("confidential", email.Classification);
        Assert.Equal("string", email.LogicalType);
    }

    [Fact]
    public void Product_CollectsColumnTagsAndClassificationsOfItsContracts()
    {
        var mesh = _mesh.Load();

        var values = Resources.Product(mesh, mesh.FindProduct("customers.profiles")!);

        Assert.Equal("team-customers", values["owner"]);
        Assert.Equal(["pii", "pii:email", "pii:phone", "marketing"], (List<object>)values["column_tags"]);
        Assert.Equal(["confidential", "restricted"], (List<object>)values["classifications"]);
        Assert.Empty((List<object>)values["sla"]);
    }
}
