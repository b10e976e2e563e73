using Meshwork.Governance.Cel;
using Meshwork.Model;

namespace Meshwork.Governance.Tests.Cel;

public sealed class CelPolicyEvaluatorTests
{
    private readonly CelPolicyEvaluator _evaluator = new();

    private readonly People _people = TestPeople.Create(TestPeople.Mallory);

    private bool? Evaluate(string expression, Principal principal, string purpose = "", string owner = "team-customers")
    {
        var condition = _evaluator.Compile(expression, PolicyDeclarations.For(_people));
        return _evaluator.Evaluate(condition, new PolicyInput(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["principal"] = PolicyInput.Principal(principal, _people),
            ["resource"] = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["owner"] = owner,
                ["tags"] = new List<object> { "gold" },
                ["column_tags"] = new List<object> { "pii", "pii:email" },
            },
            ["request"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["purpose"] = purpose, ["channel"] = "sql" },
        }));
    }

    [Theory]
    [InlineData("principal.clearance >= 1", true)]
    [InlineData("principal.clearance >= 3", false)]
    [InlineData("principal.country == 'DE' && 'analyst' in principal.roles", true)]
    [InlineData("principal.country in ['NL', 'BE']", false)]
    [InlineData("principal.team != resource.owner", true)]
    [InlineData("principal.regions.exists(r, r == 'apac')", true)]
    [InlineData("principal.regions.all(r, r.startsWith('e'))", false)]
    [InlineData("size(principal.regions) == 2", true)]
    [InlineData("resource.column_tags.exists(t, t == 'pii' || t.startsWith('pii:'))", true)]
    [InlineData("request.purpose == 'fraud'", false)]
    [InlineData("principal.kind == 'person' && principal.id == 'mallory'", true)]
    public void Evaluate_Condition_ReturnsItsValue(string expression, bool expected) =>
        Assert.Equal(expected, Evaluate(expression, TestPeople.Mallory));

    [Fact]
    public void Evaluate_DeclaredAttributeThePrincipalLacks_GetsItsEmptyValue()
    {
        var bare = TestPeople.Person("bob", null, []);

        Assert.Equal(true, Evaluate("principal.clearance == 0 && principal.country == '' && size(principal.regions) == 0 && !principal.contractor", bare));
    }

    [Fact]
    public void Evaluate_ErrorDuringEvaluation_ReturnsNull()
    {
        // A division by zero type-checks but cannot be evaluated: the caller must fail closed.
        Assert.Null(Evaluate("10 / (principal.clearance - 1) > 0", TestPeople.Mallory));
    }

    [Fact]
    public void Evaluate_MissingVariable_ReturnsNull()
    {
        var condition = _evaluator.Compile("request.purpose == 'fraud'", PolicyDeclarations.For(_people));

        Assert.Null(_evaluator.Evaluate(condition, new PolicyInput(new Dictionary<string, object>(StringComparer.Ordinal))));
    }

    [Fact]
    public void Compile_ParenthesesToTheLimit_AreAccepted() =>
        Assert.NotNull(_evaluator.Compile(Parenthesised(CelPolicyEvaluator.MaxDepth), PolicyDeclarations.For(_people)));

    [Fact]
    public void Compile_ParenthesesPastTheLimit_AreRefusedAtTheFirstTooDeep()
    {
        var error = Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile(Parenthesised(CelPolicyEvaluator.MaxDepth + 1), PolicyDeclarations.For(_people)));

        Assert.Contains($"nests deeper than {CelPolicyEvaluator.MaxDepth} levels", error.Message, StringComparison.Ordinal);
        Assert.Equal(CelPolicyEvaluator.MaxDepth + 1, error.Column);
    }

    [Fact]
    public void Compile_BracketsInStrings_AreNotNesting() =>
        Assert.NotNull(_evaluator.Compile($"request.purpose == '{new string('(', 100)}' || request.purpose == r\"\\\" || request.purpose == \"{new string('[', 100)}\"",
            PolicyDeclarations.For(_people)));

    [Fact]
    public void Compile_ConditionalsPastTheLimit_AreRefused()
    {
        var chained = string.Concat(Enumerable.Repeat("true ? true : ", CelPolicyEvaluator.MaxDepth)) + "false";

        var error = Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile(chained, PolicyDeclarations.For(_people)));

        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_OperatorsToTheLimit_AreAccepted()
    {
        Assert.NotNull(_evaluator.Compile(new string('!', CelPolicyEvaluator.MaxDepth - 1) + "true", PolicyDeclarations.For(_people)));
        Assert.NotNull(_evaluator.Compile(Chain("true", " || ", CelPolicyEvaluator.MaxDepth), PolicyDeclarations.For(_people)));
    }

    [Fact]
    public void Compile_OperatorsPastTheLimit_AreRefused()
    {
        var declarations = PolicyDeclarations.For(_people);

        Assert.Contains("nests deeper than", Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile(new string('!', CelPolicyEvaluator.MaxDepth) + "true", declarations)).Message,
            StringComparison.Ordinal);
        Assert.Contains("nests deeper than", Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile(Chain("true", " || ", CelPolicyEvaluator.MaxDepth + 1), declarations)).Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(", "true", ")")]
    [InlineData("[", "1", "]")]
    [InlineData("size(", "'x'", ")")]
    [InlineData("!", "true", "")]
    [InlineData("true || ", "false", "")]
    [InlineData("1 + ", "1 > 0", "")]
    [InlineData("principal.", "id == 'x'", "")]
    [InlineData("true ? true : ", "false", "")]
    public void Compile_TwelveThousandLevels_AreRefusedWithoutExhaustingTheStack(string before, string inside, string after)
    {
        const int levels = 12_000;
        var expression = string.Concat(Enumerable.Repeat(before, levels)) + inside + string.Concat(Enumerable.Repeat(after, levels));

        var error = Assert.Throws<PolicyExpressionException>(() => _evaluator.Compile(expression, PolicyDeclarations.For(_people)));

        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);
    }

    private static string Parenthesised(int depth) => new string('(', depth) + "true" + new string(')', depth);

    private static string Chain(string operand, string separator, int operands) => string.Join(separator, Enumerable.Repeat(operand, operands));
}
