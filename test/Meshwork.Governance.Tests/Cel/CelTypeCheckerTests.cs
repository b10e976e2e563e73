using Meshwork.Governance.Cel;

namespace Meshwork.Governance.Tests.Cel;

/// <summary>The declaration and type-check pass, through <see cref="CelPolicyEvaluator.Compile"/>.</summary>
public sealed class CelTypeCheckerTests
{
    private readonly CelPolicyEvaluator _evaluator = new();

    private readonly PolicyDeclarations _declarations = PolicyDeclarations.For(TestPeople.Create());

    private PolicyExpressionException Fails(string expression) =>
        Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile(expression, _declarations));

    private void Compiles(string expression) => Assert.Equal(expression, _evaluator.Compile(expression, _declarations).Text);

    [Fact]
    public void Check_UnknownVariable_IsReportedAtItsColumn()
    {
        var error = Fails("true && user.team == 'x'");

        Assert.Contains("unknown name 'user'", error.Message, StringComparison.Ordinal);
        Assert.Contains("principal", error.Message, StringComparison.Ordinal);
        Assert.Equal(9, error.Column);
    }

    [Fact]
    public void Check_MisspeltDeclaredAttribute_SuggestsTheDeclaredOne()
    {
        var error = Fails("principal.contry == 'DE'");

        Assert.Contains("principal has no attribute 'contry'", error.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'country'", error.Message, StringComparison.Ordinal);
        Assert.Equal(11, error.Column);
    }

    [Fact]
    public void Check_AttributeNothingResembles_HasNoSuggestion()
    {
        var error = Fails("principal.department == 'it'");

        Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
        Assert.Contains("clearance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UnknownResourceField_IsReported()
    {
        var error = Fails("resource.ownr == 'team'");

        Assert.Contains("did you mean 'owner'", error.Message, StringComparison.Ordinal);
        Assert.Equal(10, error.Column);
    }

    [Fact]
    public void Check_StringComparedWithInt_IsReportedAtTheOperator()
    {
        var error = Fails("principal.clearance == 'three'");

        Assert.Contains("compares a int with a string", error.Message, StringComparison.Ordinal);
        Assert.Equal(21, error.Column);
    }

    [Fact]
    public void Check_OrderingBools_IsReported()
    {
        var error = Fails("principal.contractor < true");

        Assert.Contains("'<' compares a bool with a bool", error.Message, StringComparison.Ordinal);
        Assert.Equal(22, error.Column);
    }

    [Theory]
    [InlineData("principal.clearance >= 3")]
    [InlineData("principal.score > 2")]
    [InlineData("principal.clearance == 2.5")]
    [InlineData("principal.country != null")]
    [InlineData("principal.country < 'M'")]
    public void Check_ComparableOperands_Compile(string expression) => Compiles(expression);

    [Fact]
    public void Check_AndOnAString_IsReportedAtTheString()
    {
        var error = Fails("principal.clearance > 1 && principal.country");

        Assert.Contains("'&&' needs a bool here, not a string", error.Message, StringComparison.Ordinal);
        Assert.Equal(38, error.Column);
    }

    [Fact]
    public void Check_NotOnAnInt_IsReported()
    {
        var error = Fails("!principal.clearance");

        Assert.Contains("'!' needs a bool", error.Message, StringComparison.Ordinal);
        Assert.Equal(12, error.Column);
    }

    [Theory]
    [InlineData("principal.clearance + 1", "int", 21)]
    [InlineData("principal.country", "string", 11)]
    [InlineData("principal.roles", "list<string>", 11)]
    public void Check_NonBoolResult_IsNotACondition(string expression, string type, int column)
    {
        var error = Fails(expression);

        Assert.Contains($"must be a condition (bool), not a {type}", error.Message, StringComparison.Ordinal);
        Assert.Equal(column, error.Column);
    }

    [Theory]
    [InlineData("size(principal.country) > 1")]
    [InlineData("principal.country.size() > 1")]
    [InlineData("size(principal.roles) == 0")]
    [InlineData("principal.regions.size() >= 2")]
    public void Check_SizeOfStringOrList_IsAnInt(string expression) => Compiles(expression);

    [Fact]
    public void Check_SizeOfAnInt_IsReported()
    {
        var error = Fails("size(principal.clearance) > 1");

        Assert.Contains("size() needs a string or a list, not a int", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Column);
    }

    [Fact]
    public void Check_SizeComparedWithString_IsReported()
    {
        var error = Fails("size(principal.roles) == 'two'");

        Assert.Contains("compares a int with a string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("principal.country.startsWith('D')")]
    [InlineData("principal.email.endsWith('@example.org')")]
    [InlineData("principal.name.contains('a')")]
    [InlineData("principal.id.matches('^[a-z]+$')")]
    public void Check_StringFunctions_OnStrings_Compile(string expression) => Compiles(expression);

    [Fact]
    public void Check_StartsWithOnAnInt_IsReportedAtTheTarget()
    {
        var error = Fails("principal.clearance.startsWith('1')");

        Assert.Contains("'startsWith()' needs a string here, not a int", error.Message, StringComparison.Ordinal);
        Assert.Equal(11, error.Column);
    }

    [Fact]
    public void Check_StartsWithAnInt_IsReportedAtTheArgument()
    {
        var error = Fails("principal.country.startsWith(1)");

        Assert.Contains("'startsWith()' needs a string here, not a int", error.Message, StringComparison.Ordinal);
        Assert.Equal(30, error.Column);
    }

    [Fact]
    public void Check_ExistsMacro_BindsTheElementType()
    {
        Compiles("principal.roles.exists(r, r == 'admin' || r.startsWith('data-'))");

        var error = Fails("principal.roles.exists(r, r > 3)");

        Assert.Contains("compares a string with a int", error.Message, StringComparison.Ordinal);
        Assert.Equal(29, error.Column);
    }

    [Fact]
    public void Check_MacroVariable_IsNotVisibleAfterTheMacro()
    {
        var error = Fails("principal.roles.exists(r, r == 'a') && r == 'b'");

        Assert.Contains("unknown name 'r'", error.Message, StringComparison.Ordinal);
        Assert.Equal(40, error.Column);
    }

    [Fact]
    public void Check_ExistsOverAString_IsReported()
    {
        var error = Fails("principal.country.exists(c, c == 'D')");

        Assert.Contains("exists() needs a list, not a string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AllWithANonBoolBody_IsReported()
    {
        var error = Fails("principal.regions.all(r, size(r))");

        Assert.Contains("all() needs a condition (bool), not a int", error.Message, StringComparison.Ordinal);
        Assert.Equal(26, error.Column);
    }

    [Theory]
    [InlineData("principal.country in ['DE', 'NL']")]
    [InlineData("'analyst' in principal.roles")]
    [InlineData("principal.clearance in [1, 2, 3]")]
    public void Check_InAList_Compiles(string expression) => Compiles(expression);

    [Fact]
    public void Check_InAListOfAnotherType_IsReportedAtIn()
    {
        var error = Fails("principal.clearance in ['DE', 'NL']");

        Assert.Contains("'in' compares a int with a string", error.Message, StringComparison.Ordinal);
        Assert.Equal(21, error.Column);
    }

    [Fact]
    public void Check_InAString_NeedsAList()
    {
        var error = Fails("'D' in principal.country");

        Assert.Contains("'in' needs a list on its right, not a string", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Column);
    }

    [Fact]
    public void Check_UnknownFunction_IsReported()
    {
        var error = Fails("principal.country.lowerAscii() == 'de'");

        Assert.Contains("unknown function 'lowerAscii'", error.Message, StringComparison.Ordinal);
        Assert.Equal(19, error.Column);
    }

    [Fact]
    public void Check_SelectOnAString_IsReported()
    {
        var error = Fails("principal.country.code == 'DE'");

        Assert.Contains("a string has no fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RequestAndResourceFields_AreDeclared() =>
        Compiles("request.purpose == 'fraud' && request.channel == 'sql' && 'pii' in resource.column_tags && resource.classification == 'confidential'");

    [Fact]
    public void Check_RuleDeclarations_DescribeAProduct()
    {
        var rule = PolicyDeclarations.For(TestPeople.Create(), rule: true);

        Assert.Equal("'retention' in resource.sla", _evaluator.Compile("'retention' in resource.sla", rule).Text);
        var error = Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile("resource.column == 'email'", rule));
        Assert.Contains("resource has no attribute 'column'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExpressionThatDoesNotParse_IsReported()
    {
        var error = Fails("principal.country == ");

        Assert.Contains("does not parse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RowColumns_AreTypedFromTheContract()
    {
        var rows = PolicyDeclarations.ForRows(TestPeople.Create(), new Dictionary<string, string?> { ["amount"] = "number", ["country"] = "string", ["raw"] = null });

        Assert.Equal("row.amount > 10 && row.raw == 1", _evaluator.Compile("row.amount > 10 && row.raw == 1", rows).Text);
        var error = Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile("row.country > 10", rows));
        Assert.Contains("compares a string with a int", error.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile("row.city == 'Berlin'", rows));
        Assert.Contains("row has no attribute 'city'", missing.Message, StringComparison.Ordinal);
        Assert.Equal(5, missing.Column);
    }
}
