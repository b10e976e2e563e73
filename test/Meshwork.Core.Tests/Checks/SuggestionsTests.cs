using Meshwork.Checks;
using Meshwork.Linting;

namespace Meshwork.Tests.Checks;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("team-sale", "team-sales")]
    [InlineData("custmer_id", "customer_id")]
    [InlineData("sales.orders.v9", "sales.orders.v1")]
    public void Closest_Typo_SuggestsTheIntendedName(string typo, string intended) =>
        Assert.Equal(intended, Suggestions.Closest(typo, ["team-sales", "customer_id", "sales.orders.v1", "email"]));

    [Fact]
    public void Closest_NothingNear_SuggestsNothing() =>
        Assert.Null(Suggestions.Closest("nope", ["customer_id", "order_id"]));

    [Fact]
    public void Lint_UnknownContractTypo_HintsTheClosestId()
    {
        using var mesh = new TempFolder();
        mesh.CopyFrom(Path.Combine(TestPaths.Fixtures, "meshes", "base"));
        mesh.CopyFrom(Path.Combine(TestPaths.Fixtures, "meshes", "rules", "unknown-contract"));

        var report = MeshLinter.Lint(mesh.Path);

        Assert.Contains(report.Diagnostics, d => d.Rule == "unknown-contract" && d.Hint == "Did you mean 'sales.orders.v1'?");
    }
}
