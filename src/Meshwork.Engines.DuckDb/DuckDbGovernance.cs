using System.Globalization;
using Meshwork.Engines.Ir;
using static Meshwork.Engines.DuckDb.DuckDbSql;

namespace Meshwork.Engines.DuckDb;

/// <summary>Masks and row filters of the engine-neutral IR in DuckDB's SQL.</summary>
internal static class DuckDbGovernance
{
    /// <summary>The masked value of <paramref name="column"/> (an identifier), as Apache Ranger defines each mask.</summary>
    public static string Mask(string column, ColumnMask mask, ReadOnlySpan<byte> key)
    {
        var text = $"CAST({column} AS VARCHAR)";
        return mask.Kind switch
        {
            MaskKind.None => column,
            // Upper-case letters become X, lower-case x, digits n; everything else stays.
            // Unicode classes, so letters beyond ASCII (ö, Ü, ł) are masked too; other letters (no case) become x.
            MaskKind.Mask => $"regexp_replace(regexp_replace(regexp_replace(regexp_replace({text}, '\\p{{Lu}}', 'X', 'g'), '\\p{{Ll}}', 'x', 'g'), '[\\p{{Lt}}\\p{{Lm}}\\p{{Lo}}]', 'x', 'g'), '\\p{{Nd}}', 'n', 'g')",
            MaskKind.ShowLast4 => $"CASE WHEN length({text}) <= 4 THEN {text} ELSE regexp_replace(left({text}, length({text}) - 4), '.', 'x', 'g') || right({text}, 4) END",
            MaskKind.ShowFirst4 => $"CASE WHEN length({text}) <= 4 THEN {text} ELSE left({text}, 4) || regexp_replace(substr({text}, 5), '.', 'x', 'g') END",
            MaskKind.Hash => Hmac(text, key),
            MaskKind.Null => $"CASE WHEN FALSE THEN {column} END",
            MaskKind.DateShowYear => $"make_date(year(TRY_CAST({column} AS DATE)), 1, 1)",
            MaskKind.Custom => mask.Expression?.Replace("{column}", column, StringComparison.Ordinal) ?? $"CASE WHEN FALSE THEN {column} END",
            _ => throw new ArgumentOutOfRangeException(nameof(mask), mask.Kind, "Unknown mask."),
        };
    }

    /// <summary>HMAC-SHA256 (RFC 2104) of the value's UTF-8 bytes in SQL: H((K ⊕ opad) ∥ H((K ⊕ ipad) ∥ m)), as lower-case hex.</summary>
    private static string Hmac(string text, ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[64];
        block.Clear();
        if (key.Length > 64)
        {
            System.Security.Cryptography.SHA256.HashData(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        Span<byte> inner = stackalloc byte[64];
        Span<byte> outer = stackalloc byte[64];
        for (var i = 0; i < 64; i++)
        {
            inner[i] = (byte)(block[i] ^ 0x36);
            outer[i] = (byte)(block[i] ^ 0x5c);
        }

        return $"sha256(unhex('{Convert.ToHexString(outer)}') || unhex(sha256(unhex('{Convert.ToHexString(inner)}') || encode({text}))))";
    }

    public static string Filter(FilterExpr filter) => filter switch
    {
        FilterColumn c => Identifier(c.Name),
        FilterConstant { Value: null } => "NULL",
        FilterConstant { Value: bool b } => b ? "TRUE" : "FALSE",
        FilterConstant { Value: string s } => Literal(s),
        FilterConstant { Value: long l } => l.ToString(CultureInfo.InvariantCulture),
        FilterConstant { Value: double d } => d.ToString("R", CultureInfo.InvariantCulture),
        FilterConstant c => throw new NotSupportedException($"A row filter constant of type {c.Value!.GetType().Name} has no SQL form."),
        // CEL's == null is SQL's IS NULL: "= NULL" is never true.
        FilterBinary { Operator: FilterOperator.Equal or FilterOperator.NotEqual } b when b.Right is FilterConstant { Value: null } || b.Left is FilterConstant { Value: null } =>
            $"({Filter(b.Left is FilterConstant { Value: null } ? b.Right : b.Left)} IS {(b.Operator == FilterOperator.NotEqual ? "NOT " : string.Empty)}NULL)",
        FilterBinary b => $"({Filter(b.Left)} {Operator(b.Operator)} {Filter(b.Right)})",
        FilterNot n => $"(NOT {Filter(n.Operand)})",
        FilterIn i => i.Items.Count == 0 ? "FALSE" : $"({Filter(i.Value)} IN ({string.Join(", ", i.Items.Select(Filter))}))",
        FilterString s => s.Test switch
        {
            FilterStringTest.StartsWith => $"starts_with({Filter(s.Value)}, {Filter(s.Argument)})",
            FilterStringTest.EndsWith => $"ends_with({Filter(s.Value)}, {Filter(s.Argument)})",
            _ => $"contains({Filter(s.Value)}, {Filter(s.Argument)})",
        },
        _ => throw new NotSupportedException($"No SQL for row filter {filter}."),
    };

    private static string Operator(FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "<>",
        FilterOperator.Less => "<",
        FilterOperator.LessOrEqual => "<=",
        FilterOperator.Greater => ">",
        FilterOperator.GreaterOrEqual => ">=",
        FilterOperator.And => "AND",
        _ => "OR",
    };
}
