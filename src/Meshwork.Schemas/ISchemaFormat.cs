namespace Meshwork.Schemas;

/// <summary>
/// One schema language the registry accepts (AVRO, JSON, PROTOBUF): how its text is parsed, what identifies a
/// schema, and when data written with one schema can be read with another. Register new ones in
/// <see cref="SchemaFormats"/>.
/// </summary>
public interface ISchemaFormat
{
    /// <summary>The registry's name for the format: <c>AVRO</c>, <c>JSON</c> or <c>PROTOBUF</c>.</summary>
    string Type { get; }

    /// <summary>
    /// Parses <paramref name="text"/>. <paramref name="references"/> are the schemas it may use, dependencies
    /// before the schemas that use them (Avro: named types; JSON Schema: <c>$ref</c> to a reference's name;
    /// Protobuf: <c>import "name"</c>).
    /// </summary>
    /// <exception cref="InvalidSchemaException">The text (or a reference) is not a valid schema; the exception names the place and the reason.</exception>
    ParsedSchema Parse(string text, IReadOnlyList<SchemaReferenceText> references);

    /// <summary>
    /// Lists why data written with <paramref name="writer"/> cannot be read with <paramref name="reader"/>;
    /// empty when it always can. Both were parsed by this format.
    /// </summary>
    IReadOnlyList<SchemaIncompatibility> CanRead(ParsedSchema reader, ParsedSchema writer);
}

/// <summary>A schema another schema refers to by <paramref name="Name"/>, with its text.</summary>
/// <param name="Name">The name the referring schema uses (a JSON <c>$ref</c>, a Protobuf import path; ignored for Avro).</param>
/// <param name="Schema">The referenced schema's text.</param>
public sealed record SchemaReferenceText(string Name, string Schema);
