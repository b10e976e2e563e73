using Meshwork.Governance.Cel;

namespace Meshwork.Governance.Tests.Cel;

public sealed class PolicyDeclarationsTests
{
    [Fact]
    public void Principal_DeclaredAttributes_AreCelValues()
    {
        var people = TestPeople.Create(TestPeople.Mallory);

        var values = PolicyInput.Principal(TestPeople.Mallory, people);

        Assert.Equal("mallory", values["id"]);
        Assert.Equal("person", values["kind"]);
        Assert.Equal("team-marketing", values["team"]);
        Assert.Equal(["analyst"], (List<object>)values["roles"]);
        Assert.Equal(1L, values["clearance"]);
        Assert.Equal("DE", values["country"]);
        Assert.Equal(["emea", "apac"], (List<object>)values["regions"]);
    }

    [Fact]
    public void Principal_MissingAttributes_GetTheirTypesEmptyValue()
    {
        var people = TestPeople.Create();

        var values = PolicyInput.Principal(TestPeople.Person("bob", null, []), people);

        Assert.Equal(0L, values["clearance"]);
        Assert.Equal(string.Empty, values["country"]);
        Assert.Equal(0.0, values["score"]);
        Assert.Equal(false, values["contractor"]);
        Assert.Empty((List<object>)values["regions"]);
        Assert.Equal(string.Empty, values["team"]);
    }

    [Fact]
    public void Principal_IntAttribute_BecomesALong()
    {
        var people = TestPeople.Create();

        var values = PolicyInput.Principal(TestPeople.Person("bob", null, [], ("clearance", 2)), people);

        Assert.Equal(2L, values["clearance"]);
    }
}
