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

/// <summary>Builds <see cref="CelNode"/>s from the ANTLR tree of the CEL package's parser.</summary>
internal static class CelAstBuilder
{
    public static CelNode Build(CelParser.StartContext start) => Expr(start.e);

    private static CelNode Expr(CelParser.ExprContext context)
    {
        var condition = Or(context.e);
        return context.op is null ? condition : new CelCall("_?_:_", null, [condition, Or(context.e1), Expr(context.e2)], Col(context.op));
    }

    private static CelNode Or(CelParser.ConditionalOrContext context) =>
        Chain(context.conditionalAnd().Select(And).ToList(), "_||_", context.LOGICAL_OR());

    private static CelNode And(CelParser.ConditionalAndContext context) =>
        Chain(context.relation().Select(Relation).ToList(), "_&&_", context.LOGICAL_AND());

    private static CelNode Chain(List<CelNode> operands, string function, ITerminalNode[] operators)
    {
        var node = operands[0];
        for (var i = 1; i < operands.Count; i++)
        {
            node = new CelCall(function, null, [node, operands[i]], operators[i - 1].Symbol.Column + 1);
        }

        return node;
    }

    private static CelNode Relation(CelParser.RelationContext context)
    {
        if (context.calc() is { } calc)
        {
            return Calc(calc);
        }

        var function = context.op.Text switch
        {
            "in" => "@in",
            var op => $"_{op}_",
        };
        return new CelCall(function, null, [Relation(context.relation(0)), Relation(context.relation(1))], Col(context.op));
    }

    private static CelNode Calc(CelParser.CalcContext context) =>
        context.unary() is { } unary
            ? Unary(unary)
            : new CelCall($"_{context.op.Text}_", null, [Calc(context.calc(0)), Calc(context.calc(1))], Col(context.op));

    private static CelNode Unary(CelParser.UnaryContext context) => context switch
    {
        CelParser.MemberExprContext m => Member(m.member()),
        CelParser.LogicalNotContext n => Repeat("!_", Member(n.member()), n.EXCLAM().Length, Col(n.Start)),
        CelParser.NegateContext n => Repeat("-_", Member(n.member()), n.MINUS().Length, Col(n.Start)),
        _ => throw Unsupported(context),
    };

    private static CelNode Repeat(string function, CelNode operand, int times, int column)
    {
        for (var i = 0; i < times; i++)
        {
            operand = new CelCall(function, null, [operand], column);
        }

        return operand;
    }

    private static CelNode Member(CelParser.MemberContext context) => context switch
    {
        CelParser.PrimaryExprContext p => Primary(p.primary()),
        CelParser.SelectContext s => new CelSelect(Member(s.member()), s.id.Text, Col(s.id)),
        CelParser.MemberCallContext c => new CelCall(c.id.Text, Member(c.member()), Arguments(c.args), Col(c.id)),
        CelParser.IndexContext i => new CelCall("_[_]", null, [Member(i.member()), Expr(i.index)], Col(i.op)),
        _ => throw Unsupported(context),
    };

    private static CelNode Primary(CelParser.PrimaryContext context) => context switch
    {
        CelParser.IdentOrGlobalCallContext i when i.op is null => new CelIdent(i.id.Text, Col(i.id)),
        CelParser.IdentOrGlobalCallContext i => new CelCall(i.id.Text, null, Arguments(i.args), Col(i.id)),
        CelParser.NestedContext n => Expr(n.e),
        CelParser.CreateListContext l => new CelList(l.elems?.optExpr().Select(e => Expr(e.e)).ToList() ?? [], Col(l.Start)),
        CelParser.ConstantLiteralContext c => Literal(c.literal()),
        _ => throw Unsupported(context),
    };

    private static List<CelNode> Arguments(CelParser.ExprListContext? list) => list?.expr().Select(Expr).ToList() ?? [];

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
