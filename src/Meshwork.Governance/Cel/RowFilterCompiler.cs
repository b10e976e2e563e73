using System.Collections;
using Meshwork.Engines.Ir;

namespace Meshwork.Governance.Cel;

/// <summary>
/// Compiles a row filter's CEL into the engine-neutral <see cref="FilterExpr"/>: everything about the principal,
/// the request and the resource is evaluated now (once per request), so only <c>row.&lt;column&gt;</c>
/// references and constants reach the engine. Supported: comparisons, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>,
/// <c>in</c> a list, <c>startsWith</c>/<c>endsWith</c>/<c>contains</c>, and constant sub-expressions.
/// </summary>
internal static class RowFilterCompiler
{
    public static FilterExpr Compile(CompiledExpression filter, IReadOnlyDictionary<string, object> principal, IReadOnlyDictionary<string, object> request,
        IReadOnlyDictionary<string, object> resource)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal) { ["principal"] = principal, ["request"] = request, ["resource"] = resource };
        return Simplify(Fold(filter.Ast, values));
    }

    private static FilterExpr Fold(CelNode node, Dictionary<string, object> values) => node switch
    {
        CelLiteral l => new FilterConstant(l.Value),
        CelSelect { Target: CelIdent { Name: "row" } } s => new FilterColumn(s.Field),
        CelSelect s => Fold(s.Target, values) is FilterConstant { Value: IDictionary map } && map.Contains(s.Field)
            ? new FilterConstant(Normalize(map[s.Field]))
            : throw new NotSupportedException($"'{s.Field}' cannot be read in a row filter"),
        CelIdent i when values.TryGetValue(i.Name, out var value) => new FilterConstant(value),
        CelList l => new FilterConstant(l.Items.Select(item => Fold(item, values) is FilterConstant c ? c.Value
            : throw new NotSupportedException("a list in a row filter must hold constants")).ToList()),
        CelCall c => Call(c, values),
        _ => throw new NotSupportedException($"a row filter cannot use '{node}'"),
    };

    private static FilterExpr Call(CelCall call, Dictionary<string, object> values)
    {
        var args = call.Arguments.Select(a => Fold(a, values)).ToList();
        switch (call.Function)
        {
            case "_&&_":
                return new FilterBinary(FilterOperator.And, args[0], args[1]);
            case "_||_":
                return new FilterBinary(FilterOperator.Or, args[0], args[1]);
            case "!_":
                return new FilterNot(args[0]);
            case "_==_" or "_!=_" or "_<_" or "_<=_" or "_>_" or "_>=_":
                var op = call.Function switch
                {
                    "_==_" => FilterOperator.Equal,
                    "_!=_" => FilterOperator.NotEqual,
                    "_<_" => FilterOperator.Less,
                    "_<=_" => FilterOperator.LessOrEqual,
                    "_>_" => FilterOperator.Greater,
                    _ => FilterOperator.GreaterOrEqual,
                };
                return args[0] is FilterConstant l && args[1] is FilterConstant r ? new FilterConstant(Compare(op, l.Value, r.Value)) : new FilterBinary(op, args[0], args[1]);
            case "@in":
                if (args[1] is not FilterConstant { Value: IEnumerable list and not string })
                {
                    throw new NotSupportedException("'in' in a row filter needs a list of constants on its right");
                }

                var items = list.Cast<object?>().Select(v => (FilterExpr)new FilterConstant(Normalize(v))).ToList();
                return args[0] is FilterConstant item
                    ? new FilterConstant(items.Any(i => Equals(((FilterConstant)i).Value, Normalize(item.Value))))
                    : new FilterIn(args[0], items);
            case "startsWith" or "endsWith" or "contains" when call.Target is not null:
                var target = Fold(call.Target, values);
                var test = call.Function switch
                {
                    "startsWith" => FilterStringTest.StartsWith,
                    "endsWith" => FilterStringTest.EndsWith,
                    _ => FilterStringTest.Contains,
                };
                return target is FilterConstant { Value: string s } && args[0] is FilterConstant { Value: string a }
                    ? new FilterConstant(test switch
                    {
                        FilterStringTest.StartsWith => s.StartsWith(a, StringComparison.Ordinal),
                        FilterStringTest.EndsWith => s.EndsWith(a, StringComparison.Ordinal),
                        _ => s.Contains(a, StringComparison.Ordinal),
                    })
                    : new FilterString(test, target, args[0]);
            default:
                throw new NotSupportedException($"a row filter cannot use '{call.Function}'");
        }
    }

    /// <summary>Folds constant operands of AND, OR and NOT so the engine sees the smallest predicate.</summary>
    private static FilterExpr Simplify(FilterExpr expr) => expr switch
    {
        FilterBinary { Operator: FilterOperator.And } b => (Simplify(b.Left), Simplify(b.Right)) switch
        {
            (FilterConstant { Value: false }, _) or (_, FilterConstant { Value: false }) => new FilterConstant(false),
            (FilterConstant { Value: true }, var r) => r,
            (var l, FilterConstant { Value: true }) => l,
            var (l, r) => new FilterBinary(FilterOperator.And, l, r),
        },
        FilterBinary { Operator: FilterOperator.Or } b => (Simplify(b.Left), Simplify(b.Right)) switch
        {
            (FilterConstant { Value: true }, _) or (_, FilterConstant { Value: true }) => new FilterConstant(true),
            (FilterConstant { Value: false }, var r) => r,
            (var l, FilterConstant { Value: false }) => l,
            var (l, r) => new FilterBinary(FilterOperator.Or, l, r),
        },
        FilterNot n => Simplify(n.Operand) switch
        {
            FilterConstant { Value: bool v } => new FilterConstant(!v),
            var o => new FilterNot(o),
        },
        _ => expr,
    };

    private static bool Compare(FilterOperator op, object? left, object? right)
    {
        left = Normalize(left);
        right = Normalize(right);
        if (op is FilterOperator.Equal or FilterOperator.NotEqual)
        {
            var equal = Equals(left, right) || (left is double or long && right is double or long && Convert.ToDouble(left, System.Globalization.CultureInfo.InvariantCulture) == Convert.ToDouble(right, System.Globalization.CultureInfo.InvariantCulture));
            return op == FilterOperator.Equal ? equal : !equal;
        }

        var order = (left, right) switch
        {
            (string a, string b) => string.CompareOrdinal(a, b),
            (IConvertible a, IConvertible b) => Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new NotSupportedException("the row filter compares values that have no order"),
        };
        return op switch
        {
            FilterOperator.Less => order < 0,
            FilterOperator.LessOrEqual => order <= 0,
            FilterOperator.Greater => order > 0,
            _ => order >= 0,
        };
    }

    private static object? Normalize(object? value) => value switch
    {
        int i => (long)i,
        float f => (double)f,
        _ => value,
    };
}
