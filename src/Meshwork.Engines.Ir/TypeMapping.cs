using System.Globalization;
using System.Text.RegularExpressions;
using Meshwork.Model;

namespace Meshwork.Engines;

/// <summary>
/// The one table from ODCS types to engine-neutral types. A property's <c>physicalType</c> refines its
/// <c>logicalType</c> where it names a narrower type (INT, DECIMAL(18,2), TIMESTAMPTZ ...); otherwise the
/// logical type decides.
/// </summary>
public static class TypeMapping
{
    private static readonly (Regex Pattern, Func<Match, DataType> Type)[] Physical =
    [
        (PhysicalPattern(@"tinyint|smallint|int2|int4|int|integer|int32"), _ => DataType.Int32),
        (PhysicalPattern(@"bigint|int8|int64|long"), _ => DataType.Int64),
        (PhysicalPattern(@"(decimal|numeric)\s*\(\s*(?<p>\d+)\s*(,\s*(?<s>\d+)\s*)?\)"), m => DataType.Decimal(
            int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture),
            m.Groups["s"].Success ? int.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) : 0)),
        (PhysicalPattern(@"decimal|numeric"), _ => DataType.Decimal(18, 3)),
        (PhysicalPattern(@"double|double precision|float8|float|float4|real"), _ => DataType.Double),
        (PhysicalPattern(@"bool|boolean"), _ => DataType.Boolean),
        (PhysicalPattern(@"date"), _ => DataType.Date),
        (PhysicalPattern(@"timestamptz|timestamp with time zone"), _ => DataType.TimestampTz),
        (PhysicalPattern(@"timestamp|timestamp without time zone|datetime"), _ => DataType.Timestamp),
        (PhysicalPattern(@"time"), _ => DataType.Time),
        (PhysicalPattern(@"varchar(\s*\(\s*\d+\s*\))?|char(\s*\(\s*\d+\s*\))?|text|string|uuid"), _ => DataType.String),
        (PhysicalPattern(@"json|jsonb|struct|map|variant"), _ => DataType.Json),
    ];

    /// <summary>The type of a contract property.</summary>
    public static DataType Map(SchemaProperty property)
    {
        var logical = FromLogical(property);
        if (property.PhysicalType is not { } physical)
        {
            return logical;
        }

        foreach (var (pattern, type) in Physical)
        {
            if (pattern.Match(physical.Trim()) is { Success: true } match)
            {
                var mapped = type(match);
                // A physical type only refines a compatible logical type (an INT for an integer, not for a string).
                return Compatible(logical, mapped) ? mapped : logical;
            }
        }

        return logical;
    }

    private static DataType FromLogical(SchemaProperty property) => property.LogicalType switch
    {
        "integer" => DataType.Int64,
        "number" => DataType.Double,
        "boolean" => DataType.Boolean,
        "date" => DataType.Date,
        "timestamp" => property.LogicalTypeOptions.TryGetValue("timezone", out var tz) && tz.ValueKind == System.Text.Json.JsonValueKind.True
            ? DataType.TimestampTz
            : DataType.Timestamp,
        "time" => DataType.Time,
        "object" or "array" => DataType.Json,
        _ => DataType.String,
    };

    private static bool Compatible(DataType logical, DataType physical) => logical.Kind switch
    {
        DataKind.Int64 => physical.Kind is DataKind.Int32 or DataKind.Int64 or DataKind.Decimal && (physical.Kind != DataKind.Decimal || physical.Scale == 0),
        DataKind.Double => physical.IsNumeric,
        DataKind.Timestamp => physical.Kind is DataKind.Timestamp or DataKind.TimestampTz,
        DataKind.String => physical.Kind == DataKind.String,
        _ => physical.Kind == logical.Kind,
    };

    private static Regex PhysicalPattern(string alternatives) =>
        new($"^(?:{alternatives})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);
}
