namespace Meshwork.Engines.Ir;

/// <summary>Column masks (Apache Ranger's vocabulary), ordered from weakest to strongest.</summary>
public enum MaskKind
{
    None,
    Custom,
    DateShowYear,
    ShowFirst4,
    ShowLast4,
    Mask,
    Hash,
    Null,
}

/// <summary>A mask on one column. <see cref="Expression"/>: the engine SQL of a CUSTOM mask, <c>{column}</c> standing for the column.</summary>
public sealed record ColumnMask(MaskKind Kind, string? Expression = null);

/// <summary>
/// A row predicate in engine-neutral form, compiled from a row_filter policy's CEL with the principal's and the
/// request's values already substituted: only columns and constants are left.
/// </summary>
public abstract record FilterExpr;

public sealed record FilterColumn(string Name) : FilterExpr;

/// <summary>
/// A constant: string, long, double, bool, null, or a point in time: <see cref="DateOnly"/> (a date),
/// <see cref="DateTime"/> (a timestamp without time zone, read as UTC) or <see cref="DateTimeOffset"/> (with time zone).
/// </summary>
public sealed record FilterConstant(object? Value) : FilterExpr;

/// <summary>
/// The keyed hash of a value's text (HMAC-SHA256 with the key the engine is given, lower-case hex), so a row can be
/// matched against hashes of values the platform does not keep in clear (erased subjects).
/// </summary>
public sealed record FilterKeyedHash(FilterExpr Value) : FilterExpr;

public enum FilterOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
}

public sealed record FilterBinary(FilterOperator Operator, FilterExpr Left, FilterExpr Right) : FilterExpr;

public sealed record FilterNot(FilterExpr Operand) : FilterExpr;

/// <summary><c>value IN (items)</c>.</summary>
public sealed record FilterIn(FilterExpr Value, IReadOnlyList<FilterExpr> Items) : FilterExpr;

public enum FilterStringTest
{
    StartsWith,
    EndsWith,
    Contains,
}

public sealed record FilterString(FilterStringTest Test, FilterExpr Value, FilterExpr Argument) : FilterExpr;
