namespace Meshwork.Schemas.Avro;

/// <summary>Avro schemas: parsed by Apache.Avro, checked by <see cref="AvroCompatibility"/>.</summary>
public sealed class AvroSchemaFormat : ISchemaFormat
{
    public static AvroSchemaFormat Instance { get; } = new();

    public string Type => "AVRO";

    /// <summary>
    /// Parses the schema after its references, whose named types (records, enums, fixeds) it may then use by name.
    /// The canonical form is Apache.Avro's rendering of the parsed schema.
    /// </summary>
    public ParsedSchema Parse(string text, IReadOnlyList<SchemaReferenceText> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidSchemaException(Type, "/", "the schema is empty");
        }

        SchemaNesting.Check(text, Type, SchemaNesting.JsonBrackets);
        foreach (var reference in references)
        {
            SchemaNesting.Check(reference.Schema, Type, SchemaNesting.JsonBrackets, $" of reference '{reference.Name}'");
        }

        var names = new global::Avro.SchemaNames();
        foreach (var reference in references)
        {
            Parse(reference.Schema, names, $"reference '{reference.Name}'");
        }

        var schema = Parse(text, names, "/");

        // Named types used by name nest without nesting the text; Apache.Avro's rendering recurses through them.
        SchemaNesting.CheckTypes(Type, "/", [schema], Uses, s => (s as global::Avro.NamedSchema)?.Fullname);
        return new AvroParsedSchema(this, text, schema);
    }

    /// <summary>Wraps a schema Apache.Avro has already parsed.</summary>
    public AvroParsedSchema Wrap(global::Avro.Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new AvroParsedSchema(this, schema.ToString(), schema);
    }

    public IReadOnlyList<SchemaIncompatibility> CanRead(ParsedSchema reader, ParsedSchema writer) =>
        AvroCompatibility.CanRead(Unwrap(reader, nameof(reader)), Unwrap(writer, nameof(writer)));

    private global::Avro.Schema Parse(string text, global::Avro.SchemaNames names, string location)
    {
        try
        {
            return global::Avro.Schema.Parse(text, names);
        }
        catch (Exception e) when (e is global::Avro.AvroException or Newtonsoft.Json.JsonException or System.Text.Json.JsonException)
        {
            // Apache.Avro's messages name the type or field; JSON syntax errors carry their line and position.
            throw new InvalidSchemaException(Type, location, e.Message, e);
        }
    }

    private static IEnumerable<global::Avro.Schema?> Uses(global::Avro.Schema schema) => schema switch
    {
        global::Avro.RecordSchema record => record.Fields.Select(f => f.Schema),
        global::Avro.ArraySchema array => [array.ItemSchema],
        global::Avro.MapSchema map => [map.ValueSchema],
        global::Avro.UnionSchema union => union.Schemas,
        global::Avro.LogicalSchema logical => [logical.BaseSchema],
        _ => [],
    };

    private static global::Avro.Schema Unwrap(ParsedSchema schema, string name) =>
        schema is AvroParsedSchema avro ? avro.Schema : throw new ArgumentException($"Not an Avro schema: {schema?.Type}.", name);
}

/// <summary>An Avro schema with Apache.Avro's object model.</summary>
public sealed class AvroParsedSchema : ParsedSchema
{
    internal AvroParsedSchema(AvroSchemaFormat format, string text, global::Avro.Schema schema)
        : base(format, text, schema.ToString()) => Schema = schema;

    public global::Avro.Schema Schema { get; }
}
