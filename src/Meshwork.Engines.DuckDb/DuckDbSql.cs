using System.Globalization;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.DuckDb;

/// <summary>DuckDB's spelling of identifiers, literals and the engine-neutral types.</summary>
internal static class DuckDbSql
{
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A dataset address <c>a.b.c</c> as a three-part SQL name.</summary>
    public static string Address(string address) => string.Join('.', address.Split('.').Select(Identifier));

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Type(DataType type) => type.Kind switch
    {
        DataKind.String => "VARCHAR",
        DataKind.Int32 => "INTEGER",
        DataKind.Int64 => "BIGINT",
        DataKind.Double => "DOUBLE",
        DataKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision},{type.Scale})"),
        DataKind.Boolean => "BOOLEAN",
        DataKind.Date => "DATE",
        DataKind.Timestamp => "TIMESTAMP",
        DataKind.TimestampTz => "TIMESTAMPTZ",
        DataKind.Time => "TIME",
        DataKind.Json => "JSON",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown data kind."),
    };

    /// <summary>A bound in the column's type: numbers as written, dates and times cast from their ISO text.</summary>
    public static string TypedValue(string value, DataType type) =>
        type.IsNumeric ? value : $"CAST({Literal(value)} AS {Type(type)})";

    /// <summary>Checks of string formats DuckDB can do; null for a format it cannot check.</summary>
    public static string? FormatCheck(string column, string format) => format.ToLowerInvariant() switch
    {
        "email" => $"regexp_full_match({column}, {Literal(@"[^@\s]+@[^@\s]+\.[^@\s]+")})",
        "uuid" => $"TRY_CAST({column} AS UUID) IS NOT NULL",
        "uri" or "url" => $"regexp_full_match({column}, {Literal(@"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")})",
        "ipv4" => $"regexp_full_match({column}, {Literal(@"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")})",
        "hostname" => $"regexp_full_match({column}, {Literal(@"[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*")})",
        "date" => $"TRY_CAST({column} AS DATE) IS NOT NULL",
        "date-time" => $"TRY_CAST({column} AS TIMESTAMPTZ) IS NOT NULL",
        _ => null,
    };

    /// <summary>The condition under which a row fails <paramref name="rule"/>, over typed column <c>c</c> and its raw text <c>raw</c>.</summary>
    public static string? Failure(RowRule rule, DataType type)
    {
        var c = Identifier(rule.Column);
        var raw = Identifier(RawColumn(rule.Column));
        return rule switch
        {
            Castable => $"{raw} IS NOT NULL AND {c} IS NULL",
            Required => $"{raw} IS NULL",
            MinValue min => $"{c} {(min.Exclusive ? "<=" : "<")} {TypedValue(min.Value, type)}",
            MaxValue max => $"{c} {(max.Exclusive ? ">=" : ">")} {TypedValue(max.Value, type)}",
            MultipleOf multiple => $"abs({c} / {multiple.Value} - round({c} / {multiple.Value})) > 1e-9",
            MinLength min => string.Create(CultureInfo.InvariantCulture, $"length(CAST({c} AS VARCHAR)) < {min.Length}"),
            MaxLength max => string.Create(CultureInfo.InvariantCulture, $"length(CAST({c} AS VARCHAR)) > {max.Length}"),
            Pattern pattern => $"NOT regexp_matches(CAST({c} AS VARCHAR), {Literal(pattern.Regex)})",
            Format format => FormatCheck($"CAST({c} AS VARCHAR)", format.Name) is { } check ? $"NOT ({check})" : null,
            AllowedValues allowed when allowed.Values.All(v => v == ContractCompiler.NullMarker) => "TRUE",
            AllowedValues allowed => $"CAST({c} AS VARCHAR) NOT IN ({string.Join(", ", allowed.Values.Where(v => v != ContractCompiler.NullMarker).Select(Literal))})",
            _ => null,
        };
    }

    public static string RawColumn(string column) => "__mw_raw_" + column;
}
