using System.Globalization;
using Meshwork.Engines.Sql;

namespace Meshwork.Engines.DuckDb;

/// <summary>DuckDB's spelling of identifiers, literals, the engine-neutral types and the functions validation uses.</summary>
internal sealed class DuckDbSql : SqlDialect
{
    public static DuckDbSql Instance { get; } = new();

    public override string Type(DataType type) => type.Kind switch
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

    // DuckDB's casts accept more forms of dates and times than ISO (2024/01/01, 24-01-01): only ISO casts, as in every engine.
    public override string CastOrNull(string expression, DataType type) => type.Kind switch
    {
        DataKind.Date => IsoOnly(expression, type, IsoDate),
        DataKind.Timestamp => IsoOnly(expression, type, IsoTimestamp),
        DataKind.TimestampTz => IsoOnly(expression, type, IsoTimestampTz),
        DataKind.Time => IsoOnly(expression, type, IsoTime),
        _ => $"TRY_CAST({expression} AS {Type(type)})",
    };

    private string IsoOnly(string expression, DataType type, string shape) =>
        $"CASE WHEN regexp_full_match(CAST({expression} AS VARCHAR), {Literal(shape)}) THEN TRY_CAST({expression} AS {Type(type)}) END";

    public override string Matches(string expression, string regex) => $"regexp_matches({expression}, {Literal(regex)})";

    public override string FullMatch(string expression, string regex) => $"regexp_full_match({expression}, {Literal(regex)})";

    public override string SplitReasons(string expression) => $"string_split({expression}, '; ')";

    public override string CreateTempTable(string name, string query) => $"CREATE OR REPLACE TEMP TABLE {name} AS\n{query}";
}
