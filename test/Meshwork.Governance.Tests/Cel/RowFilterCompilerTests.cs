using Meshwork.Engines.Ir;
using Meshwork.Governance.Cel;
using Meshwork.Model;

namespace Meshwork.Governance.Tests.Cel;

public sealed class RowFilterCompilerTests
{
    private static readonly Dictionary<string, string?> Columns = new(StringComparer.Ordinal)
    {
        ["country"] = "string",
        ["x"] = "integer",
        ["amount"] = "number",
        ["email"] = "string",
        ["active"] = "boolean",
    };

    private readonly CelPolicyEvaluator _evaluator = new();

    private FilterExpr Compile(string filter, Principal? principal = null, string purpose = "")
    {
        var people = TestPeople.Create(TestPeople.Mallory);
        var compiled = _evaluator.Compile(filter, PolicyDeclarations.ForRows(people, Columns));
        return RowFilterCompiler.Compile(compiled, PolicyInput.Principal(principal ?? TestPeople.Mallory, people),
            new Dictionary<string, object>(StringComparer.Ordinal) { ["purpose"] = purpose, ["channel"] = "sql" },
            new Dictionary<string, object>(StringComparer.Ordinal) { ["domain"] = "customers", ["owner"] = "team-customers" });
    }

    [Fact]
    public void Compile_ColumnEqualsPrincipalAttribute_SubstitutesTheValue() =>
        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")), Compile("row.country == principal.country"));

    [Theory]
    [InlineData("row.x != 1", FilterOperator.NotEqual)]
    [InlineData("row.x < 1", FilterOperator.Less)]
    [InlineData("row.x <= 1", FilterOperator.LessOrEqual)]
    [InlineData("row.x > 1", FilterOperator.Greater)]
    [InlineData("row.x >= 1", FilterOperator.GreaterOrEqual)]
    public void Compile_Comparison_KeepsItsOperator(string filter, FilterOperator op) =>
        Assert.Equal(new FilterBinary(op, new FilterColumn("x"), new FilterConstant(1L)), Compile(filter));

    [Fact]
    public void Compile_IntAttribute_IsALong() =>
        Assert.Equal(new FilterBinary(FilterOperator.Greater, new FilterColumn("amount"), new FilterConstant(1L)), Compile("row.amount > principal.clearance"));

    [Fact]
    public void Compile_ComparisonWithNull_KeepsANullConstant() =>
        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant(null)), Compile("row.country == null"));

    [Fact]
    public void Compile_ConstantFalseConjunct_FoldsTheWholeFilterToFalse() =>
        Assert.Equal(new FilterConstant(false), Compile("principal.clearance >= 3 && row.x == 1"));

    [Fact]
    public void Compile_ConstantTrueConjunct_LeavesTheRowPredicate()
    {
        var cleared = TestPeople.Person("carol", null, [], ("clearance", 5L));

        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("x"), new FilterConstant(1L)), Compile("principal.clearance >= 3 && row.x == 1", cleared));
    }

    [Fact]
    public void Compile_ConstantTrueDisjunct_FoldsToTrue() =>
        Assert.Equal(new FilterConstant(true), Compile("request.purpose == 'audit' || row.country == principal.country", purpose: "audit"));

    [Fact]
    public void Compile_ConstantFalseDisjunct_LeavesTheRowPredicate() =>
        Assert.Equal(new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")),
            Compile("request.purpose == 'audit' || row.country == principal.country", purpose: "marketing"));

    [Fact]
    public void Compile_NotOfAConstant_IsFolded() =>
        Assert.Equal(new FilterConstant(true), Compile("!('admin' in principal.roles)"));

    [Fact]
    public void Compile_NotOfARowPredicate_IsKept() =>
        Assert.Equal(new FilterNot(new FilterColumn("active")), Compile("!row.active"));

    [Fact]
    public void Compile_InAListOfConstants_IsAFilterIn()
    {
        var filter = Assert.IsType<FilterIn>(Compile("row.country in ['DE', 'NL']"));

        Assert.Equal(new FilterColumn("country"), filter.Value);
        Assert.Equal([new FilterConstant("DE"), new FilterConstant("NL")], filter.Items);
    }

    [Fact]
    public void Compile_InThePrincipalsList_UsesItsValues()
    {
        var filter = Assert.IsType<FilterIn>(Compile("row.email in principal.regions"));

        Assert.Equal([new FilterConstant("emea"), new FilterConstant("apac")], filter.Items);
    }

    [Fact]
    public void Compile_ConstantIn_IsFolded()
    {
        Assert.Equal(new FilterConstant(true), Compile("'analyst' in principal.roles"));
        Assert.Equal(new FilterConstant(false), Compile("principal.country in ['NL']"));
    }

    [Theory]
    [InlineData("row.email.startsWith('info@')", FilterStringTest.StartsWith, "info@")]
    [InlineData("row.email.endsWith('.de')", FilterStringTest.EndsWith, ".de")]
    [InlineData("row.email.contains(principal.country)", FilterStringTest.Contains, "DE")]
    public void Compile_StringTest_IsAFilterString(string filter, FilterStringTest test, string argument) =>
        Assert.Equal(new FilterString(test, new FilterColumn("email"), new FilterConstant(argument)), Compile(filter));

    [Fact]
    public void Compile_StringTestOnConstants_IsFolded() =>
        Assert.Equal(new FilterConstant(true), Compile("principal.country.startsWith('D')"));

    [Fact]
    public void Compile_AndOfTwoRowPredicates_KeepsBoth() =>
        Assert.Equal(
            new FilterBinary(FilterOperator.And,
                new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")),
                new FilterBinary(FilterOperator.Or, new FilterColumn("active"), new FilterBinary(FilterOperator.Less, new FilterColumn("amount"), new FilterConstant(100L)))),
            Compile("row.country == principal.country && (row.active || row.amount < 100)"));

    [Theory]
    [InlineData("size(row.email) > 3")]
    [InlineData("row.x * 2 > 10")]
    [InlineData("row.x + 1 == 2")]
    [InlineData("row.email.matches('^a')")]
    [InlineData("row.country in [row.email]")]
    public void Compile_UnsupportedConstruct_Throws(string filter) =>
        Assert.Throws<NotSupportedException>(() => Compile(filter));
}
