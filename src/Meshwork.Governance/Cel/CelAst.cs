using System.Globalization;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Cel.Internal;

namespace Meshwork.Governance.Cel;

/// <summary>
/// A CEL expression as a small syntax tree, built once from the parser's tree. The type checker and the
/// row-filter compiler walk this; evaluation uses the CEL package's compiled program.
/// <see cref="Column"/> is the 1-based character position in the expression, for diagnostics.
/// </summary>
internal abstract record CelNode(int Column);

internal sealed record CelLiteral(object? Value, int Column) : CelNode(Column);

internal sealed record CelIdent(string Name, int Column) : CelNode(Column);

internal sealed record CelSelect(CelNode Target, string Field, int Column) : CelNode(Column);

/// <summary>A function or operator call. Operators are named as CEL names them: <c>_==_</c>, <c>_&amp;&amp;_</c>, <c>!_</c>, <c>@in</c> ...</summary>
internal sealed record CelCall(string Function, CelNode? Target, IReadOnlyList<CelNode> Arguments, int Column) : CelNode(Column);

internal sealed record CelList(IReadOnlyList<CelNode> Items, int Column) : CelNode(Column);

/// <summary>An expression whose syntax tree nests deeper than <see cref="CelPolicyEvaluator.MaxDepth"/>, at <see cref="Column"/>.</summary>
internal sealed class CelTooDeepException(int column) : Exception
{
    public int Column { get; } = column;
}

/// <summary>
/// Builds <see cref="CelNode"/>s from the ANTLR tree of the CEL package's parser. Each node is built knowing its
/// depth (the root is 1), and none deeper than <see cref="CelPolicyEvaluator.MaxDepth"/> is built: chains of
/// operators parse flat but nest in the tree, and every walker of the tree recurses once per level.
/// </summary>
internal static class CelAstBuilder
{
    public static CelNode Build(CelParser.StartContext start) => Expr(start.e, 1);

    private static CelNode Expr(CelParser.ExprContext context, int depth)
    {
        if (context.op is null)
        {
            return Or(context.e, depth);
        }

        Within(depth + 1, context.op);
        return new CelCall("_?_:_", null, [Or(context.e, depth + 1), Or(context.e1, depth + 1), Expr(context.e2, depth + 1)], Col(context.op));
    }

    private static CelNode Or(CelParser.ConditionalOrContext context, int depth) =>
        Chain(context.conditionalAnd(), And, "_||_", context.LOGICAL_OR(), depth);

    private static CelNode And(CelParser.ConditionalAndContext context, int depth) =>
        Chain(context.relation(), Relation, "_&&_", context.LOGICAL_AND(), depth);

    /// <summary>Operands joined left to right: the first operand sits as deep as there are operators.</summary>
    private static CelNode Chain<T>(T[] operands, Func<T, int, CelNode> build, string function, ITerminalNode[] operators, int depth)
    {
        if (operators.Length > 0)
        {
            Within(depth + operators.Length, operators[0].Symbol);
        }

        var node = build(operands[0], depth + operators.Length);
        for (var i = 1; i < operands.Length; i++)
        {
            var operandDepth = depth + operators.Length - i + 1;
            node = new CelCall(function, null, [node, build(operands[i], operandDepth)], operators[i - 1].Symbol.Column + 1);
        }

        return node;
    }

    private static CelNode Relation(CelParser.RelationContext context, int depth)
    {
        Within(depth, context.Start);
        if (context.calc() is { } calc)
        {
            return Calc(calc, depth);
        }

        var function = context.op.Text switch
        {
            "in" => "@in",
            var op => $"_{op}_",
        };
        return new CelCall(function, null, [Relation(context.relation(0), depth + 1), Relation(context.relation(1), depth + 1)], Col(context.op));
    }

    private static CelNode Calc(CelParser.CalcContext context, int depth)
    {
        Within(depth, context.Start);
        return context.unary() is { } unary
            ? Unary(unary, depth)
            : new CelCall($"_{context.op.Text}_", null, [Calc(context.calc(0), depth + 1), Calc(context.calc(1), depth + 1)], Col(context.op));
    }

    private static CelNode Unary(CelParser.UnaryContext context, int depth) => context switch
    {
        CelParser.MemberExprContext m => Member(m.member(), depth),
        CelParser.LogicalNotContext n => Repeat("!_", n.member(), n.EXCLAM().Length, Col(n.Start), depth),
        CelParser.NegateContext n => Repeat("-_", n.member(), n.MINUS().Length, Col(n.Start), depth),
        _ => throw Unsupported(context),
    };

    private static CelNode Repeat(string function, CelParser.MemberContext member, int times, int column, int depth)
    {
        Within(depth + times, member.Start);
        var operand = Member(member, depth + times);
        for (var i = 0; i < times; i++)
        {
            operand = new CelCall(function, null, [operand], column);
        }

        return operand;
    }

    private static CelNode Member(CelParser.MemberContext context, int depth)
    {
        Within(depth, context.Start);
        return context switch
        {
            CelParser.PrimaryExprContext p => Primary(p.primary(), depth),
            CelParser.SelectContext s => new CelSelect(Member(s.member(), depth + 1), s.id.Text, Col(s.id)),
            CelParser.MemberCallContext c => new CelCall(c.id.Text, Member(c.member(), depth + 1), Arguments(c.args, depth + 1), Col(c.id)),
            CelParser.IndexContext i => new CelCall("_[_]", null, [Member(i.member(), depth + 1), Expr(i.index, depth + 1)], Col(i.op)),
            _ => throw Unsupported(context),
        };
    }

    private static CelNode Primary(CelParser.PrimaryContext context, int depth) => context switch
    {
        CelParser.IdentOrGlobalCallContext i when i.op is null => new CelIdent(i.id.Text, Col(i.id)),
        CelParser.IdentOrGlobalCallContext i => new CelCall(i.id.Text, null, Arguments(i.args, depth + 1), Col(i.id)),
        CelParser.NestedContext n => Expr(n.e, depth),
        CelParser.CreateListContext l => new CelList(l.elems?.optExpr().Select(e => Expr(e.e, depth + 1)).ToList() ?? [], Col(l.Start)),
        CelParser.ConstantLiteralContext c => Literal(c.literal()),
        _ => throw Unsupported(context),
    };

    /// <summary>Refuses a node at <paramref name="depth"/> past the limit, naming where it starts.</summary>
    private static void Within(int depth, IToken at)
    {
        if (depth > CelPolicyEvaluator.MaxDepth)
        {
            throw new CelTooDeepException(Col(at));
        }
    }

    private static List<CelNode> Arguments(CelParser.ExprListContext? list, int depth) => list?.expr().Select(e => Expr(e, depth)).ToList() ?? [];

    private static CelLiteral Literal(CelParser.LiteralContext context)
    {
        var column = Col(context.Start);
        return context switch
        {
            CelParser.IntContext i => new CelLiteral(long.Parse((i.sign?.Text ?? string.Empty) + i.tok.Text, CultureInfo.InvariantCulture), column),
            CelParser.UintContext u => new CelLiteral(long.Parse(u.tok.Text.TrimEnd('u', 'U'), CultureInfo.InvariantCulture), column),
            CelParser.DoubleContext d => new CelLiteral(double.Parse((d.sign?.Text ?? string.Empty) + d.tok.Text, CultureInfo.InvariantCulture), column),
            CelParser.StringContext s => new CelLiteral(Unquote(s.tok.Text), column),
            CelParser.BoolTrueContext => new CelLiteral(true, column),
            CelParser.BoolFalseContext => new CelLiteral(false, column),
            CelParser.NullContext => new CelLiteral(null, column),
            _ => throw Unsupported(context),
        };
    }

    /// <summary>The text of a CEL string literal: quotes removed and the common escapes resolved.</summary>
    private static string Unquote(string token)
    {
        var raw = token.StartsWith('r') || token.StartsWith('R');
        var body = raw ? token[1..] : token;
        var quote = body.StartsWith("\"\"\"", StringComparison.Ordinal) || body.StartsWith("'''", StringComparison.Ordinal) ? 3 : 1;
        body = body[quote..^quote];
        return raw ? body : System.Text.RegularExpressions.Regex.Unescape(body);
    }

    private static int Col(IToken token) => token.Column + 1;

    private static NotSupportedException Unsupported(ParserRuleContext context) =>
        new($"'{context.GetText()}' (column {context.Start.Column + 1}) uses a CEL form policies do not support (messages, maps, bytes).");
}
