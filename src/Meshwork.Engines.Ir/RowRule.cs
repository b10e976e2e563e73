using System.Collections.Immutable;

namespace Meshwork.Engines.Ir;

/// <summary>
/// A rule a row must pass to be published (the contract enforced on write). A failing row goes to quarantine
/// with <see cref="Reason"/>. Rules compare typed values: a value that does not cast fails
/// <see cref="Castable"/> and no other rule on that column.
/// </summary>
public abstract record RowRule(string Column)
{
    /// <summary>The stable reason code written to quarantine (<c>required</c>, <c>type</c>, <c>max_length</c> ...).</summary>
    public abstract string Reason { get; }
}

/// <summary>The value casts to the column's type.</summary>
public sealed record Castable(string Column, DataType Type) : RowRule(Column)
{
    public override string Reason => "type";
}

public sealed record Required(string Column) : RowRule(Column)
{
    public override string Reason => "required";
}

/// <summary>A lower bound; <paramref name="Value"/> is written in the column's type (a number, or an ISO date or time).</summary>
public sealed record MinValue(string Column, string Value, bool Exclusive) : RowRule(Column)
{
    public override string Reason => Exclusive ? "exclusive_minimum" : "minimum";
}

public sealed record MaxValue(string Column, string Value, bool Exclusive) : RowRule(Column)
{
    public override string Reason => Exclusive ? "exclusive_maximum" : "maximum";
}

public sealed record MultipleOf(string Column, string Value) : RowRule(Column)
{
    public override string Reason => "multiple_of";
}

public sealed record MinLength(string Column, int Length) : RowRule(Column)
{
    public override string Reason => "min_length";
}

public sealed record MaxLength(string Column, int Length) : RowRule(Column)
{
    public override string Reason => "max_length";
}

/// <summary>An ECMA-262 regular expression the value must match (unanchored, as JSON Schema's <c>pattern</c>).</summary>
public sealed record Pattern(string Column, string Regex) : RowRule(Column)
{
    public override string Reason => "pattern";
}

/// <summary>A named string format (email, uuid, uri, ipv4, ...); engines check those they can.</summary>
public sealed record Format(string Column, string Name) : RowRule(Column)
{
    public override string Reason => "format";
}

/// <summary>The value is one of a list (an ODCS <c>invalidValues</c> rule with <c>validValues</c>, or an enum).</summary>
public sealed record AllowedValues(string Column, ImmutableArray<string> Values) : RowRule(Column)
{
    public override string Reason => "allowed_values";
}

/// <summary>No two rows share these columns' values; every row of a duplicated key is quarantined, so the outcome does not depend on row order.</summary>
public sealed record UniqueKey(ImmutableArray<string> Columns, bool PrimaryKey) : RowRule(Columns[0])
{
    public override string Reason => PrimaryKey ? "primary_key" : "unique";
}
