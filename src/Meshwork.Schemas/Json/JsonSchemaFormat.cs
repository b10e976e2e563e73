using System.Globalization;
using System.Text.Json;

namespace Meshwork.Schemas.Json;

/// <summary>
/// JSON Schema, checked with the Confluent schema registry's rules: backward compatible means every document
/// valid under the writer (old) schema is valid under the reader (new) one, as far as Confluent's
/// <c>JsonSchemaDiff</c> can tell.
/// </summary>
public sealed class JsonSchemaFormat : ISchemaFormat
{
    public static JsonSchemaFormat Instance { get; } = new();

    public string Type => "JSON";

    /// <summary>
    /// Parses a JSON Schema; a <c>$ref</c> whose address (before <c>#</c>) is a reference's name (or its <c>$id</c>)
    /// points into that reference. The canonical form is the minified JSON.
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

        var documents = new List<JsonDocument>();
        try
        {
            var main = Document(text, string.Empty, documents);
            var referenced = new List<(string, JsonElement)>();
            foreach (var reference in references)
            {
                referenced.Add((reference.Name, Document(reference.Schema, reference.Name, documents).RootElement));
            }

            var root = new JsonSchemaLoader(main.RootElement, referenced).Load();

            // A chain of $refs nests without nesting the text; the checker recurses through it.
            SchemaNesting.CheckTypes(Type, "/", [root], Uses, n => n is ReferenceNode reference ? reference.Reference : null);
            return new JsonParsedSchema(this, text, JsonText.Minify(main.RootElement), root);
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }

    public IReadOnlyList<SchemaIncompatibility> CanRead(ParsedSchema reader, ParsedSchema writer) =>
        JsonSchemaCompatibility.CanRead(Unwrap(reader, nameof(reader)), Unwrap(writer, nameof(writer)));

    private JsonDocument Document(string text, string name, List<JsonDocument> documents)
    {
        try
        {
            // The nesting was checked before; the parser's own limit says the same.
            var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = SchemaNesting.MaxDepth });
            documents.Add(document);
            return document;
        }
        catch (JsonException e)
        {
            var where = string.Create(CultureInfo.InvariantCulture, $"line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}")
                + (name.Length == 0 ? string.Empty : $" of reference '{name}'");
            throw new InvalidSchemaException(Type, where, "not valid JSON: " + e.Message, e);
        }
    }

    private static IEnumerable<SchemaNode?> Uses(SchemaNode node) => node switch
    {
        ObjectNode o => o.Properties.Select(p => p.Value).Append(o.AdditionalProperties).Append(o.UnevaluatedProperties)
            .Concat(o.PatternProperties.Select(p => p.Schema)).Concat(o.SchemaDependencies.Values),
        ArrayNode a => (a.ItemSchemas ?? []).Append(a.AllItems).Append(a.AdditionalItems).Append(a.UnevaluatedItems),
        CombinedNode c => c.Subschemas,
        NotNode n => [n.MustNotMatch],
        ReferenceNode r => [r.Referred],
        _ => [],
    };

    private static JsonParsedSchema Unwrap(ParsedSchema schema, string name) =>
        schema as JsonParsedSchema ?? throw new ArgumentException($"Not a JSON Schema: {schema?.Type}.", name);
}

/// <summary>A parsed JSON Schema.</summary>
public sealed class JsonParsedSchema : ParsedSchema
{
    internal JsonParsedSchema(JsonSchemaFormat format, string text, string canonical, SchemaNode root)
        : base(format, text, canonical) => Root = root;

    internal SchemaNode Root { get; }
}

/// <summary>The JSON Schema checker's entry points.</summary>
public static class JsonSchemaCompatibility
{
    /// <summary>Parses a JSON Schema without references.</summary>
    public static JsonParsedSchema Parse(string text) => (JsonParsedSchema)JsonSchemaFormat.Instance.Parse(text, []);

    /// <summary>
    /// Every change from <paramref name="original"/> (the writer, the old version) to <paramref name="update"/>
    /// (the reader, the new version), each with Confluent's verdict.
    /// </summary>
    public static IReadOnlyList<SchemaDifference> Differences(JsonParsedSchema original, JsonParsedSchema update)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(update);
        return [.. JsonSchemaDiff.Compare(original.Root, update.Root).Distinct().Select(ToDifference)];
    }

    /// <summary>Why documents valid under <paramref name="writer"/> may be invalid under <paramref name="reader"/>; empty when they never are.</summary>
    public static IReadOnlyList<SchemaIncompatibility> CanRead(JsonParsedSchema reader, JsonParsedSchema writer) =>
        [.. Differences(writer, reader).Where(d => !d.Compatible).Select(d => d.ToIncompatibility())];

    private static SchemaDifference ToDifference(Change change)
    {
        var location = change.Path.Length == 0 ? "/" : change.Path;
        return new SchemaDifference(change.Kind, location, JsonSchemaDifferenceKinds.IsCompatible(change.Kind),
            $"{change.Kind} at '{location}': {JsonSchemaDifferenceKinds.Describe(change.Kind)}");
    }
}
