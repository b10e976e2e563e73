using Antlr4.Runtime.Misc;
using Cel;

namespace Meshwork.Governance.Cel;

/// <summary><see cref="IPolicyEvaluator"/> on the CEL package (Cel 0.3.3), with Meshwork's own type-check pass.</summary>
public sealed class CelPolicyEvaluator : IPolicyEvaluator
{
    private readonly CelEnvironment _environment = new(null, null);

    public CompiledExpression Compile(string expression, PolicyDeclarations declarations)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(declarations);
        global::Cel.Internal.CelParser.StartContext tree;
        try
        {
            tree = _environment.Parse(expression);
        }
        catch (Exception e) when (e is CelExpressionParserException or ParseCanceledException or CelException)
        {
            throw new PolicyExpressionException($"does not parse: {e.Message}", ColumnOf(e.Message));
        }

        CelNode ast;
        try
        {
            ast = CelAstBuilder.Build(tree);
        }
        catch (NotSupportedException e)
        {
            throw new PolicyExpressionException(e.Message, 1);
        }

        try
        {
            var type = new CelTypeChecker(declarations.Variables).Check(ast);
            if (declarations.Boolean && type.Kind is not (CelKind.Bool or CelKind.Dyn))
            {
                throw new CelTypeException($"must be a condition (bool), not a {type}", ast.Column);
            }
        }
        catch (CelTypeException e)
        {
            throw new PolicyExpressionException(e.Message, e.Column);
        }

        var program = _environment.Compile(tree);
        return new CompiledExpression(expression, ast, variables => program(variables!));
    }

    public bool? Evaluate(CompiledExpression condition, PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            return condition.Program(input.Variables) is bool result ? result : null;
        }
        catch (CelException)
        {
            return null;
        }
    }

    // "Line 1:3 mismatched input ..." → column 4 (1-based).
    private static int ColumnOf(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"Line \d+:(\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1 : 1;
    }
}
