using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class RecordCompatibilityTests
{
    private static readonly string V1 = Record("Person", Field("name", "\"string\""), Field("age", "\"int\""));

    [Fact]
    public void CanRead_IdenticalRecords_IsCompatible()
    {
        Assert.Empty(CanRead(V1, V1));
    }

    [Fact]
    public void CanRead_ReaderAddsFieldWithDefault_IsCompatible()
    {
        var reader = Record("Person", Field("name", "\"string\""), Field("age", "\"int\""),
            FieldWithDefault("email", "\"string\"", "\"\""));

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_ReaderAddsFieldWithNullDefault_IsCompatible()
    {
        var reader = Record("Person", Field("name", "\"string\""), Field("age", "\"int\""),
            FieldWithDefault("email", """["null","string"]""", "null"));

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_ReaderAddsFieldWithoutDefault_IsReaderFieldMissingDefaultValue()
    {
        var reader = Record("Person", Field("name", "\"string\""), Field("age", "\"int\""), Field("email", "\"string\""));

        var problem = Assert.Single(CanRead(reader, V1));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/2", problem.Location);
        Assert.Contains("'email'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'Person'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_ReaderAddsTwoFieldsWithoutDefault_ReportsBoth()
    {
        var reader = Record("Person", Field("name", "\"string\""), Field("email", "\"string\""),
            Field("age", "\"int\""), Field("phone", "\"string\""));

        var problems = CanRead(reader, V1);

        Assert.Equal(["/fields/1", "/fields/3"], problems.Select(p => p.Location));
    }

    [Fact]
    public void CanRead_WriterHasFieldReaderLacks_IsCompatible()
    {
        var reader = Record("Person", Field("name", "\"string\""));

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_FieldsInAnotherOrder_IsCompatible()
    {
        var reader = Record("Person", Field("age", "\"int\""), Field("name", "\"string\""));

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_FieldRenamedWithReaderAlias_IsCompatible()
    {
        var reader = Record("Person", Field("name", "\"string\""),
            """{"name":"years","type":"int","aliases":["age"]}""");

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_FieldRenamedWithoutAlias_IsReaderFieldMissingDefaultValue()
    {
        var reader = Record("Person", Field("name", "\"string\""), Field("years", "\"int\""));

        var problem = Assert.Single(CanRead(reader, V1));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Contains("'years'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_FieldAliasOnWriterOnly_IsReaderFieldMissingDefaultValue()
    {
        // Aliases are the reader's: a writer field alias does not make the writer field match a reader name.
        var writer = Record("Person", """{"name":"age","type":"int","aliases":["years"]}""");
        var reader = Record("Person", Field("years", "\"int\""));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
    }

    [Fact]
    public void CanRead_FieldNameAndAliasBothInWriter_UsesTheSameNamedField()
    {
        var writer = Record("R", Field("a", "\"string\""), Field("b", "\"int\""));
        var reader = Record("R", """{"name":"a","type":"string","aliases":["b"]}""");

        Assert.Empty(CanRead(reader, writer));
    }

    [Fact]
    public void CanRead_AliasedFieldTypeIncompatible_IsTypeMismatchAtReaderField()
    {
        var writer = Record("R", Field("old", "\"long\""));
        var reader = Record("R", Field("x", "\"string\""), """{"name":"new","type":"int","aliases":["old"]}""");

        var problems = CanRead(reader, writer);

        Assert.Collection(
            problems,
            p => Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, p.Kind),
            p =>
            {
                Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, p.Kind);
                Assert.Equal("/fields/1/type", p.Location);
                Assert.StartsWith("Field 'new': ", p.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void CanRead_FieldTypePromoted_IsCompatible()
    {
        var reader = Record("Person", Field("name", "\"string\""), Field("age", "\"long\""));

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_FieldTypeNarrowed_IsTypeMismatchNamingTheField()
    {
        var writer = Record("Person", Field("name", "\"string\""), Field("age", "\"long\""));

        var problem = Assert.Single(CanRead(V1, writer));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/fields/1/type", problem.Location);
        Assert.Equal("Field 'age': Reader type int cannot read writer type long (long is not promoted to int).", problem.Message);
    }

    [Fact]
    public void CanRead_RecordRenamed_IsNameMismatch()
    {
        var reader = Record("Human", Field("name", "\"string\""), Field("age", "\"int\""));

        var problem = Assert.Single(CanRead(reader, V1));

        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
        Assert.Equal("/name", problem.Location);
        Assert.Contains("'Human'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'Person'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_RecordRenamedWithReaderAlias_IsCompatible()
    {
        const string reader = """
            {"type":"record","name":"Human","aliases":["Person"],"fields":[
              {"name":"name","type":"string"},{"name":"age","type":"int"}]}
            """;

        Assert.Empty(CanRead(reader, V1));
    }

    [Fact]
    public void CanRead_RecordRenamedWithWriterAliasOnly_IsNameMismatch()
    {
        const string writer = """{"type":"record","name":"Person","aliases":["Human"],"fields":[]}""";
        const string reader = """{"type":"record","name":"Human","fields":[]}""";

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
    }

    [Fact]
    public void CanRead_RecordsInDifferentNamespaces_IsCompatible()
    {
        const string reader = """{"type":"record","name":"Person","namespace":"com.acme.v2","fields":[{"name":"name","type":"string"}]}""";
        const string writer = """{"type":"record","name":"com.acme.v1.Person","fields":[{"name":"name","type":"string"}]}""";

        Assert.Empty(CanRead(reader, writer));
    }

    [Fact]
    public void CanRead_ReaderAliasFullyQualified_MatchesWriterInOtherNamespace()
    {
        const string reader = """{"type":"record","name":"Human","namespace":"com.acme.v2","aliases":["com.acme.v1.Person"],"fields":[]}""";
        const string writer = """{"type":"record","name":"Person","namespace":"com.acme.v1","fields":[]}""";

        Assert.Empty(CanRead(reader, writer));
    }

    [Fact]
    public void CanRead_ReaderAliasUnqualified_IsQualifiedWithReaderNamespace()
    {
        const string reader = """{"type":"record","name":"Human","namespace":"com.acme.v2","aliases":["Person"],"fields":[]}""";
        const string sameNamespace = """{"type":"record","name":"Person","namespace":"com.acme.v2","fields":[]}""";
        const string otherNamespace = """{"type":"record","name":"Person","namespace":"com.acme.v1","fields":[]}""";

        Assert.Empty(CanRead(reader, sameNamespace));
        var problem = Assert.Single(CanRead(reader, otherNamespace));
        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
        Assert.Contains("com.acme.v2.Person", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_NestedRecordFieldNarrowed_IsTypeMismatchWithNestedLocation()
    {
        var writer = Record("Customer", Field("name", "\"string\""),
            Field("address", Record("Address", Field("zip", "\"long\""))));
        var reader = Record("Customer", Field("name", "\"string\""),
            Field("address", Record("Address", FieldWithDefault("street", "\"string\"", "\"\""), Field("zip", "\"int\""))));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/fields/1/type/fields/1/type", problem.Location);
        Assert.StartsWith("Field 'address.zip': ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_NestedRecordAddsFieldWithoutDefault_NamesTheEnclosingField()
    {
        var writer = Record("Customer", Field("address", Record("Address", Field("zip", "\"string\""))));
        var reader = Record("Customer", Field("address", Record("Address", Field("zip", "\"string\""), Field("city", "\"string\""))));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/0/type/fields/1", problem.Location);
        Assert.StartsWith("Field 'address': Reader field 'city' of record 'Address'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_NestedRecordRenamed_IsNameMismatchAtNestedName()
    {
        var writer = Record("Customer", Field("address", Record("Address", Field("zip", "\"string\""))));
        var reader = Record("Customer", Field("address", Record("Location", Field("zip", "\"string\""))));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.NameMismatch, problem.Kind);
        Assert.Equal("/fields/0/type/name", problem.Location);
    }

    [Fact]
    public void CanRead_RecordRenamedAndFieldMissing_ReportsBothLikeJava()
    {
        var reader = Record("Human", Field("name", "\"string\""), Field("email", "\"string\""));

        var problems = CanRead(reader, V1);

        Assert.Equal(
            [SchemaIncompatibilityKinds.NameMismatch, SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue],
            problems.Select(p => p.Kind));
    }

    [Fact]
    public void CanRead_RecordWriterEnumReader_IsTypeMismatch()
    {
        const string reader = """{"type":"enum","name":"Person","symbols":["A"]}""";

        var problem = Assert.Single(CanRead(reader, V1));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Contains("record 'Person'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CanRead_ErrorRecordWriterRecordReader_IsCompatible()
    {
        const string writer = """{"type":"error","name":"Failure","fields":[{"name":"code","type":"int"}]}""";
        const string reader = """{"type":"record","name":"Failure","fields":[{"name":"code","type":"long"}]}""";

        Assert.Empty(CanRead(reader, writer));
    }
}
