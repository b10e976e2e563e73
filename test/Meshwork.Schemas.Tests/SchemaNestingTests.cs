using System.Globalization;
using System.Text;
using Meshwork.Schemas.Avro;
using Meshwork.Schemas.Json;
using Meshwork.Schemas.Protobuf;

namespace Meshwork.Schemas.Tests;

/// <summary>Every schema format refuses nesting past <see cref="SchemaNesting.MaxDepth"/> before its parser recurses.</summary>
public sealed class SchemaNestingTests
{
    private const int Limit = SchemaNesting.MaxDepth;

    [Fact]
    public void Protobuf_NestedAtTheLimit_IsAccepted()
    {
        var schema = ProtobufSchemaFormat.Instance.Parse(NestedProto(Limit), []);

        Assert.Equal(Limit, ((ProtobufParsedSchema)schema).MessageNames.Count);
    }

    [Fact]
    public void Protobuf_NestedOnePastTheLimit_IsRefusedWithTheLine()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => ProtobufSchemaFormat.Instance.Parse(NestedProto(Limit + 1), []));

        Assert.Equal($"line {Limit + 2}, column 13", error.Location); // the brace of "message M65 {"
        Assert.Contains($"nests deeper than {Limit} levels", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Protobuf_NestedTwelveThousandLevels_IsRefusedWithoutExhaustingTheStack()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => ProtobufSchemaFormat.Instance.Parse(NestedProto(12_000), []));

        Assert.Contains("nests deeper than", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Protobuf_BracketsInCommentsAndStrings_AreNotNesting()
    {
        var body = new string('{', Limit + 1);
        var schema = ProtobufSchemaFormat.Instance.Parse(
            $"syntax = \"proto3\";\n// {body}\n/* {body} */\nmessage M {{ string a = 1 [json_name = \"{body}\"]; }}\n", []);

        Assert.Equal(["M"], ((ProtobufParsedSchema)schema).MessageNames);
    }

    [Fact]
    public void Protobuf_DeepReference_IsRefusedNamingTheReference()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => ProtobufSchemaFormat.Instance.Parse(
            "syntax = \"proto3\";\nimport \"deep.proto\";\nmessage M { int32 a = 1; }\n", [new SchemaReferenceText("deep.proto", NestedProto(Limit + 1))]));

        Assert.EndsWith("of reference 'deep.proto'", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_NestedAtTheLimit_IsAccepted() => Assert.NotNull(JsonSchemaFormat.Instance.Parse(NestedArrays(Limit, "integer"), []));

    [Fact]
    public void Json_NestedOnePastTheLimit_IsRefused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => JsonSchemaFormat.Instance.Parse(NestedArrays(Limit + 1, "integer"), []));

        Assert.Equal($"line 1, column {(Limit * 24) + 1}", error.Location);
        Assert.Contains($"nests deeper than {Limit} levels", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Avro_NestedAtTheLimit_IsAccepted() => Assert.NotNull(AvroSchemaFormat.Instance.Parse(NestedArrays(Limit, "int"), []));

    [Fact]
    public void Avro_NestedOnePastTheLimit_IsRefused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => AvroSchemaFormat.Instance.Parse(NestedArrays(Limit + 1, "int"), []));

        Assert.Contains($"nests deeper than {Limit} levels", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Avro_DeepReference_IsRefused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => AvroSchemaFormat.Instance.Parse("\"int\"", [new SchemaReferenceText("Deep", NestedArrays(Limit + 1, "int"))]));

        Assert.Contains("reference 'Deep'", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Avro_NamedTypesChainedToTheLimit_AreAccepted() => Assert.NotNull(AvroSchemaFormat.Instance.Parse(AvroChain(Limit - 1), [])); // the union is a level

    [Fact]
    public void Avro_NamedTypesChainedPastTheLimit_AreRefused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => AvroSchemaFormat.Instance.Parse(AvroChain(Limit), []));

        Assert.Contains($"nests deeper than {Limit} levels through the types it uses", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Avro_FifteenThousandChainedNamedTypes_AreRefusedWithoutExhaustingTheStack() =>
        Assert.Throws<InvalidSchemaException>(() => AvroSchemaFormat.Instance.Parse(AvroChain(15_000), []));

    [Fact]
    public void Json_RefsChainedToTheLimit_AreAccepted() => Assert.NotNull(JsonSchemaFormat.Instance.Parse(JsonChain(Limit / 2), [])); // a $ref and its object: two levels

    [Fact]
    public void Json_RefsChainedPastTheLimit_AreRefusedNamingTheChain()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => JsonSchemaFormat.Instance.Parse(JsonChain((Limit / 2) + 1), []));

        Assert.Equal("/", error.Location);
        Assert.Contains("through the types it uses (from #/$defs/d32 → #/$defs/d31", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_FifteenThousandChainedRefs_AreRefusedWithoutExhaustingTheStack() =>
        Assert.Throws<InvalidSchemaException>(() => JsonSchemaFormat.Instance.Parse(JsonChain(15_000), []));

    [Fact]
    public void Protobuf_MessagesChainedToTheLimit_AreAccepted() => Assert.NotNull(ProtobufSchemaFormat.Instance.Parse(ProtoChain(Limit), []));

    [Fact]
    public void Protobuf_MessagesChainedPastTheLimit_AreRefusedNamingTheChain()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => ProtobufSchemaFormat.Instance.Parse(ProtoChain(Limit + 1), []));

        Assert.Contains($"through the types it uses (from R{Limit} → R{Limit - 1}", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Protobuf_FifteenThousandChainedMessages_AreRefusedWithoutExhaustingTheStack() =>
        Assert.Throws<InvalidSchemaException>(() => ProtobufSchemaFormat.Instance.Parse(ProtoChain(15_000), []));

    [Fact]
    public void RecursiveTypes_AddNoLevel()
    {
        Assert.NotNull(AvroSchemaFormat.Instance.Parse("""{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}""", []));
        Assert.NotNull(JsonSchemaFormat.Instance.Parse("""{"$ref":"#/$defs/n","$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}}}""", []));
        Assert.NotNull(ProtobufSchemaFormat.Instance.Parse("syntax = \"proto3\";\nmessage Node { Node next = 1; }\n", []));
    }

    /// <summary>A union of <paramref name="count"/> records, each but the first with a field of the one before.</summary>
    private static string AvroChain(int count)
    {
        var text = new StringBuilder("""[{"type":"record","name":"R0","fields":[]}""");
        for (var i = 1; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $$$"""
                ,{"type":"record","name":"R{{{i}}}","fields":[{"name":"f","type":"R{{{i - 1}}}"}]}
                """);
        }

        return text.Append(']').ToString();
    }

    /// <summary>A <c>$ref</c> to the last of <paramref name="count"/> definitions, each but the first with a property referring to the one before.</summary>
    private static string JsonChain(int count)
    {
        var text = new StringBuilder("""{"$ref":"#/$defs/d""").Append(count - 1).Append("\",\"$defs\":{\"d0\":{\"type\":\"integer\"}");
        for (var i = 1; i < count; i++)
        {
            text.Append(",\"d").Append(i).Append("\":{\"type\":\"object\",\"properties\":{\"f\":{\"$ref\":\"#/$defs/d").Append(i - 1).Append("\"}}}");
        }

        return text.Append("}}").ToString();
    }

    /// <summary><paramref name="count"/> messages, each but the last declared with a field of the next one declared.</summary>
    private static string ProtoChain(int count)
    {
        var text = new StringBuilder("syntax = \"proto3\";\n");
        for (var i = count - 1; i >= 1; i--)
        {
            text.Append(CultureInfo.InvariantCulture, $"message R{i} {{ R{i - 1} f = 1; }}\n");
        }

        return text.Append("message R0 { int32 a = 1; }\n").ToString();
    }

    /// <summary><paramref name="depth"/> messages, each declared inside the one before, one per line.</summary>
    private static string NestedProto(int depth)
    {
        var text = new StringBuilder("syntax = \"proto3\";\n");
        for (var i = 1; i <= depth; i++)
        {
            text.Append("message M").Append(i).Append(" {\n");
        }

        text.Append("int32 a = 1;\n").Append('}', depth).Append('\n');
        return text.ToString();
    }

    /// <summary>An array of arrays ... of <paramref name="leaf"/>, <paramref name="depth"/> JSON objects deep, each 24 characters long up to the leaf.</summary>
    private static string NestedArrays(int depth, string leaf)
    {
        var text = new StringBuilder();
        for (var i = 1; i < depth; i++)
        {
            text.Append("{\"type\":\"array\",\"items\":");
        }

        return text.Append("{\"type\":\"").Append(leaf).Append("\"}").Append('}', depth - 1).ToString();
    }
}
