using static Meshwork.Schemas.Json.JsonSchemaDifferenceKinds;
using static Meshwork.Schemas.Tests.Json.Js;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>Arrays: <c>items</c>, tuples (<c>items</c> arrays and <c>prefixItems</c>) and their content models.</summary>
public sealed class JsonSchemaArrayTests
{
    [Fact]
    public void Items_ChangeInside_IsLocatedUnderItems()
    {
        var problem = Assert.Single(CanRead("""{"type":"array","items":{"type":"integer"}}""", """{"type":"array","items":{"type":"number"}}"""));

        Assert.Equal(TypeNarrowed, problem.Kind);
        Assert.Equal("/items", problem.Location);
    }

    [Fact]
    public void Items_AddingASchema_IsIncompatible_RemovingIt_IsNot()
    {
        Assert.Equal(SchemaAdded, Assert.Single(CanRead("""{"type":"array","items":{"type":"string"}}""", """{"type":"array"}""")).Kind);
        Assert.True(Change("""{"type":"array","items":{"type":"string"}}""", """{"type":"array"}""", SchemaRemoved).Compatible);
    }

    [Fact]
    public void Tuple_AddingAnItem_ToAnOpenWriter_IsIncompatible()
    {
        var problem = Assert.Single(CanRead("""{"type":"array","items":[{"type":"string"},{"type":"integer"}]}""", """{"type":"array","items":[{"type":"string"}]}"""));

        Assert.Equal(ItemAddedToOpenContentModel, problem.Kind);
        Assert.Equal("/items/1", problem.Location);
    }

    [Fact]
    public void Tuple_AddingAnItemWithEmptySchema_ToAnOpenWriter_IsCompatible()
    {
        Assert.Empty(CanRead("""{"type":"array","items":[{"type":"string"},{}]}""", """{"type":"array","items":[{"type":"string"}]}"""));
    }

    [Fact]
    public void Tuple_AddingAnItem_ToAClosedWriter_IsCompatible()
    {
        var writer = """{"type":"array","items":[{"type":"string"}],"additionalItems":false}""";
        var reader = """{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}""";

        Assert.Empty(CanRead(reader, writer));
        Assert.True(Change(writer, reader, ItemAddedToClosedContentModel).Compatible);
    }

    [Fact]
    public void Tuple_AddingAnItem_ToAPartiallyOpenWriter_IsComparedWithItsAdditionalItems()
    {
        var writer = """{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"integer"}}""";

        Assert.Empty(CanRead("""{"type":"array","items":[{"type":"string"},{"type":"number"}],"additionalItems":{"type":"integer"}}""", writer));
        Assert.Contains(CanRead("""{"type":"array","items":[{"type":"string"},{"type":"string"}],"additionalItems":{"type":"integer"}}""", writer),
            p => p.Kind == ItemAddedNotCoveredByPartiallyOpenContentModel && p.Location == "/items/1");
    }

    [Fact]
    public void Tuple_RemovingAnItem_FromAnOpenReader_IsCompatible_FromAClosedOne_IsNot()
    {
        Assert.Empty(CanRead("""{"type":"array","items":[{"type":"string"}]}""", """{"type":"array","items":[{"type":"string"},{"type":"integer"}]}"""));
        var problem = Assert.Single(CanRead(
            """{"type":"array","items":[{"type":"string"}],"additionalItems":false}""",
            """{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":false}"""));
        Assert.Equal(ItemRemovedFromClosedContentModel, problem.Kind);
        Assert.Empty(CanRead(
            """{"type":"array","items":[{"type":"string"}],"additionalItems":false}""",
            """{"type":"array","items":[{"type":"string"},false],"additionalItems":false}"""));
    }

    [Fact]
    public void Tuple_RemovingAnItem_CoveredByReadersAdditionalItems_IsCompatible()
    {
        Assert.Empty(CanRead(
            """{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"number"}}""",
            """{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":{"type":"number"}}"""));
        Assert.Contains(CanRead(
            """{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"boolean"}}""",
            """{"type":"array","items":[{"type":"string"},{"type":"integer"}],"additionalItems":{"type":"boolean"}}"""),
            p => p.Kind == ItemRemovedNotCoveredByPartiallyOpenContentModel);
    }

    [Fact]
    public void AdditionalItems_ForbiddingThem_IsIncompatible_AllowingThem_IsNot()
    {
        const string Open = """{"type":"array","items":[{"type":"string"}]}""";
        const string Closed = """{"type":"array","items":[{"type":"string"}],"additionalItems":false}""";
        const string Typed = """{"type":"array","items":[{"type":"string"}],"additionalItems":{"type":"string"}}""";

        Assert.Equal(AdditionalItemsRemoved, Assert.Single(CanRead(Closed, Open)).Kind);
        Assert.True(Change(Closed, Open, AdditionalItemsAdded).Compatible);
        Assert.Equal(AdditionalItemsNarrowed, Assert.Single(CanRead(Typed, Open)).Kind);
        Assert.True(Change(Typed, Open, AdditionalItemsExtended).Compatible);
    }

    [Fact]
    public void PrefixItems_AreTuples_AndItemsBesideThemAreTheRest()
    {
        var writer = """{"type":"array","prefixItems":[{"type":"string"}],"items":false}""";
        var reader = """{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false}""";

        Assert.Empty(CanRead(reader, writer));
        var problem = Assert.Single(CanRead(writer, reader));
        Assert.Equal(ItemRemovedFromClosedContentModel, problem.Kind);
        Assert.Equal("/prefixItems/1", problem.Location);
        Assert.Equal(AdditionalItemsRemoved, Assert.Single(CanRead(writer, """{"type":"array","prefixItems":[{"type":"string"}]}""")).Kind);
    }

    [Fact]
    public void UnevaluatedItems_ClosingTheArray_IsIncompatible()
    {
        Assert.Equal(UnevaluatedItemsRemoved, Assert.Single(CanRead("""{"type":"array","unevaluatedItems":false}""", """{"type":"array"}""")).Kind);
        Assert.True(Change("""{"type":"array","unevaluatedItems":false}""", """{"type":"array"}""", UnevaluatedItemsAdded).Compatible);
        Assert.Equal(UnevaluatedItemsNarrowed, Assert.Single(CanRead("""{"type":"array","unevaluatedItems":{"type":"string"}}""", """{"type":"array"}""")).Kind);
        Assert.True(Change("""{"type":"array","unevaluatedItems":{"type":"string"}}""", """{"type":"array"}""", UnevaluatedItemsExtended).Compatible);
    }
}
