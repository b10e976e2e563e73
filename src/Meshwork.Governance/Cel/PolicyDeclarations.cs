using Meshwork.Model;

namespace Meshwork.Governance.Cel;

/// <summary>
/// What a policy expression may name, with types: <c>principal</c> (built-ins and people.yaml's declared
/// attributes), <c>resource</c>, <c>request</c>, and for row filters <c>row</c> (the dataset's columns).
/// </summary>
public sealed class PolicyDeclarations
{
    private PolicyDeclarations(IReadOnlyDictionary<string, CelType> variables, bool boolean)
    {
        Variables = variables;
        Boolean = boolean;
    }

    internal IReadOnlyDictionary<string, CelType> Variables { get; }

    /// <summary>Whether the expression must be a condition.</summary>
    internal bool Boolean { get; }

    /// <summary>The resource attributes every decision has: the dataset (and, for masks, the column) being read.</summary>
    public static IReadOnlyList<string> ResourceFields { get; } =
        ["domain", "product", "dataset", "port", "owner", "status", "tags", "column", "column_tags", "classification"];

    /// <summary>A product's attributes, for rule policies.</summary>
    public static IReadOnlyList<string> ProductFields { get; } =
        ["domain", "product", "owner", "status", "description", "tags", "column_tags", "classifications", "sla", "version"];

    /// <summary>Declarations for conditions over principal, resource (<paramref name="rule"/>: a product) and request.</summary>
    public static PolicyDeclarations For(People people, bool rule = false) => new(Declare(people, rule, null), boolean: true);

    /// <summary>Declarations for a row filter over a dataset's columns (name → ODCS logical type).</summary>
    public static PolicyDeclarations ForRows(People people, IReadOnlyDictionary<string, string?> columns) =>
        new(Declare(people, rule: false, columns), boolean: true);

    /// <summary>Declarations for a row filter over any row (its columns unknown): what a filter must pass whatever dataset it meets.</summary>
    public static PolicyDeclarations ForAnyRow(People people)
    {
        var variables = Declare(people, rule: false, null);
        variables["row"] = CelType.Dyn;
        return new(variables, boolean: true);
    }

    private static Dictionary<string, CelType> Declare(People people, bool rule, IReadOnlyDictionary<string, string?>? columns)
    {
        ArgumentNullException.ThrowIfNull(people);
        var principal = new Dictionary<string, CelType>(StringComparer.Ordinal)
        {
            ["id"] = CelType.String,
            ["kind"] = CelType.String,
            ["name"] = CelType.String,
            ["email"] = CelType.String,
            ["team"] = CelType.String,
            ["roles"] = CelType.StringList,
        };
        foreach (var attribute in people.Attributes)
        {
            principal[attribute.Name] = attribute.Type switch
            {
                AttributeType.Int => CelType.Int,
                AttributeType.Double => CelType.Double,
                AttributeType.Bool => CelType.Bool,
                AttributeType.StringList => CelType.StringList,
                _ => CelType.String,
            };
        }

        var resource = new Dictionary<string, CelType>(StringComparer.Ordinal);
        foreach (var field in rule ? ProductFields : ResourceFields)
        {
            resource[field] = field is "tags" or "column_tags" or "classifications" or "sla" ? CelType.StringList : CelType.String;
        }

        var variables = new Dictionary<string, CelType>(StringComparer.Ordinal)
        {
            ["principal"] = CelType.Object("principal", principal),
            ["resource"] = CelType.Object("resource", resource),
            ["request"] = CelType.Object("request", new Dictionary<string, CelType>(StringComparer.Ordinal) { ["purpose"] = CelType.String, ["channel"] = CelType.String }),
        };
        if (columns is not null)
        {
            variables["row"] = CelType.Object("row", columns.ToDictionary(c => c.Key, c => c.Value switch
            {
                "integer" => CelType.Int,
                "number" => CelType.Double,
                "boolean" => CelType.Bool,
                "string" => CelType.String,
                _ => CelType.Dyn,
            }, StringComparer.Ordinal));
        }

        return variables;
    }
}

/// <summary>The values one decision is made on: CEL variables (maps of string, long, double, bool and lists).</summary>
public sealed class PolicyInput(IDictionary<string, object> variables)
{
    public IDictionary<string, object> Variables { get; } = variables;

    /// <summary>The principal as CEL sees it; declared attributes it lacks get their type's empty value, so conditions never fail on a gap.</summary>
    public static Dictionary<string, object> Principal(Principal principal, People people)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(people);
        var values = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["id"] = principal.Id,
            ["kind"] = principal.Kind.ToString().ToLowerInvariant(),
            ["name"] = principal.Name ?? string.Empty,
            ["email"] = principal.Email ?? string.Empty,
            ["team"] = principal.Team ?? string.Empty,
            ["roles"] = principal.Roles.Cast<object>().ToList(),
        };
        foreach (var attribute in people.Attributes)
        {
            values[attribute.Name] = principal.Attributes.TryGetValue(attribute.Name, out var value)
                ? value switch
                {
                    System.Collections.Immutable.ImmutableArray<string> list => list.Cast<object>().ToList(),
                    int i => (long)i,
                    _ => value,
                }
                : attribute.Type switch
                {
                    AttributeType.Int => 0L,
                    AttributeType.Double => 0.0,
                    AttributeType.Bool => false,
                    AttributeType.StringList => new List<object>(),
                    _ => string.Empty,
                };
        }

        return values;
    }
}
