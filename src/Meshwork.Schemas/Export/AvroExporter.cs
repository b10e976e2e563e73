using System.Text.Json.Nodes;
using Meshwork.Engines;
using Meshwork.Engines.Ir;

namespace Meshwork.Schemas.Export;

/// <summary>
/// A published dataset's schema as an Avro record (what the registry holds under <c>&lt;address&gt;-value</c>):
/// one field per contract column, optional columns as a union with null (default null), logical types for
/// decimals, dates, times and timestamps.
/// </summary>
public static class AvroExporter
{
    public static string FromDataset(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Address.Split('.');
        var fields = new JsonArray();
        foreach (var column in spec.Columns)
        {
            var field = new JsonObject { ["name"] = column.Name };
            var type = Type(column.Type);
            if (column.Required)
            {
                field["type"] = type;
            }
            else
            {
                field["type"] = new JsonArray("null", type);
                field["default"] = null;
            }

            if (column.Description is { } description)
            {
                field["doc"] = description;
            }

            fields.Add(field);
        }

        return new JsonObject
        {
            ["type"] = "record",
            ["name"] = parts[^1],
            ["namespace"] = string.Join('.', parts[..^1]),
            ["doc"] = $"{spec.Address}, published under contract {spec.ContractId}.",
            ["fields"] = fields,
        }.ToJsonString();
    }

    private static JsonNode Type(DataType type) => type.Kind switch
    {
        DataKind.Int32 => "int",
        DataKind.Int64 => "long",
        DataKind.Double => "double",
        DataKind.Boolean => "boolean",
        DataKind.Decimal => new JsonObject { ["type"] = "bytes", ["logicalType"] = "decimal", ["precision"] = type.Precision, ["scale"] = type.Scale },
        DataKind.Date => new JsonObject { ["type"] = "int", ["logicalType"] = "date" },
        DataKind.Time => new JsonObject { ["type"] = "long", ["logicalType"] = "time-micros" },
        DataKind.Timestamp => new JsonObject { ["type"] = "long", ["logicalType"] = "local-timestamp-micros" },
        DataKind.TimestampTz => new JsonObject { ["type"] = "long", ["logicalType"] = "timestamp-micros" },
        _ => "string",
    };
}
