namespace Meshwork.Governance.Cel;

internal enum CelKind
{
    Dyn,
    Null,
    Bool,
    Int,
    Double,
    String,
    List,
    Object,
}

/// <summary>A CEL type as the checker sees it. Objects are the declared variables (principal, resource, request, row).</summary>
internal sealed record CelType(CelKind Kind, CelType? Element = null, IReadOnlyDictionary<string, CelType>? Fields = null, string? Name = null)
{
    public static readonly CelType Dyn = new(CelKind.Dyn);
    public static readonly CelType Null = new(CelKind.Null);
    public static readonly CelType Bool = new(CelKind.Bool);
    public static readonly CelType Int = new(CelKind.Int);
    public static readonly CelType Double = new(CelKind.Double);
    public static readonly CelType String = new(CelKind.String);
    public static readonly CelType StringList = new(CelKind.List, String);

    public static CelType ListOf(CelType element) => new(CelKind.List, element);

    public static CelType Object(string name, IReadOnlyDictionary<string, CelType> fields) => new(CelKind.Object, null, fields, name);

    public bool IsNumeric => Kind is CelKind.Int or CelKind.Double;

    public override string ToString() => Kind switch
    {
        CelKind.List => $"list<{Element}>",
        CelKind.Object => Name ?? "object",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
