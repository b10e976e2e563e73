using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class UnionCompatibilityTests
{
    private static readonly string A = Record("A", Field("x", "\"int\""));
    private static readonly string B = Record("B", Field("y", "\"string\""));

    [Fact]
    public void CanRead_WriterUnionSubsetOfReaderUnion_IsCompatible()
    {
        Assert.Empty(CanRead("""["null","string","int"]""", """["null","string"]"""));
    }

    [Fact]
    public void CanRead_WriterUnionBranchesReordered_IsCompatible()
    {
        Assert.Empty(CanRead("""["string","null"]""", """["null","string"]"""));
    }

    [Fact]
    public void CanRead_WriterUnionBranchMissingFromReaderUnion_IsMissingUnionBranch()
    {
        var problem = Assert.Single(CanRead("""["null","string"]""", """["null","string","boolean"]"""));

        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Equal("/", problem.Location);
        Assert.Equal(
            "Reader union [null, string] has no branch that can read writer union branch 2 (boolean).",
            problem.Message);
    }

    [Fact]
    public void CanRead_WriterUnionBranchPromotedByReaderUnion_IsCompatible()
    {
        Assert.Empty(CanRead("""["null","double"]""", """["null","int"]"""));
    }

    [Fact]
    public void CanRead_WriterUnionBranchOnlyNarrowerInReader_IsMissingUnionBranch()
    {
        var problem = Assert.Single(CanRead("""["null","int"]""", """["null","long"]"""));

        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Contains("branch 1 (long)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_NonUnionWriterReaderUnionHasIt_IsCompatible()
    {
        Assert.Empty(CanRead("""["null","string"]""", "\"string\""));
    }

    [Fact]
    public void CanRead_NonUnionWriterReaderUnionHasPromotedBranch_IsCompatible()
    {
        Assert.Empty(CanRead("""["null","long"]""", "\"int\""));
    }

    [Fact]
    public void CanRead_NonUnionWriterReaderUnionLacksIt_IsMissingUnionBranch()
    {
        var problem = Assert.Single(CanRead("""["null","int"]""", "\"string\""));

        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Equal("/", problem.Location);
        Assert.Equal("Reader union [null, int] has no branch that can read writer type string.", problem.Message);
    }

    [Fact]
    public void CanRead_WriterUnionNonUnionReaderAllBranchesReadable_IsCompatible()
    {
        Assert.Empty(CanRead("\"double\"", """["int","long","float"]"""));
    }

    [Fact]
    public void CanRead_WriterUnionNonUnionReaderNullBranchUnreadable_IsTypeMismatchNamingBranch()
    {
        var problem = Assert.Single(CanRead("\"string\"", """["null","string"]"""));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/", problem.Location);
        Assert.Equal("Writer union branch 0 (null): Reader type string cannot read writer type null.", problem.Message);
    }

    [Fact]
    public void CanRead_SingleBranchWriterUnionNonUnionReader_IsCompatible()
    {
        Assert.Empty(CanRead("\"long\"", """["int"]"""));
    }

    [Fact]
    public void CanRead_FieldMadeOptionalInReader_IsCompatible()
    {
        var reader = Record("R", FieldWithDefault("f", """["null","string"]""", "null"));
        var writer = Record("R", Field("f", "\"string\""));

        Assert.Empty(CanRead(reader, writer));
    }

    [Fact]
    public void CanRead_OptionalFieldMadeRequiredInReader_IsTypeMismatchAtField()
    {
        var reader = Record("R", Field("f", "\"string\""));
        var writer = Record("R", FieldWithDefault("f", """["null","string"]""", "null"));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/fields/0/type", problem.Location);
        Assert.Equal("Field 'f': Writer union branch 0 (null): Reader type string cannot read writer type null.", problem.Message);
    }

    [Fact]
    public void CanRead_FieldUnionLosesBranch_IsMissingUnionBranchAtFieldType()
    {
        var reader = Wrap("""["null","string"]""");
        var writer = Wrap("""["null","string","int"]""");

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Equal("/fields/0/type", problem.Location);
    }

    [Fact]
    public void CanRead_ArrayItemsUnionPromoted_IsCompatible()
    {
        Assert.Empty(CanRead(
            """{"type":"array","items":["null","long"]}""",
            """{"type":"array","items":["null","int"]}"""));
    }

    [Fact]
    public void CanRead_ArrayItemsUnionToNonUnion_IsTypeMismatchAtItems()
    {
        var problem = Assert.Single(CanRead(
            """{"type":"array","items":"long"}""",
            """{"type":"array","items":["null","int"]}"""));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/items", problem.Location);
    }

    [Fact]
    public void CanRead_MapValuesUnionLosesBranch_IsMissingUnionBranchAtValues()
    {
        var problem = Assert.Single(CanRead(
            """{"type":"map","values":["null","string"]}""",
            """{"type":"map","values":["null","string","bytes","int"]}"""));

        // bytes is read by the reader's string branch; int is not read by any branch.
        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Equal("/values", problem.Location);
        Assert.Contains("branch 3 (int)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_WriterUnionOfRecordsReaderHasBoth_IsCompatible()
    {
        Assert.Empty(CanRead($"[{B},{A}]", $"[{A},{B}]"));
    }

    [Fact]
    public void CanRead_WriterUnionOfRecordsReaderLacksOne_IsMissingUnionBranchNamingRecord()
    {
        var problem = Assert.Single(CanRead($"[\"null\",{A}]", $"[{A},{B}]"));

        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Contains("branch 1 (record 'B')", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_RecordWriterReaderUnionWithRecordBranch_IsCompatible()
    {
        Assert.Empty(CanRead($"[\"null\",{B},{A}]", A));
    }

    [Fact]
    public void CanRead_RecordWriterReaderUnionBranchIncompatible_IsMissingUnionBranch()
    {
        var reader = $"[\"null\",{Record("A", Field("x", "\"int\""), Field("z", "\"int\""))}]";

        var problem = Assert.Single(CanRead(reader, A));

        Assert.Equal(SchemaIncompatibilityKinds.MissingUnionBranch, problem.Kind);
        Assert.Equal("/", problem.Location);
    }

    [Fact]
    public void CanRead_UnionWriterRecordReader_ChecksTheRecordBranchRecursively()
    {
        var reader = Record("A", Field("x", "\"long\""));
        var writer = $"[{Record("A", Field("x", "\"float\""))},{Record("C", Field("x", "\"int\""))}]";

        var problems = CanRead(reader, writer);

        Assert.Collection(
            problems,
            p =>
            {
                Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, p.Kind);
                Assert.Equal("/fields/0/type", p.Location);
                Assert.StartsWith("Field 'x': Writer union branch 0 (record 'A'): ", p.Message, StringComparison.Ordinal);
            },
            p =>
            {
                Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, p.Kind);
                Assert.Equal("/name", p.Location);
            });
    }
}
