namespace Meshwork.Governance.Cel;

/// <summary>A CEL expression parsed, type-checked and compiled once; evaluate it as often as needed.</summary>
public sealed class CompiledExpression
{
    internal CompiledExpression(string text, CelNode ast, Func<IDictionary<string, object>, object?> program)
    {
        Text = text;
        Ast = ast;
        Program = program;
    }

    public string Text { get; }

    internal CelNode Ast { get; }

    internal Func<IDictionary<string, object>, object?> Program { get; }
}

/// <summary>A CEL expression that does not parse or type-check; <see cref="Column"/> is 1-based within the expression.</summary>
public sealed class PolicyExpressionException : Exception
{
    public PolicyExpressionException()
    {
    }

    public PolicyExpressionException(string message)
        : base(message)
    {
    }

    public PolicyExpressionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PolicyExpressionException(string message, int column)
        : base(message) => Column = column;

    public int Column { get; } = 1;
}

/// <summary>
/// The policy language behind one interface, so it can be replaced without touching callers: compile once
/// (parse, declare, type-check), evaluate per decision, never per row.
/// </summary>
public interface IPolicyEvaluator
{
    /// <summary>Parses and type-checks <paramref name="expression"/> against <paramref name="declarations"/>; throws <see cref="PolicyExpressionException"/>.</summary>
    CompiledExpression Compile(string expression, PolicyDeclarations declarations);

    /// <summary>Evaluates a condition; an evaluation error is returned as null, for the caller to fail closed.</summary>
    bool? Evaluate(CompiledExpression condition, PolicyInput input);
}
