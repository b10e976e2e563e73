using Antlr4.Runtime.Misc;
using Cel;

namespace Meshwork.Governance.Cel;

/// <summary><see cref="IPolicyEvaluator"/> on the CEL package (Cel 0.3.3), with Meshwork's own type-check pass.</summary>
public sealed class CelPolicyEvaluator : IPolicyEvaluator
{
    /// <summary>
    /// The deepest nesting an expression may have: brackets and conditionals (<c>?:</c>) counted in its text before
    /// it is parsed, and operators, calls and member accesses counted in its syntax tree before that is walked. The
    /// parser and the walkers recurse once per level, and a stack overflow ends the process.
    /// </summary>
    public const int MaxDepth = 64;

    private readonly CelEnvironment _environment = new(null, null);

    public CompiledExpression Compile(string expression, PolicyDeclarations declarations)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(declarations);
        CheckBrackets(expression);
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
        catch (CelTooDeepException e)
        {
            throw new PolicyExpressionException(TooDeep, e.Column);
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

    private static string TooDeep => $"nests deeper than {MaxDepth} levels; split the condition into simpler ones";

    /// <summary>
    /// Refuses brackets and conditionals nested past <see cref="MaxDepth"/> (outside string literals and comments),
    /// naming the column where the limit is passed: the parser recurses once per bracket and per <c>?</c>.
    /// </summary>
    private static void CheckBrackets(string expression)
    {
        var depth = 0;
        var conditionals = new Stack<int>([0]);
        for (var i = 0; i < expression.Length; i++)
        {
            var c = expression[i];
            if (c is '"' or '\'')
            {
                i = EndOfString(expression, i);
            }
            else if (c == '/' && i + 1 < expression.Length && expression[i + 1] == '/')
            {
                i = expression.IndexOf('\n', i) is var end and >= 0 ? end : expression.Length;
            }
            else if (c is '(' or '[' or '{' or '?')
            {
                if (c == '?')
                {
                    conditionals.Push(conditionals.Pop() + 1);
                }
                else
                {
                    conditionals.Push(0);
                }

                if (++depth > MaxDepth)
                {
                    throw new PolicyExpressionException(TooDeep, i + 1);
                }
            }
            else if (c is ')' or ']' or '}' && conditionals.Count > 1)
            {
                // A conditional's last branch ends where the brackets around it close.
                depth -= 1 + conditionals.Pop();
            }
        }
    }

    /// <summary>The index of the quote closing the string literal opening at <paramref name="start"/> (single, triple, raw).</summary>
    private static int EndOfString(string expression, int start)
    {
        var quote = expression[start];
        var raw = start > 0 && expression[start - 1] is 'r' or 'R' && (start == 1 || !(char.IsLetterOrDigit(expression[start - 2]) || expression[start - 2] == '_'));
        var delimiter = start + 2 < expression.Length && expression[start + 1] == quote && expression[start + 2] == quote ? new string(quote, 3) : quote.ToString();
        for (var i = start + delimiter.Length; i < expression.Length; i++)
        {
            if (!raw && expression[i] == '\\')
            {
                i++;
            }
            else if (string.CompareOrdinal(expression, i, delimiter, 0, delimiter.Length) == 0)
            {
                return i + delimiter.Length - 1;
            }
        }

        return expression.Length;
    }

    // "Line 1:3 mismatched input ..." → column 4 (1-based).
    private static int ColumnOf(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"Line \d+:(\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1 : 1;
    }
}
