using Meshwork.Engines.Sql;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// The masks of the IR (<see cref="MaskSql"/>) in PostgreSQL's SQL. <paramref name="keys"/> is the relation holding the
/// HMAC's padded keys (<c>inner_pad</c>, <c>outer_pad</c>), readable by the view's owner only: the key is never in a
/// definition a reader could see. <paramref name="letters"/> is a collation whose character classes know every script.
/// </summary>
internal sealed class PostgresMasks(string keys, string letters) : MaskSql
{
    /// <summary>
    /// The statements that create <paramref name="keys"/> (a table, or a session table when <paramref name="temporary"/>)
    /// holding <paramref name="key"/>'s padded forms, as the masks read them.
    /// </summary>
    public static string CreateKeys(string keys, ReadOnlySpan<byte> key, bool temporary)
    {
        var (inner, outer) = SqlDialect.HmacPads(key);
        return $"CREATE {(temporary ? "TEMP " : string.Empty)}TABLE {keys} (inner_pad bytea NOT NULL, outer_pad bytea NOT NULL);\n" +
            $"INSERT INTO {keys} VALUES ('\\x{Convert.ToHexStringLower(inner)}', '\\x{Convert.ToHexStringLower(outer)}');\n";
    }

    protected override string TextType => "text";

    protected override ValueKind KindOf(string type) => type switch
    {
        "text" or "name" => ValueKind.Text,
        var t when t.StartsWith("character", StringComparison.Ordinal) => ValueKind.Text,
        "smallint" or "integer" or "bigint" => ValueKind.Integer,
        "double precision" or "real" or "numeric" => ValueKind.Fraction,
        var t when t.StartsWith("numeric(", StringComparison.Ordinal) => ValueKind.Fraction,
        "date" => ValueKind.Temporal,
        var t when t.StartsWith("timestamp", StringComparison.Ordinal) => ValueKind.Temporal,
        _ => ValueKind.Other,
    };

    // PostgreSQL has no TRY_CAST: a custom expression that does not cast fails the read (its message redacted). The
    // masks' own casts cannot fail (a number's digits made 1 is still a number).
    protected override string CastOrNull(string expression, string type) => $"CAST({expression} AS {type})";

    // Lower case first, then upper: every x left is a lower-case letter, so "other letters" can skip X and x.
    protected override string Letters(string text) =>
        $"regexp_replace(regexp_replace(regexp_replace(regexp_replace({text} COLLATE {letters}, '[[:lower:]]', 'x', 'g'), '[[:upper:]]', 'X', 'g'), '(?![Xx])[[:alpha:]]', 'x', 'g'), '[[:digit:]]', 'n', 'g')";

    protected override string YearOfDateText(string column) => $"substring(CAST({column} AS text) FROM '^([0-9]{{4}})-[0-9]{{2}}-[0-9]{{2}}') || '-01-01'";

    protected override string YearKept(string column, string type) => $"CAST(make_date(CAST(extract(year FROM {column}) AS integer), 1, 1) AS {type})";

    protected override int? HashBits(string type) => type switch
    {
        "integer" => 28,
        "bigint" => 60,
        _ => null,
    };

    protected override string HexToInteger(string hex, int bits) => $"CAST(CAST('x' || {hex} AS bit({bits})) AS {(bits > 32 ? "bigint" : "integer")})";

    // With PostgreSQL's own sha256: no extension needed.
    protected override string Hmac(string text) =>
        $"encode(sha256((SELECT outer_pad FROM {keys}) || sha256((SELECT inner_pad FROM {keys}) || convert_to({text}, 'UTF8'))), 'hex')";
}
