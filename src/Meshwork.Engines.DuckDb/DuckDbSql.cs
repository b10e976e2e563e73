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

    public override string CastOrNull(string expression, DataType type) => $"TRY_CAST({expression} AS {Type(type)})";

    public override string Matches(string expression, string regex) => $"regexp_matches({expression}, {Literal(regex)})";

    public override string FullMatch(string expression, string regex) => $"regexp_full_match({expression}, {Literal(regex)})";

    public override string SplitReasons(string expression) => $"string_split({expression}, '; ')";

    public override string CreateTempTable(string name, string query) => $"CREATE OR REPLACE TEMP TABLE {name} AS\n{query}";
}
