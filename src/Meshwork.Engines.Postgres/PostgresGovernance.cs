using System.Globalization;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// Masks of the engine-neutral IR in PostgreSQL's SQL, with the values DuckDB's give (the query conformance suite
/// runs both): each mask keeps its column's type; text as Apache Ranger masks it, numbers with every digit 1, dates
/// and timestamps keep their year, and NULL of the type where a mask cannot be expressed in it.
/// </summary>
internal static class PostgresGovernance
{
    /// <summary>
    /// The masked value of <paramref name="column"/> (an identifier) of PostgreSQL type <paramref name="type"/>
    /// (<c>format_type</c>'s spelling). <paramref name="keys"/> is the relation holding the HMAC's padded keys
    /// (<c>inner_pad</c>, <c>outer_pad</c>), readable by the view's owner only: the key is never in a definition a
    /// reader could see. <paramref name="letters"/> is the collation whose character classes know every script.
    /// </summary>
    public static string Mask(string column, string type, ColumnMask mask, string keys, string letters)
    {
        var text = $"CAST({column} AS text)";
        var none = $"CAST(NULL AS {type})";
        var kind = KindOf(type);
        var yearKept = $"CAST(make_date(CAST(extract(year FROM {column}) AS integer), 1, 1) AS {type})";
        return (mask.Kind, kind) switch
        {
            (MaskKind.None, _) => column,
            (MaskKind.Null, _) => none,
            // PostgreSQL has no TRY_CAST: a custom expression that does not cast to the column's type fails the read (its message redacted).
            (MaskKind.Custom, _) => mask.Expression is { } expression ? $"CAST(({expression.Replace("{column}", column, StringComparison.Ordinal)}) AS {type})" : none,
            // Lower-case letters become x and upper-case X, then any other letter (no case) x, digits n; the rest stays.
            (MaskKind.Mask, TypeKind.Text) =>
                $"CAST(regexp_replace(regexp_replace(regexp_replace(regexp_replace({text} COLLATE {letters}, '[[:lower:]]', 'x', 'g'), '[[:upper:]]', 'X', 'g'), '(?![Xx])[[:alpha:]]', 'x', 'g'), '[[:digit:]]', 'n', 'g') AS {type})",
            (MaskKind.ShowLast4, TypeKind.Text) =>
                $"CAST(CASE WHEN length({text}) <= 4 THEN {text} ELSE regexp_replace(left({text}, length({text}) - 4), '.', 'x', 'g') || right({text}, 4) END AS {type})",
            (MaskKind.ShowFirst4, TypeKind.Text) =>
                $"CAST(CASE WHEN length({text}) <= 4 THEN {text} ELSE left({text}, 4) || regexp_replace(substr({text}, 5), '.', 'x', 'g') END AS {type})",
            (MaskKind.Hash, TypeKind.Text) => $"CAST({Hmac(text, keys)} AS {type})",
            (MaskKind.DateShowYear, TypeKind.Text) => $"CAST(substring({text} FROM '^([0-9]{{4}})-[0-9]{{2}}-[0-9]{{2}}') || '-01-01' AS {type})",
            // Every digit of the number's text becomes 1: still a number of the same shape, so the cast cannot fail.
            (MaskKind.Mask, TypeKind.Integer or TypeKind.Fraction) => $"CAST(regexp_replace({text}, '[0-9]', '1', 'g') AS {type})",
            (MaskKind.ShowLast4, TypeKind.Integer or TypeKind.Fraction) =>
                $"CASE WHEN length({text}) <= 4 THEN {column} ELSE CAST(regexp_replace(left({text}, length({text}) - 4), '[0-9]', '1', 'g') || right({text}, 4) AS {type}) END",
            (MaskKind.ShowFirst4, TypeKind.Integer or TypeKind.Fraction) =>
                $"CASE WHEN length({text}) <= 4 THEN {column} ELSE CAST(left({text}, 4) || regexp_replace(substr({text}, 5), '[0-9]', '1', 'g') AS {type}) END",
            // The keyed hash's leading bits as a non-negative number, as on DuckDB: 28 bits for integer, 60 for bigint.
            (MaskKind.Hash, TypeKind.Integer) when HashBits(type) is { } bits =>
                string.Create(CultureInfo.InvariantCulture, $"CASE WHEN {column} IS NOT NULL THEN CAST(CAST(CAST('x' || left({Hmac(text, keys)}, {bits / 4}) AS bit({bits})) AS {(bits > 32 ? "bigint" : "integer")}) AS {type}) END"),
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

    private static TypeKind KindOf(string type) => type switch
    {
        "text" or "name" => TypeKind.Text,
        var t when t.StartsWith("character", StringComparison.Ordinal) => TypeKind.Text,
        "smallint" or "integer" or "bigint" => TypeKind.Integer,
        "double precision" or "real" or "numeric" => TypeKind.Fraction,
        var t when t.StartsWith("numeric(", StringComparison.Ordinal) => TypeKind.Fraction,
        "date" => TypeKind.Temporal,
        var t when t.StartsWith("timestamp", StringComparison.Ordinal) => TypeKind.Temporal,
        _ => TypeKind.Other,
    };

    private static int? HashBits(string type) => type switch
    {
        "integer" => 28,
        "bigint" => 60,
        _ => null,
    };

    /// <summary>HMAC-SHA256 of the value's UTF-8 bytes as lower-case hex, with PostgreSQL's own sha256 (no extension needed).</summary>
    private static string Hmac(string text, string keys) =>
        $"encode(sha256((SELECT outer_pad FROM {keys}) || sha256((SELECT inner_pad FROM {keys}) || convert_to({text}, 'UTF8'))), 'hex')";
}
