using Meshwork.Schemas.Json;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>JSON Schema test helpers: schemas are JSON texts; "writer" is the old version, "reader" the new one.</summary>
internal static class Js
{
    public static JsonParsedSchema Parse(string json) => JsonSchemaCompatibility.Parse(json);

    /// <summary>Every change from the writer to the reader.</summary>
    public static IReadOnlyList<SchemaDifference> Diff(string writer, string reader) => JsonSchemaCompatibility.Differences(Parse(writer), Parse(reader));

    public static IReadOnlyList<SchemaIncompatibility> CanRead(string reader, string writer) => JsonSchemaCompatibility.CanRead(Parse(reader), Parse(writer));

    /// <summary>The one change of <paramref name="kind"/> from the writer to the reader.</summary>
    public static SchemaDifference Change(string writer, string reader, string kind) =>
        Assert.Single(Diff(writer, reader), d => d.Kind == kind);

    /// <summary>An object schema with the given properties (JSON member texts) and extra keywords (JSON member texts).</summary>
    public static string Obj(string properties, string extra = "") =>
        $$"""{"type":"object","properties":{{{properties}}}{{(extra.Length > 0 ? "," + extra : "")}}}""";

    /// <summary>A one-property object whose property <c>p</c> has the given schema: handy to put a type below the root.</summary>
    public static string Wrap(string schema) => Obj($"\"p\":{schema}");
}
