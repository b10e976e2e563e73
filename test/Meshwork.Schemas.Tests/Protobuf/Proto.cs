using Meshwork.Schemas.Protobuf;

namespace Meshwork.Schemas.Tests.Protobuf;

/// <summary>Protobuf test helpers: "writer" is the old version, "reader" the new one.</summary>
internal static class Proto
{
    public static ProtobufParsedSchema Parse(string proto) => ProtobufCompatibility.Parse(proto);

    public static IReadOnlyList<SchemaDifference> Diff(string writer, string reader) => ProtobufCompatibility.Differences(Parse(writer), Parse(reader));

    public static IReadOnlyList<SchemaIncompatibility> CanRead(string reader, string writer) => ProtobufCompatibility.CanRead(Parse(reader), Parse(writer));

    public static SchemaDifference Change(string writer, string reader, string kind) => Assert.Single(Diff(writer, reader), d => d.Kind == kind);

    /// <summary>A proto3 file in package <c>test</c> with one message M of the given body.</summary>
    public static string Proto3(string body) => $"syntax = \"proto3\";\npackage test;\nmessage M {{\n{body}\n}}\n";

    /// <summary>A proto2 file in package <c>test</c> with one message M of the given body.</summary>
    public static string Proto2(string body) => $"syntax = \"proto2\";\npackage test;\nmessage M {{\n{body}\n}}\n";
}
