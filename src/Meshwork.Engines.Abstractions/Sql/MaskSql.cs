using System.Globalization;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.Sql;

/// <summary>
/// The masks of the engine-neutral IR, defined once: each as Apache Ranger defines it, always of the column's own type,
/// so a dataset has one schema for every reader. Text is masked as text; a number keeps its shape with every digit 1
/// (Hive's mask) and hashes to a number (integers of 32 bits and more); a date or timestamp keeps its year (1 January);
/// what a mask cannot express in the type is NULL of that type; a custom expression is cast to the type. Each engine
/// spells the few parts that differ (its types, casts, regular expressions and hash); the query conformance suite checks
/// that every engine gives the same values.
/// </summary>
public abstract class MaskSql
{
    /// <summary>What a mask can do with a column, by its engine type.</summary>
    protected enum ValueKind
    {
        Text,
        Integer,
        Fraction,
        Temporal,
        Other,
    }

    /// <summary>The masked value of <paramref name="column"/> (an identifier) of engine type <paramref name="type"/>.</summary>
    public string Mask(string column, string type, ColumnMask mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var text = $"CAST({column} AS {TextType})";
        var none = NullOf(column, type);
        return (mask.Kind, KindOf(type)) switch
        {
            (MaskKind.None, _) => column,
            (MaskKind.Null, _) => none,
            (MaskKind.Custom, _) => mask.Expression is { } expression ? CastOrNull($"({expression.Replace("{column}", column, StringComparison.Ordinal)})", type) : none,
            // Upper-case letters become X, lower-case x, other letters (no case) x, digits n; everything else stays.
            (MaskKind.Mask, ValueKind.Text) => AsType(Letters(text), type),
            (MaskKind.ShowLast4, ValueKind.Text) =>
                AsType($"CASE WHEN length({text}) <= 4 THEN {text} ELSE regexp_replace(left({text}, length({text}) - 4), '.', 'x', 'g') || right({text}, 4) END", type),
            (MaskKind.ShowFirst4, ValueKind.Text) =>
                AsType($"CASE WHEN length({text}) <= 4 THEN {text} ELSE left({text}, 4) || regexp_replace(substr({text}, 5), '.', 'x', 'g') END", type),
            (MaskKind.Hash, ValueKind.Text) => AsType(Hmac(text), type),
            (MaskKind.DateShowYear, ValueKind.Text) => AsType(YearOfDateText(column), type),
            // Every digit of the number's text becomes 1: still a number of the same shape.
            (MaskKind.Mask, ValueKind.Integer or ValueKind.Fraction) => CastOrNull($"regexp_replace({text}, '[0-9]', '1', 'g')", type),
            (MaskKind.ShowLast4, ValueKind.Integer or ValueKind.Fraction) =>
                $"CASE WHEN length({text}) <= 4 THEN {column} ELSE {CastOrNull($"regexp_replace(left({text}, length({text}) - 4), '[0-9]', '1', 'g') || right({text}, 4)", type)} END",
            (MaskKind.ShowFirst4, ValueKind.Integer or ValueKind.Fraction) =>
                $"CASE WHEN length({text}) <= 4 THEN {column} ELSE {CastOrNull($"left({text}, 4) || regexp_replace(substr({text}, 5), '[0-9]', '1', 'g')", type)} END",
            // The keyed hash's leading bits as a non-negative number: equal values hash alike in every dataset, irreversibly.
            (MaskKind.Hash, ValueKind.Integer) when HashBits(type) is { } bits =>
                string.Create(CultureInfo.InvariantCulture, $"CASE WHEN {column} IS NOT NULL THEN {AsType(HexToInteger($"left({Hmac(text)}, {bits / 4})", bits), type)} END"),
            (MaskKind.Mask or MaskKind.ShowFirst4 or MaskKind.DateShowYear, ValueKind.Temporal) => YearKept(column, type),
            _ => none,
        };
    }

    /// <summary>HMAC-SHA256 of the text's UTF-8 bytes with this instance's key, as lower-case hex: what <see cref="FilterKeyedHash"/> compares.</summary>
    public string KeyedHash(string text) => Hmac(text);

    /// <summary>The engine's text type.</summary>
    protected abstract string TextType { get; }

    /// <summary>What a mask can do with a column of this engine type.</summary>
    protected abstract ValueKind KindOf(string type);

    /// <summary>NULL of the column's type.</summary>
    protected virtual string NullOf(string column, string type) => $"CAST(NULL AS {type})";

    /// <summary><paramref name="expression"/> in the column's type (a cast that cannot fail).</summary>
    protected virtual string AsType(string expression, string type) => $"CAST({expression} AS {type})";

    /// <summary><paramref name="expression"/> cast to the column's type, NULL where it does not cast (as far as the engine can).</summary>
    protected abstract string CastOrNull(string expression, string type);

    /// <summary>The text with its letters replaced (upper-case X, others x) and its digits n, in every script.</summary>
    protected abstract string Letters(string text);

    /// <summary>A date written as text (<c>YYYY-MM-DD…</c>) as the first of January of its year, as text; NULL when it is not one.</summary>
    protected abstract string YearOfDateText(string column);

    /// <summary>A date or timestamp as the first of January of its year, in its type.</summary>
    protected abstract string YearKept(string column, string type);

    /// <summary>The bits of the keyed hash an integer type holds (28 for 32-bit types, 60 for wider), or null for none.</summary>
    protected abstract int? HashBits(string type);

    /// <summary>Hex digits (<paramref name="bits"/> / 4 of them) as a non-negative integer.</summary>
    protected abstract string HexToInteger(string hex, int bits);

    /// <summary>HMAC-SHA256 of the text's UTF-8 bytes with the mask key, as lower-case hex (<see cref="SqlDialect.HmacPads"/>).</summary>
    protected abstract string Hmac(string text);
}
