using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class CollectionCompatibilityTests
{
    private static string ArrayOf(string items) => $$"""{"type":"array","items":{{items}}}""";

    private static string MapOf(string values) => $$"""{"type":"map","values":{{values}}}""";

    [Theory]
    [InlineData("int", "long")]
    [InlineData("int", "double")]
    [InlineData("long", "float")]
    [InlineData("float", "double")]
    [InlineData("string", "bytes")]
    [InlineData("bytes", "string")]
    public void CanRead_ArrayOfPromotedItems_IsCompatible(string writerItems, string readerItems)
    {
        Assert.Empty(CanRead(ArrayOf(Quote(readerItems)), ArrayOf(Quote(writerItems))));
    }

    [Theory]
    [InlineData("long", "int")]
    [InlineData("double", "float")]
    public void CanRead_ArrayOfNarrowedItems_IsTypeMismatchAtItems(string writerItems, string readerItems)
    {
        var problem = Assert.Single(CanRead(ArrayOf(Quote(readerItems)), ArrayOf(Quote(writerItems))));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/items", problem.Location);
    }

    [Theory]
    [InlineData("int", "long")]
    [InlineData("long", "double")]
    [InlineData("string", "bytes")]
    public void CanRead_MapOfPromotedValues_IsCompatible(string writerValues, string readerValues)
    {
        Assert.Empty(CanRead(MapOf(Quote(readerValues)), MapOf(Quote(writerValues))));
    }

    [Fact]
    public void CanRead_MapOfNarrowedValues_IsTypeMismatchAtValues()
    {
        var problem = Assert.Single(CanRead(MapOf(Quote("float")), MapOf(Quote("double"))));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/values", problem.Location);
    }

    [Fact]
    public void CanRead_ArrayWriterMapReader_IsTypeMismatch()
    {
        var problem = Assert.Single(CanRead(MapOf(Quote("int")), ArrayOf(Quote("int"))));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/", problem.Location);
        Assert.Equal("Reader type map of int cannot read writer type array of int.", problem.Message);
    }

    [Fact]
    public void CanRead_ArrayOfRecordsInField_LocatesNestedFieldThroughItems()
    {
        var writer = Wrap(ArrayOf(Record("Line", Field("qty", "\"long\""))));
        var reader = Wrap(ArrayOf(Record("Line", Field("qty", "\"int\""))));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal("/fields/0/type/items/fields/0/type", problem.Location);
        Assert.StartsWith("Field 'f.qty': ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_MapOfArraysOfPromotedItems_IsCompatible()
    {
        Assert.Empty(CanRead(MapOf(ArrayOf(Quote("double"))), MapOf(ArrayOf(Quote("int")))));
    }

    [Fact]
    public void CanRead_MapOfArraysOfNarrowedItems_IsTypeMismatchAtValuesItems()
    {
        var problem = Assert.Single(CanRead(MapOf(ArrayOf(Quote("int"))), MapOf(ArrayOf(Quote("double")))));

        Assert.Equal("/values/items", problem.Location);
    }
}
