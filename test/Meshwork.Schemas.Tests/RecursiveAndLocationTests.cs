using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class RecursiveAndLocationTests
{
    private static string LinkedList(string valueType, string extraField = "") => $$"""
        {"type":"record","name":"Node","fields":[
          {"name":"value","type":"{{valueType}}"},
          {"name":"next","type":["null","Node"],"default":null}{{extraField}}]}
        """;

    [Fact]
    public void CanRead_SameRecursiveRecord_IsCompatible()
    {
        Assert.Empty(CanRead(LinkedList("int"), LinkedList("int")));
    }

    [Fact]
    public void CanRead_RecursiveRecordValuePromoted_IsCompatible()
    {
        Assert.Empty(CanRead(LinkedList("long"), LinkedList("int")));
    }

    [Fact]
    public void CanRead_RecursiveRecordValueNarrowed_ReportsOnceAtFirstLevel()
    {
        var problem = Assert.Single(CanRead(LinkedList("int"), LinkedList("long")));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/fields/0/type", problem.Location);
    }

    [Fact]
    public void CanRead_RecursiveRecordReaderAddsFieldWithoutDefault_IsReaderFieldMissingDefaultValue()
    {
        var reader = LinkedList("int", """,{"name":"label","type":"string"}""");

        var problem = Assert.Single(CanRead(reader, LinkedList("int")));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/2", problem.Location);
    }

    [Fact]
    public void CanRead_TreeRecursingThroughArrayAndMap_Terminates()
    {
        const string tree = """
            {"type":"record","name":"Tree","fields":[
              {"name":"label","type":"string"},
              {"name":"children","type":{"type":"array","items":"Tree"}},
              {"name":"byName","type":{"type":"map","values":"Tree"}}]}
            """;
        const string narrowed = """
            {"type":"record","name":"Tree","fields":[
              {"name":"label","type":"int"},
              {"name":"children","type":{"type":"array","items":"Tree"}},
              {"name":"byName","type":{"type":"map","values":"Tree"}}]}
            """;

        Assert.Empty(CanRead(tree, tree));
        Assert.Single(CanRead(narrowed, tree));
    }

    [Fact]
    public void CanRead_MutuallyRecursiveRecords_Terminate()
    {
        const string schema = """
            {"type":"record","name":"Person","fields":[
              {"name":"name","type":"string"},
              {"name":"employer","type":["null",{"type":"record","name":"Company","fields":[
                {"name":"title","type":"string"},
                {"name":"staff","type":{"type":"array","items":"Person"}}]}],"default":null}]}
            """;
        var narrowed = schema.Replace("""{"name":"title","type":"string"}""", """{"name":"title","type":"int"}""", StringComparison.Ordinal);

        Assert.Empty(CanRead(schema, schema));
        var problem = Assert.Single(CanRead(narrowed, schema));
        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Equal("/fields/1/type", problem.Location);
    }

    [Fact]
    public void CanRead_TopLevelMismatch_IsLocatedAtRoot()
    {
        var problem = Assert.Single(CanRead("\"int\"", Record("R")));

        Assert.Equal("/", problem.Location);
    }

    [Fact]
    public void CanRead_DeepIncompatibility_LocationFollowsReaderJson()
    {
        static string Schema(int size) => Record("Order",
            Field("id", "\"string\""),
            Field("note", """["null","string"]"""),
            Field("lines", $$$"""{"type":"map","values":{"type":"array","items":{{{Record("Line", Field("sku", $$"""{"type":"fixed","name":"Sku","size":{{size}}}"""))}}}}}"""));

        var problem = Assert.Single(CanRead(Schema(8), Schema(12)));

        Assert.Equal(SchemaIncompatibilityKinds.FixedSizeMismatch, problem.Kind);
        Assert.Equal("/fields/2/type/values/items/fields/0/type/size", problem.Location);
        Assert.StartsWith("Field 'lines.sku': ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_SharedNamedTypeInTwoFields_ReportsEachFieldLocation()
    {
        static string Schema(string zip) => $$$"""
            {"type":"record","name":"Customer","fields":[
              {"name":"billing","type":{"type":"record","name":"Address","fields":[{"name":"zip","type":"{{{zip}}}"}]}},
              {"name":"shipping","type":"Address"}]}
            """;

        var problems = CanRead(Schema("int"), Schema("long"));

        Assert.Equal(["/fields/0/type/fields/0/type", "/fields/1/type/fields/0/type"], problems.Select(p => p.Location));
        Assert.StartsWith("Field 'shipping.zip': ", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_FieldIndexUsesReaderPosition_NotWriterPosition()
    {
        var writer = Record("R", Field("a", "\"long\""), Field("b", "\"string\""));
        var reader = Record("R", Field("b", "\"string\""), Field("a", "\"int\""));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal("/fields/1/type", problem.Location);
    }
}
