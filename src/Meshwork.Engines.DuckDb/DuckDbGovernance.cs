using System.Globalization;
using Meshwork.Engines.Ir;
using Meshwork.Engines.Sql;
using static Meshwork.Engines.Sql.SqlDialect;

namespace Meshwork.Engines.DuckDb;

/// <summary>Masks of the engine-neutral IR in DuckDB's SQL (row filters: <see cref="SqlDialect.Filter"/>).</summary>
internal static class DuckDbGovernance
{
    /// <summary>
    /// The masked value of <paramref name="column"/> (an identifier) of DuckDB type <paramref name="type"/>, as Apache
    /// Ranger defines each mask, always of the column's own type: a dataset has one schema for every reader. Text is
    /// masked as text; a number keeps its shape with every digit 1 (Hive's mask) and hashes to a number (integers of
    /// 32 bits and more); a date or timestamp keeps its year (1 January); what a mask cannot express in the type is
    /// NULL of that type. A custom expression is cast to the type (NULL where it does not cast).
    /// </summary>
    public static string Mask(string column, string type, ColumnMask mask, ReadOnlySpan<byte> key)
    {
        var text = $"CAST({column} AS VARCHAR)";
        var none = $"CASE WHEN FALSE THEN {column} END";
        var kind = KindOf(type);
        var yearKept = $"CAST(make_date(year({column}), 1, 1) AS {type})";
        return (mask.Kind, kind) switch
        {
            (MaskKind.None, _) => column,
            (MaskKind.Null, _) => none,
            (MaskKind.Custom, _) => mask.Expression is { } expression ? $"TRY_CAST(({expression.Replace("{column}", column, StringComparison.Ordinal)}) AS {type})" : none,
            // Upper-case letters become X, lower-case x, digits n; everything else stays.
            // Unicode classes, so letters beyond ASCII (ö, Ü, ł) are masked too; other letters (no case) become x.
            (MaskKind.Mask, TypeKind.Text) => $"regexp_replace(regexp_replace(regexp_replace(regexp_replace({text}, '\\p{{Lu}}', 'X', 'g'), '\\p{{Ll}}', 'x', 'g'), '[\\p{{Lt}}\\p{{Lm}}\\p{{Lo}}]', 'x', 'g'), '\\p{{Nd}}', 'n', 'g')",
            (MaskKind.ShowLast4, TypeKind.Text) => $"CASE WHEN length({text}) <= 4 THEN {text} ELSE regexp_replace(left({text}, length({text}) - 4), '.', 'x', 'g') || right({text}, 4) END",
            (MaskKind.ShowFirst4, TypeKind.Text) => $"CASE WHEN length({text}) <= 4 THEN {text} ELSE left({text}, 4) || regexp_replace(substr({text}, 5), '.', 'x', 'g') END",
            (MaskKind.Hash, TypeKind.Text) => Hmac(text, key),
            (MaskKind.DateShowYear, TypeKind.Text) => $"CAST(make_date(year(TRY_CAST({column} AS DATE)), 1, 1) AS VARCHAR)",
            (MaskKind.Mask, TypeKind.Integer or TypeKind.Fraction) => $"TRY_CAST(regexp_replace({text}, '[0-9]', '1', 'g') AS {type})",
            (MaskKind.ShowLast4, TypeKind.Integer or TypeKind.Fraction) =>
                $"CASE WHEN length({text}) <= 4 THEN {column} ELSE TRY_CAST(regexp_replace(left({text}, length({text}) - 4), '[0-9]', '1', 'g') || right({text}, 4) AS {type}) END",
            (MaskKind.ShowFirst4, TypeKind.Integer or TypeKind.Fraction) =>
                $"CASE WHEN length({text}) <= 4 THEN {column} ELSE TRY_CAST(left({text}, 4) || regexp_replace(substr({text}, 5), '[0-9]', '1', 'g') AS {type}) END",
            // The keyed hash's leading bits as a non-negative number: equal values hash alike in every dataset, irreversibly.
            (MaskKind.Hash, TypeKind.Integer) when HashDigits(type) is { } digits =>
                string.Create(CultureInfo.InvariantCulture, $"CASE WHEN {column} IS NOT NULL THEN CAST(CAST('0x' || left({Hmac(text, key)}, {digits}) AS UBIGINT) AS {type}) END"),
            (MaskKind.Mask or MaskKind.ShowFirst4 or MaskKind.DateShowYear, TypeKind.Temporal) => yearKept,
            _ => none,
        };
    }

    private enum TypeKind
    {
        Text,
        Integer,
        Fraction,
        Temporal,
        Other,
    }

    private static TypeKind KindOf(string type) => type.ToUpperInvariant() switch
    {
        "VARCHAR" => TypeKind.Text,
        "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT" or "UHUGEINT" => TypeKind.Integer,
        "DOUBLE" or "FLOAT" or "REAL" => TypeKind.Fraction,
        var t when t.StartsWith("DECIMAL", StringComparison.Ordinal) => TypeKind.Fraction,
        "DATE" => TypeKind.Temporal,
        var t when t.StartsWith("TIMESTAMP", StringComparison.Ordinal) => TypeKind.Temporal,
        _ => TypeKind.Other,
    };

    /// <summary>How many leading hex digits of the hash an integer type holds (28 bits for 32-bit types, 60 for wider); null below 32 bits.</summary>
    private static int? HashDigits(string type) => type.ToUpperInvariant() switch
    {
        "INTEGER" or "UINTEGER" => 7,
        "BIGINT" or "UBIGINT" or "HUGEINT" or "UHUGEINT" => 15,
        _ => null,
    };

    /// <summary>HMAC-SHA256 of the value's UTF-8 bytes in SQL, as lower-case hex (<see cref="SqlDialect.HmacPads"/>).</summary>
    private static string Hmac(string text, ReadOnlySpan<byte> key)
    {
        var (inner, outer) = HmacPads(key);
        return $"sha256(unhex('{Convert.ToHexString(outer)}') || unhex(sha256(unhex('{Convert.ToHexString(inner)}') || encode({text}))))";
    }
}
