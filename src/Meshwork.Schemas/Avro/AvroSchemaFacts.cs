using System.Text.Json;
using Avro;

namespace Meshwork.Schemas.Avro;

/// <summary>What the checker needs to know about an Apache.Avro schema object beyond its public properties.</summary>
internal static class AvroSchemaFacts
{
    /// <summary>The schema a logical type annotates; other schemas unchanged (logical types resolve as their underlying type).</summary>
    public static Schema Unwrap(Schema schema)
    {
        while (schema is LogicalSchema logical)
        {
            schema = logical.BaseSchema;
        }

        return schema;
    }

    /// <summary>The schema's type, with protocol error records counted as records (as Java's RECORD with isError).</summary>
    public static Schema.Type KindOf(Schema schema) =>
        schema.Tag == Schema.Type.Error ? Schema.Type.Record : schema.Tag;

    public static bool IsPrimitive(Schema.Type kind) => kind is
        Schema.Type.Null or Schema.Type.Boolean or Schema.Type.Int or Schema.Type.Long or
        Schema.Type.Float or Schema.Type.Double or Schema.Type.Bytes or Schema.Type.String;

    public static bool IsNumber(Schema.Type kind) =>
        kind is Schema.Type.Int or Schema.Type.Long or Schema.Type.Float or Schema.Type.Double;

    /// <summary>Whether the specification promotes a writer value of <paramref name="writer"/> to <paramref name="reader"/>.</summary>
    public static bool Promotes(Schema.Type writer, Schema.Type reader) => (writer, reader) switch
    {
        (Schema.Type.Int, Schema.Type.Long or Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Long, Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Float, Schema.Type.Double) => true,
        (Schema.Type.String, Schema.Type.Bytes) => true,
        (Schema.Type.Bytes, Schema.Type.String) => true,
        _ => false,
    };

    /// <summary>A short human description: <c>int</c>, <c>record 'a.b.Person'</c>, <c>array of long</c>, <c>union [null, string]</c>.</summary>
    public static string Describe(Schema schema) => schema switch
    {
        LogicalSchema logical => $"{Describe(logical.BaseSchema)} (logical type {logical.LogicalTypeName})",
        RecordSchema record => $"{(record.Tag == Schema.Type.Error ? "error" : "record")} '{record.Fullname}'",
        EnumSchema enumeration => $"enum '{enumeration.Fullname}'",
        FixedSchema fixedSchema => $"fixed '{fixedSchema.Fullname}' (size {fixedSchema.Size})",
        ArraySchema array => $"array of {Describe(array.ItemSchema)}",
        MapSchema map => $"map of {Describe(map.ValueSchema)}",
        UnionSchema union => $"union [{string.Join(", ", union.Schemas.Select(Describe))}]",
        _ => schema.Name,
    };

    /// <summary>
    /// The aliases of a named schema as full names: unqualified aliases take the schema's namespace.
    /// </summary>
    /// <remarks>
    /// Apache.Avro keeps a named schema's aliases in a private field and exposes no property for them, but
    /// writes them when it turns the schema back into JSON, so they are read from there. A leading dot (which
    /// the library writes for an alias in the null namespace) means no namespace.
    /// </remarks>
    public static IReadOnlyList<string> QualifiedAliases(NamedSchema schema)
    {
        using var json = JsonDocument.Parse(schema.ToString());
        if (json.RootElement.ValueKind != JsonValueKind.Object
            || !json.RootElement.TryGetProperty("aliases", out var aliases)
            || aliases.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<string>();
        foreach (var alias in aliases.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String || alias.GetString() is not { Length: > 0 } name)
            {
                continue;
            }

            if (name[0] == '.')
            {
                result.Add(name[1..]);
            }
            else if (name.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(schema.Namespace))
            {
                result.Add(name);
            }
            else
            {
                result.Add($"{schema.Namespace}.{name}");
            }
        }

        return result;
    }
}
