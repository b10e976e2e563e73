namespace Meshwork.Schemas.Protobuf;

/// <summary>The Protobuf checker's entry points.</summary>
public static class ProtobufCompatibility
{
    /// <summary>Parses <c>.proto</c> text without references (Google's well-known types may be imported).</summary>
    public static ProtobufParsedSchema Parse(string text) => (ProtobufParsedSchema)ProtobufSchemaFormat.Instance.Parse(text, []);

    /// <summary>
    /// Every change from <paramref name="original"/> (the writer, the old version) to <paramref name="update"/>
    /// (the reader, the new version), each with Confluent's verdict. Locations are
    /// <c>/Message/Nested/fieldNumber</c>, with the oneof's name before the number of a oneof's field.
    /// </summary>
    public static IReadOnlyList<SchemaDifference> Differences(ProtobufParsedSchema original, ProtobufParsedSchema update)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(update);
        return [.. ProtobufDiff.Compare(original.Model, update.Model).Distinct().Select(ToDifference)];
    }

    /// <summary>Why messages written with <paramref name="writer"/> may not be read with <paramref name="reader"/>; empty when they always can.</summary>
    public static IReadOnlyList<SchemaIncompatibility> CanRead(ProtobufParsedSchema reader, ProtobufParsedSchema writer) =>
        [.. Differences(writer, reader).Where(d => !d.Compatible).Select(d => d.ToIncompatibility())];

    private static SchemaDifference ToDifference(Change change)
    {
        var location = change.Path.Length == 0 ? "/" : change.Path;
        return new SchemaDifference(change.Kind, location, ProtobufDifferenceKinds.IsCompatible(change.Kind),
            $"{change.Kind} at '{location}': {ProtobufDifferenceKinds.Describe(change.Kind)}");
    }
}
