using Meshwork.Schemas.Json;
using static Meshwork.Schemas.Tests.Json.Js;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>Parsing JSON Schemas: what is refused (naming the place and the reason), references, identity.</summary>
public sealed class JsonSchemaParseTests
{
    public static TheoryData<string, string, string> InvalidSchemas => new()
    {
        { """{"type":"object","properties":{"a":{"type":"strin"}}}""", "/properties/a/type", "unknown type 'strin'" },
        { """{"type":["string",3]}""", "/type/1", "must be a string" },
        { """{"type":"object","properties":[]}""", "/properties", "'properties' must be an object" },
        { """{"type":"object","required":"a"}""", "/required", "array of property names" },
        { """{"type":"string","maxLength":-1}""", "/maxLength", "non-negative integer" },
        { """{"type":"string","minLength":1.5}""", "/minLength", "non-negative integer" },
        { """{"type":"number","minimum":"0"}""", "/minimum", "must be a number" },
        { """{"type":"number","multipleOf":0}""", "/multipleOf", "greater than 0" },
        { """{"type":"string","pattern":"(unclosed"}""", "/pattern", "not a valid regular expression" },
        { """{"anyOf":[]}""", "/anyOf", "non-empty array" },
        { """{"type":"object","properties":{"a":3}}""", "/properties/a", "an object or a boolean" },
        { """{"$ref":"#/definitions/missing"}""", "/$ref", "points at nothing" },
        { """{"$ref":"other.json"}""", "/$ref", "names no schema" },
        { """{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}}""", "/$ref", "in a circle" },
        { """{"enum":"a"}""", "/enum", "'enum' must be an array" },
        { "[]", "/", "an object or a boolean" },
        { "\"string\"", "/", "an object or a boolean" },
        { """{"type":"array","items":[{"type":"string"},7]}""", "/items/1", "an object or a boolean" },
        { """{"type":"object","dependentRequired":{"a":"b"}}""", "/dependentRequired/a", "array of property names" },
    };

    [Theory]
    [MemberData(nameof(InvalidSchemas))]
    public void Parse_InvalidSchema_NamesThePointerAndTheReason(string schema, string location, string reason)
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse(schema));

        Assert.Equal(location, error.Location);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"Invalid JSON schema at {location}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidJson_NamesTheLineAndColumn()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse("{\n  \"type\": \"object\",\n  \"properties\": {,}\n}"));

        Assert.Equal("line 3, column 18", error.Location);
        Assert.Contains("not valid JSON", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Empty_IsRefused()
    {
        Assert.Throws<InvalidSchemaException>(() => Parse("  "));
    }

    [Fact]
    public void Canonical_IgnoresWhitespace()
    {
        Assert.Equal(Parse("""{"type":"string"}""").Canonical, Parse("{ \"type\" :\n \"string\" }").Canonical);
        Assert.NotEqual(Parse("""{"type":"string"}""").Canonical, Parse("""{"type":"integer"}""").Canonical);
    }

    [Fact]
    public void Ref_ToAReferenceByName_IsResolvedThroughTheReferences()
    {
        var customerV1 = new SchemaReferenceText("customer.json", """{"type":"object","properties":{"id":{"type":"integer"}}}""");
        var customerV2 = new SchemaReferenceText("customer.json", """{"type":"object","properties":{"id":{"type":"string"}}}""");
        const string Order = """{"type":"object","properties":{"customer":{"$ref":"customer.json"}}}""";

        var v1 = JsonSchemaFormat.Instance.Parse(Order, [customerV1]);
        var v2 = JsonSchemaFormat.Instance.Parse(Order, [customerV2]);
        var problem = Assert.Single(JsonSchemaFormat.Instance.CanRead(v2, v1));

        Assert.Equal("/properties/customer/properties/id", problem.Location);
        Assert.Equal(JsonSchemaDifferenceKinds.TypeChanged, problem.Kind);
    }

    [Fact]
    public void Ref_IntoAReferencesDefinitions_AndRelativeToTheRootsId()
    {
        var common = new SchemaReferenceText("common.json", """{"$id":"https://example.com/common.json","$defs":{"money":{"type":"number","minimum":0}}}""");

        var byName = JsonSchemaFormat.Instance.Parse("""{"$ref":"common.json#/$defs/money"}""", [common]);
        var byRelativeUri = JsonSchemaFormat.Instance.Parse("""{"$id":"https://example.com/order.json","$ref":"common.json#/$defs/money"}""", [common]);
        var byId = JsonSchemaFormat.Instance.Parse("""{"$ref":"https://example.com/common.json#/$defs/money"}""", [common]);

        Assert.Empty(JsonSchemaFormat.Instance.CanRead(byName, byRelativeUri));
        Assert.Empty(JsonSchemaFormat.Instance.CanRead(byId, byName));
        Assert.Equal(JsonSchemaDifferenceKinds.MinimumAdded,
            Assert.Single(JsonSchemaFormat.Instance.CanRead(byName, Parse("""{"type":"number"}"""))).Kind);
    }

    [Fact]
    public void Ref_InvalidReference_NamesTheReference()
    {
        var error = Assert.Throws<InvalidSchemaException>(() =>
            JsonSchemaFormat.Instance.Parse("""{"$ref":"bad.json"}""", [new SchemaReferenceText("bad.json", """{"type":"nope"}""")]));

        Assert.Equal("/type of reference 'bad.json'", error.Location);
    }
}
