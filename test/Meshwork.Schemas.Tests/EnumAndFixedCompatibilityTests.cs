using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class EnumAndFixedCompatibilityTests
{
    private const string Suits = """{"type":"enum","name":"Suit","symbols":["HEARTS","SPADES","CLUBS"]}""";

    [Fact]
    public void CanRead_ReaderEnumAddsSymbol_IsCompatible()
    {
        const string reader = """{"type":"enum","name":"Suit","symbols":["HEARTS","SPADES","CLUBS","DIAMONDS"]}""";

        Assert.Empty(CanRead(reader, Suits));
    }

    [Fact]
    public void CanRead_ReaderEnumSymbolsReordered_IsCompatible()
    {
        const string reader = """{"type":"enum","name":"Suit","symbols":["CLUBS","HEARTS","SPADES"]}""";

        Assert.Empty(CanRead(reader, Suits));
    }

    [Fact]
    public void CanRead_ReaderEnumLacksWriterSymbols_IsMissingEnumSymbolsListingThem()
    {
        const string reader = """{"type":"enum","name":"Suit","symbols":["SPADES"]}""";

        var problem = Assert.Single(CanRead(reader, Suits));

        Assert.Equal(SchemaIncompatibilityKinds.MissingEnumSymbols, problem.Kind);
        Assert.Equal("/symbols", problem.Location);
        Assert.Equal("Reader enum 'Suit' lacks writer symbols [CLUBS, HEARTS] and has no default symbol.", problem.Message);
    }

    [Fact]
    public void CanRead_ReaderEnumLacksSymbolButHasDefault_IsCompatible()
    {
        const string reader = """{"type":"enum","name":"Suit","symbols":["UNKNOWN","HEARTS","SPADES"],"default":"UNKNOWN"}""";

        Assert.Empty(CanRead(reader, Suits));
    }

    [Fact]
    public void CanRead_OnlyWriterEnumHasDefault_IsMissingEnumSymbols()
    {
        const string writer = """{"type":"enum","name":"Suit","symbols":["HEARTS","SPADES","CLUBS"],"default":"HEARTS"}""";
        const string reader = """{"type":"enum","name":"Suit","symbols":["HEARTS","SPADES"]}""";

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.MissingEnumSymbols, problem.Kind);
    }

    [Fact]
    public void CanRead_EnumFieldLosesSymbol_IsMissingEnumSymbolsAtFieldSymbols()
    {
        const string reader = """{"type":"enum","name":"Suit","symbols":["HEARTS","SPADES"]}""";

        var problem = Assert.Single(CanRead(Wrap(reader), Wrap(Suits)));

        Assert.Equal("/fields/0/type/symbols", problem.Location);
        Assert.StartsWith("Field 'f': ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_NewEnumFieldWithOnlyAnEnumDefault_IsReaderFieldMissingDefaultValue()
    {
        // The enum default stands in for unknown symbols, not for a field the writer never wrote.
        var reader = Record("R", Field("suit", """{"type":"enum","name":"Suit","symbols":["HEARTS"],"default":"HEARTS"}"""));

        var problem = Assert.Single(CanRead(reader, Record("R")));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/0", problem.Location);
    }

    [Fact]
    public void CanRead_EnumRenamed_IsNameMismatch()
    {
        const string reader = """{"type":"enum","name":"CardSuit","symbols":["HEARTS","SPADES","CLUBS"]}""";

        var problem = Assert.Single(CanRead(reader, Suits));

        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
        Assert.Equal("/name", problem.Location);
    }

    [Fact]
    public void CanRead_EnumRenamedWithReaderAlias_IsCompatible()
    {
        const string reader = """{"type":"enum","name":"CardSuit","aliases":["Suit"],"symbols":["HEARTS","SPADES","CLUBS"]}""";

        Assert.Empty(CanRead(reader, Suits));
    }

    [Fact]
    public void CanRead_NestedEnumUnqualifiedAlias_TakesTheInheritedNamespace()
    {
        // CardSuit inherits com.acme.v2 from the record, so its alias "Suit" means com.acme.v2.Suit.
        const string reader = """
            {"type":"record","name":"Card","namespace":"com.acme.v2","fields":[
              {"name":"suit","type":{"type":"enum","name":"CardSuit","aliases":["Suit"],"symbols":["HEARTS"]}}]}
            """;
        const string sameNamespace = """
            {"type":"record","name":"Card","namespace":"com.acme.v2","fields":[
              {"name":"suit","type":{"type":"enum","name":"Suit","symbols":["HEARTS"]}}]}
            """;
        const string otherNamespace = """
            {"type":"record","name":"Card","namespace":"com.acme.v1","fields":[
              {"name":"suit","type":{"type":"enum","name":"Suit","symbols":["HEARTS"]}}]}
            """;

        Assert.Empty(CanRead(reader, sameNamespace));
        var problem = Assert.Single(CanRead(reader, otherNamespace));
        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
        Assert.Equal("/fields/0/type/name", problem.Location);
    }

    [Fact]
    public void CanRead_EnumWriterStringReader_IsTypeMismatch()
    {
        var problem = Assert.Single(CanRead("\"string\"", Suits));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
    }

    [Fact]
    public void CanRead_SameFixed_IsCompatible()
    {
        const string hash = """{"type":"fixed","name":"Hash","size":16}""";

        Assert.Empty(CanRead(hash, hash));
    }

    [Fact]
    public void CanRead_FixedSizeDiffers_IsFixedSizeMismatch()
    {
        const string reader = """{"type":"fixed","name":"Hash","size":32}""";
        const string writer = """{"type":"fixed","name":"Hash","size":16}""";

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.FixedSizeMismatch, problem.Kind);
        Assert.Equal("/size", problem.Location);
        Assert.Equal("Reader fixed 'Hash' has size 32 but writer fixed 'Hash' has size 16.", problem.Message);
    }

    [Fact]
    public void CanRead_FixedNameDiffers_IsNameMismatch()
    {
        const string reader = """{"type":"fixed","name":"Digest","size":16}""";
        const string writer = """{"type":"fixed","name":"Hash","size":16}""";

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
        Assert.Equal("/name", problem.Location);
    }

    [Fact]
    public void CanRead_FixedNameAndSizeDiffer_ReportsBoth()
    {
        const string reader = """{"type":"fixed","name":"Digest","size":32}""";
        const string writer = """{"type":"fixed","name":"Hash","size":16}""";

        var problems = CanRead(reader, writer);

        Assert.Equal(["/name", "/size"], problems.Select(p => p.Location));
    }

    [Fact]
    public void CanRead_FixedRenamedWithReaderAlias_IsCompatible()
    {
        const string reader = """{"type":"fixed","name":"Digest","aliases":["Hash"],"size":16}""";
        const string writer = """{"type":"fixed","name":"Hash","size":16}""";

        Assert.Empty(CanRead(reader, writer));
    }

    [Fact]
    public void CanRead_FixedInDifferentNamespaces_IsCompatible()
    {
        const string reader = """{"type":"fixed","name":"a.Hash","size":16}""";
        const string writer = """{"type":"fixed","name":"b.Hash","size":16}""";

        Assert.Empty(CanRead(reader, writer));
    }

    [Fact]
    public void CanRead_FixedWriterBytesReader_IsTypeMismatch()
    {
        const string writer = """{"type":"fixed","name":"Hash","size":16}""";

        var problem = Assert.Single(CanRead("\"bytes\"", writer));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Contains("fixed 'Hash' (size 16)", problem.Message, StringComparison.Ordinal);
    }
}
