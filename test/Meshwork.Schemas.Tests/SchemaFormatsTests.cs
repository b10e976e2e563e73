using Meshwork.Schemas.Avro;
using Meshwork.Schemas.Json;
using Meshwork.Schemas.Protobuf;

namespace Meshwork.Schemas.Tests;

public sealed class SchemaFormatsTests
{
    [Fact]
    public void Default_HasAvroJsonAndProtobuf()
    {
        Assert.Equal(["AVRO", "JSON", "PROTOBUF"], SchemaFormats.Default.Types);
        Assert.IsType<AvroSchemaFormat>(SchemaFormats.Default.Get("AVRO"));
        Assert.IsType<JsonSchemaFormat>(SchemaFormats.Default.Get("JSON"));
        Assert.IsType<ProtobufSchemaFormat>(SchemaFormats.Default.Get("PROTOBUF"));
    }

    [Fact]
    public void Get_UnknownType_SaysWhichAreSupported()
    {
        var error = Assert.Throws<ArgumentException>(() => SchemaFormats.Default.Get("XML"));

        Assert.Contains("AVRO, JSON, PROTOBUF", error.Message, StringComparison.Ordinal);
        Assert.False(SchemaFormats.Default.TryGet("XML", out _));
    }

    [Fact]
    public void Add_ReplacesAFormatOfTheSameType()
    {
        var formats = new SchemaFormats().Add(AvroSchemaFormat.Instance).Add(AvroSchemaFormat.Instance);

        Assert.Equal(["AVRO"], formats.Types);
    }

    [Fact]
    public void Avro_ParsesWithReferences_AndChecksLikeTheAvroOverload()
    {
        var address = new SchemaReferenceText("Address", """{"type":"record","name":"Address","fields":[{"name":"city","type":"string"}]}""");
        var v1 = AvroSchemaFormat.Instance.Parse("""{"type":"record","name":"User","fields":[{"name":"home","type":"Address"}]}""", [address]);
        var v2 = AvroSchemaFormat.Instance.Parse("""{"type":"record","name":"User","fields":[{"name":"home","type":"Address"},{"name":"age","type":"int"}]}""", [address]);

        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Backward, v2, [v1]));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal(((AvroParsedSchema)v1).Schema.ToString(), v1.Canonical);
    }

    [Fact]
    public void Avro_InvalidSchema_IsAnInvalidSchemaException()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => AvroSchemaFormat.Instance.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}""", []));

        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CompatibilityLevel.None)]
    [InlineData(CompatibilityLevel.Backward)]
    [InlineData(CompatibilityLevel.FullTransitive)]
    public void Check_PreviousVersionOfAnotherType_IsIncompatibleAtEveryLevel(CompatibilityLevel level)
    {
        var avro = AvroSchemaFormat.Instance.Parse("\"string\"", []);
        var json = JsonSchemaFormat.Instance.Parse("""{"type":"string"}""", []);

        var problem = Assert.Single(Compatibility.Check(level, json, [avro]));

        Assert.Equal(SchemaIncompatibilityKinds.SchemaTypeMismatch, problem.Kind);
        Assert.Contains("the candidate is JSON, previous version 1 of 1 (the latest) is AVRO", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ParsedAvro_GivesTheSameAnswerAsTheAvroOverload()
    {
        var reader = """{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}""";
        var writer = """{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""";

        var viaFormat = Compatibility.Check(CompatibilityLevel.Full, AvroSchemaFormat.Instance.Parse(reader, []), [AvroSchemaFormat.Instance.Parse(writer, [])]);
        var viaAvro = Compatibility.Check(CompatibilityLevel.Full, global::Avro.Schema.Parse(reader), [global::Avro.Schema.Parse(writer)]);

        Assert.Equal(viaAvro, viaFormat);
        Assert.Equal(2, viaFormat.Count);
    }
}
