using Meshwork.Schemas.Protobuf;
using static Meshwork.Schemas.Tests.Protobuf.Proto;

namespace Meshwork.Schemas.Tests.Protobuf;

/// <summary>Parsing .proto text: errors name the line and column, imports come from the references.</summary>
public sealed class ProtobufParseTests
{
    [Fact]
    public void Parse_UnknownType_NamesTheLineAndColumn()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse("syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  strin b = 2;\n}\n"));

        Assert.Equal("line 4, column 3", error.Location);
        Assert.Contains("type not found: 'strin'", error.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Invalid PROTOBUF schema at line 4, column 3: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateFieldNumber_IsRefused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse("syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  int32 c = 1;\n}\n"));

        Assert.Equal("line 4, column 13", error.Location);
        Assert.Contains("already in use", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SyntaxError_IsRefused()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse("syntax = \"proto3\";\nmessage M {\n  int32 a = 1\n}\n"));

        Assert.Equal("line 4, column 1", error.Location);
        Assert.Contains("expected", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingImport_NamesTheImport()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse("syntax = \"proto3\";\nimport \"missing.proto\";\nmessage M { int32 a = 1; }\n"));

        Assert.Equal("line 2, column 8", error.Location);
        Assert.Contains("missing.proto", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ErrorInAReference_NamesTheReference()
    {
        var error = Assert.Throws<InvalidSchemaException>(() => ProtobufSchemaFormat.Instance.Parse(
            "syntax = \"proto3\";\nimport \"other.proto\";\nmessage M { Other o = 1; }\n",
            [new SchemaReferenceText("other.proto", "syntax = \"proto3\";\nmessage Other { nope x = 1; }\n")]));

        Assert.EndsWith("of reference 'other.proto'", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ImportFromAReference_ResolvesItsTypes()
    {
        var schema = ProtobufSchemaFormat.Instance.Parse(
            "syntax = \"proto3\";\npackage shop;\nimport \"common/money.proto\";\nmessage Order { common.Money total = 1; }\n",
            [new SchemaReferenceText("common/money.proto", "syntax = \"proto3\";\npackage common;\nmessage Money { int64 units = 1; string currency = 2; }\n")]);

        var parsed = Assert.IsType<ProtobufParsedSchema>(schema);
        Assert.Equal("shop", parsed.Package);
        Assert.Equal(["shop.Order"], parsed.MessageNames);
    }

    [Theory]
    [InlineData("message {")]
    [InlineData("}}}")]
    [InlineData("syntax = \"proto4\";")]
    [InlineData("syntax = \"proto3\"; message M { int32 a = 0; }")]
    [InlineData("syntax = \"proto3\"; message M { int32 a = -1; }")]
    [InlineData("syntax = \"proto3\"; message M { map<M, int32> m = 1; }")]
    [InlineData("syntax = \"proto3\"; enum E { A = 1; }")]
    [InlineData("{\"type\":\"record\"}")]
    [InlineData("\u0000\u0001\u0002")]
    public void Parse_Garbage_IsAnInvalidSchemaException(string proto)
    {
        var error = Assert.Throws<InvalidSchemaException>(() => Parse(proto));

        Assert.StartsWith("line ", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_IgnoresCommentsAndWhitespace_ButNotStrings()
    {
        var plain = Parse("syntax = \"proto3\"; message M { int32 a = 1; }");
        var commented = Parse("// a comment\nsyntax   = \"proto3\";\n/* block */ message M {\n  int32 a = 1; // trailing\n}\n");
        var other = Parse("syntax = \"proto3\"; message M { int32 b = 1; }");

        Assert.Equal(plain.Canonical, commented.Canonical);
        Assert.NotEqual(plain.Canonical, other.Canonical);
        Assert.Equal("option x = \"a  // b\";", ProtobufSchemaFormat.Canonical("option  x = \"a  // b\";"));
    }
}
