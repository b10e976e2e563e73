using System.Globalization;
using System.Text.Json.Nodes;
using Meshwork.Engines;
using Meshwork.Engines.Ir;

namespace Meshwork.Schemas.Export;

/// <summary>
/// A published dataset's schema as JSON Schema (draft 2020-12), for JSON exports and Kafka topics in JSON: one
/// object per row, one property per contract column, required columns listed in <c>required</c>, optional
/// columns nullable, types and formats as <see cref="AvroExporter"/> maps them.
/// </summary>
/// <remarks>
/// The object is closed (<c>additionalProperties: false</c>): under the registry's JSON Schema rules adding an
/// optional column to a closed object is compatible, while adding any property to an open one is not.
/// </remarks>
public static class JsonSchemaExporter
{
    public const string Draft = "https://json-schema.org/draft/2020-12/schema";

    public static string FromDataset(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var column in spec.Columns)
        {
            var property = Type(column.Type);
            if (!column.Required && property["type"] is JsonValue type)
            {
                property["type"] = new JsonArray(type.GetValue<string>(), "null");
            }

            if (column.Description is { } description)
            {
                property["description"] = description;
            }

            properties[column.Name] = property;
            if (column.Required)
            {
                required.Add(column.Name);
            }
        }

        return new JsonObject
        {
            ["$schema"] = Draft,
            ["title"] = spec.Address,
            ["description"] = $"{spec.Address}, published under contract {spec.ContractId}.",
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
            ["additionalProperties"] = false,
        }.ToJsonString();
    }

    private static JsonObject Type(DataType type) => type.Kind switch
    {
        DataKind.Int32 => new JsonObject { ["type"] = "integer", ["minimum"] = int.MinValue, ["maximum"] = int.MaxValue },
        DataKind.Int64 => new JsonObject { ["type"] = "integer", ["minimum"] = long.MinValue, ["maximum"] = long.MaxValue },
        DataKind.Double => new JsonObject { ["type"] = "number" },
        DataKind.Boolean => new JsonObject { ["type"] = "boolean" },
        DataKind.Decimal => Decimal(type.Precision, type.Scale),
        DataKind.Date => new JsonObject { ["type"] = "string", ["format"] = "date" },

        // Local times and timestamps carry no offset, which RFC 3339's "time" and "date-time" formats require.
        DataKind.Time => new JsonObject { ["type"] = "string", ["pattern"] = @"^\d{2}:\d{2}:\d{2}(\.\d{1,9})?$" },
        DataKind.Timestamp => new JsonObject { ["type"] = "string", ["pattern"] = @"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$" },
        DataKind.TimestampTz => new JsonObject { ["type"] = "string", ["format"] = "date-time" },

        // A JSON column holds any JSON value.
        DataKind.Json => [],
        _ => new JsonObject { ["type"] = "string" },
    };

    /// <summary>A number with at most <paramref name="scale"/> decimals and <paramref name="precision"/> digits in all.</summary>
    private static JsonObject Decimal(int precision, int scale)
    {
        var decimalType = new JsonObject { ["type"] = "number" };
        if (scale is > 0 and <= 28)
        {
            decimalType["multipleOf"] = JsonValue.Create(decimal.Parse("1E-" + scale.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (precision - scale is > 0 and <= 28)
        {
            var bound = decimal.Parse("1E" + (precision - scale).ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
            decimalType["exclusiveMinimum"] = -bound;
            decimalType["exclusiveMaximum"] = bound;
        }

        return decimalType;
    }
}
