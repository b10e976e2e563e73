using Meshwork.Engines.Sql;

namespace Meshwork.Engines.DuckDb;

/// <summary>The masks of the IR (<see cref="MaskSql"/>) in DuckDB's SQL; the key's padded forms are literals of the view (DuckDB has no way to read them).</summary>
internal sealed class DuckDbMasks(ReadOnlySpan<byte> key) : MaskSql
{
    private readonly (byte[] Inner, byte[] Outer) _pads = SqlDialect.HmacPads(key);

    protected override string TextType => "VARCHAR";

    protected override ValueKind KindOf(string type) => type.ToUpperInvariant() switch
    {
        "VARCHAR" => ValueKind.Text,
        "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT" or "UHUGEINT" => ValueKind.Integer,
        "DOUBLE" or "FLOAT" or "REAL" => ValueKind.Fraction,
        var t when t.StartsWith("DECIMAL", StringComparison.Ordinal) => ValueKind.Fraction,
        "DATE" => ValueKind.Temporal,
        var t when t.StartsWith("TIMESTAMP", StringComparison.Ordinal) => ValueKind.Temporal,
        _ => ValueKind.Other,
    };

    // NULL typed by the column itself: any type DuckDB describes, nested ones included.
    protected override string NullOf(string column, string type) => $"CASE WHEN FALSE THEN {column} END";

    protected override string CastOrNull(string expression, string type) => $"TRY_CAST({expression} AS {type})";

    // Unicode classes, so letters beyond ASCII (ö, Ü, ł) are masked too.
    protected override string Letters(string text) =>
        $"regexp_replace(regexp_replace(regexp_replace(regexp_replace({text}, '\\p{{Lu}}', 'X', 'g'), '\\p{{Ll}}', 'x', 'g'), '[\\p{{Lt}}\\p{{Lm}}\\p{{Lo}}]', 'x', 'g'), '\\p{{Nd}}', 'n', 'g')";

    protected override string YearOfDateText(string column) => $"CAST(make_date(year(TRY_CAST({column} AS DATE)), 1, 1) AS VARCHAR)";

    protected override string YearKept(string column, string type) => $"CAST(make_date(year({column}), 1, 1) AS {type})";

    protected override int? HashBits(string type) => type.ToUpperInvariant() switch
    {
        "INTEGER" or "UINTEGER" => 28,
        "BIGINT" or "UBIGINT" or "HUGEINT" or "UHUGEINT" => 60,
        _ => null,
    };

    protected override string HexToInteger(string hex, int bits) => $"CAST('0x' || {hex} AS UBIGINT)";

    protected override string Hmac(string text) =>
        $"sha256(unhex('{Convert.ToHexString(_pads.Outer)}') || unhex(sha256(unhex('{Convert.ToHexString(_pads.Inner)}') || encode({text}))))";
}
