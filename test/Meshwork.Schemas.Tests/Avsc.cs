using Avro;
using Meshwork.Schemas.Avro;

namespace Meshwork.Schemas.Tests;

/// <summary>Builds Avro schemas from JSON text for the tests.</summary>
internal static class Avsc
{
    public static Schema Parse(string json) => Schema.Parse(json);

    /// <summary>A record schema's JSON; each field is a JSON object's text.</summary>
    public static string Record(string name, params string[] fields) =>
        $$"""{"type":"record","name":"{{name}}","fields":[{{string.Join(",", fields)}}]}""";

    /// <summary>A field's JSON; <paramref name="type"/> is JSON text (quote primitive names: "\"int\"").</summary>
    public static string Field(string name, string type) => $$"""{"name":"{{name}}","type":{{type}}}""";

    public static string FieldWithDefault(string name, string type, string defaultJson) =>
        $$"""{"name":"{{name}}","type":{{type}},"default":{{defaultJson}}}""";

    /// <summary>A one-field record R whose field f has the given type; handy to put a type somewhere other than the top level.</summary>
    public static string Wrap(string type) => Record("R", Field("f", type));

    public static string Quote(string primitive) => $"\"{primitive}\"";

    public static IReadOnlyList<SchemaIncompatibility> CanRead(string reader, string writer) =>
        AvroCompatibility.CanRead(Parse(reader), Parse(writer));
}
