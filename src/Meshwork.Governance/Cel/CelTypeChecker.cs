namespace Meshwork.Governance.Cel;

/// <summary>A type error in a CEL expression, at a 1-based column of the expression.</summary>
internal sealed class CelTypeException(string message, int column) : Exception(message)
{
    public int Column { get; } = column;
}

/// <summary>
/// The declaration and type-check pass the CEL package lacks: every variable and attribute must be declared
/// (people.yaml's attributes, the built-in resource and request fields, a dataset's columns for row filters),
/// and every operator and function must get operands of types it accepts. A misspelt attribute or a string
/// compared with a number is reported at its column before the policy is ever evaluated.
/// </summary>
internal sealed class CelTypeChecker(IReadOnlyDictionary<string, CelType> variables)
{
    private readonly Dictionary<string, CelType> _scope = new(variables, StringComparer.Ordinal);

    public CelType Check(CelNode node) => node switch
    {
        CelLiteral l => l.Value switch
        {
            null => CelType.Null,
            bool => CelType.Bool,
            long => CelType.Int,
            double => CelType.Double,
            string => CelType.String,
            _ => CelType.Dyn,
        },
        CelIdent i => _scope.TryGetValue(i.Name, out var type) ? type
            : throw new CelTypeException($"unknown name '{i.Name}'{Suggest(i.Name, _scope.Keys)}; known: {string.Join(", ", _scope.Keys.Order(StringComparer.Ordinal))}", i.Column),
        CelSelect s => Select(s),
        CelList l => CelType.ListOf(Unify(l.Items.Select(Check).ToList())),
        CelCall c => Call(c),
        _ => CelType.Dyn,
    };

    private CelType Select(CelSelect select)
    {
        var target = Check(select.Target);
        return target.Kind switch
        {
            CelKind.Dyn => CelType.Dyn,
            CelKind.Object when target.Fields!.TryGetValue(select.Field, out var field) => field,
            CelKind.Object => throw new CelTypeException(
                $"{target.Name} has no attribute '{select.Field}'{Suggest(select.Field, target.Fields!.Keys)}; declared: {string.Join(", ", target.Fields!.Keys.Order(StringComparer.Ordinal))}",
                select.Column),
            _ => throw new CelTypeException($"a {target} has no fields; '.{select.Field}' cannot be selected", select.Column),
        };
    }

    private CelType Call(CelCall call)
    {
        var args = call.Arguments;
        switch (call.Function)
        {
            case "_&&_" or "_||_":
                Expect(args[0], CelType.Bool, call.Function[1..^1]);
                Expect(args[1], CelType.Bool, call.Function[1..^1]);
                return CelType.Bool;
            case "!_":
                Expect(args[0], CelType.Bool, "!");
                return CelType.Bool;
            case "-_":
                return Numeric(Check(args[0]), call.Column, "-");
            case "_==_" or "_!=_":
                Comparable(Check(args[0]), Check(args[1]), call.Column, call.Function[1..^1], ordered: false);
                return CelType.Bool;
            case "_<_" or "_<=_" or "_>_" or "_>=_":
                Comparable(Check(args[0]), Check(args[1]), call.Column, call.Function[1..^1], ordered: true);
                return CelType.Bool;
            case "@in":
                var container = Check(args[1]);
                var item = Check(args[0]);
                if (container.Kind == CelKind.List)
                {
                    Comparable(item, container.Element!, call.Column, "in", ordered: false);
                }
                else if (container.Kind is not (CelKind.Dyn or CelKind.Object))
                {
                    throw new CelTypeException($"'in' needs a list on its right, not a {container}", call.Column);
                }

                return CelType.Bool;
            case "_+_":
                var left = Check(args[0]);
                var right = Check(args[1]);
                if ((left.Kind == CelKind.String && right.Kind == CelKind.String) || (left.Kind == CelKind.List && right.Kind == CelKind.List))
                {
                    return left;
                }

                Numeric(left, call.Column, "+");
                Numeric(right, call.Column, "+");
                return left.Kind == CelKind.Dyn ? right : left;
            case "_-_" or "_*_" or "_/_" or "_%_":
                var a = Numeric(Check(args[0]), call.Column, call.Function[1..^1]);
                Numeric(Check(args[1]), call.Column, call.Function[1..^1]);
                return a;
            case "_?_:_":
                Expect(args[0], CelType.Bool, "?:");
                return Unify([Check(args[1]), Check(args[2])]);
            case "_[_]":
                var list = Check(args[0]);
                Expect(args[1], CelType.Int, "[]");
                return list.Kind == CelKind.List ? list.Element! : list.Kind == CelKind.Dyn ? CelType.Dyn
                    : throw new CelTypeException($"a {list} cannot be indexed", call.Column);
            case "size":
                var sized = Check(call.Target ?? args[0]);
                if (sized.Kind is not (CelKind.String or CelKind.List or CelKind.Dyn))
                {
                    throw new CelTypeException($"size() needs a string or a list, not a {sized}", call.Column);
                }

                return CelType.Int;
            case "startsWith" or "endsWith" or "contains" or "matches" when call.Target is not null && args.Count == 1:
                Expect(call.Target, CelType.String, call.Function + "()");
                Expect(args[0], CelType.String, call.Function + "()");
                return CelType.Bool;
            case "exists" or "all" or "exists_one" or "filter" or "map" when call.Target is not null && args.Count == 2 && args[0] is CelIdent variable:
                var source = Check(call.Target);
                if (source.Kind is not (CelKind.List or CelKind.Dyn))
                {
                    throw new CelTypeException($"{call.Function}() needs a list, not a {source}", call.Column);
                }

                var shadowed = _scope.GetValueOrDefault(variable.Name);
                _scope[variable.Name] = source.Element ?? CelType.Dyn;
                try
                {
                    var body = Check(args[1]);
                    if (call.Function != "map" && body.Kind is not (CelKind.Bool or CelKind.Dyn))
                    {
                        throw new CelTypeException($"{call.Function}() needs a condition (bool), not a {body}", args[1].Column);
                    }

                    return call.Function switch
                    {
                        "filter" => source,
                        "map" => CelType.ListOf(body),
                        _ => CelType.Bool,
                    };
                }
                finally
                {
                    if (shadowed is null)
                    {
                        _scope.Remove(variable.Name);
                    }
                    else
                    {
                        _scope[variable.Name] = shadowed;
                    }
                }

            case "has" when args.Count == 1 && args[0] is CelSelect:
                Check(args[0]);
                return CelType.Bool;
            case "int" when args.Count == 1:
                Check(args[0]);
                return CelType.Int;
            case "double" when args.Count == 1:
                Check(args[0]);
                return CelType.Double;
            case "string" when args.Count == 1:
                Check(args[0]);
                return CelType.String;
            default:
                throw new CelTypeException($"unknown function '{call.Function}' with {args.Count} argument(s)", call.Column);
        }
    }

    private void Expect(CelNode node, CelType expected, string what)
    {
        var actual = Check(node);
        if (actual.Kind != CelKind.Dyn && actual.Kind != expected.Kind)
        {
            throw new CelTypeException($"'{what}' needs a {expected} here, not a {actual}", node.Column);
        }
    }

    private static CelType Numeric(CelType type, int column, string what) =>
        type.IsNumeric || type.Kind == CelKind.Dyn ? type : throw new CelTypeException($"'{what}' needs a number, not a {type}", column);

    private static void Comparable(CelType left, CelType right, int column, string what, bool ordered)
    {
        if (left.Kind == CelKind.Dyn || right.Kind == CelKind.Dyn)
        {
            return;
        }

        var same = left.Kind == right.Kind || (left.IsNumeric && right.IsNumeric) || (!ordered && (left.Kind == CelKind.Null || right.Kind == CelKind.Null));
        if (!same || (ordered && left.Kind is not (CelKind.Int or CelKind.Double or CelKind.String)))
        {
            throw new CelTypeException($"'{what}' compares a {left} with a {right}", column);
        }
    }

    private static CelType Unify(List<CelType> types) =>
        types.Count == 0 ? CelType.Dyn : types.All(t => t.Kind == types[0].Kind && t.Kind != CelKind.List) ? types[0] : CelType.Dyn;

    private static string Suggest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Distance(name, k))).Where(x => x.Distance <= Math.Max(1, name.Length / 3)).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Name is null ? string.Empty : $" (did you mean '{best.Name}'?)";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
