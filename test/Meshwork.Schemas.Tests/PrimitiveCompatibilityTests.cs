using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class PrimitiveCompatibilityTests
{
    private static readonly string[] Primitives = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"];

    // The specification's promotions, written out independently of the implementation: (writer, reader).
    private static readonly HashSet<(string Writer, string Reader)> Promotions =
    [
        ("int", "long"), ("int", "float"), ("int", "double"),
        ("long", "float"), ("long", "double"),
        ("float", "double"),
        ("string", "bytes"), ("bytes", "string"),
    ];

    public static TheoryData<string, string> PromotionPairs => new()
    {
        { "int", "long" },
        { "int", "float" },
        { "int", "double" },
        { "long", "float" },
        { "long", "double" },
        { "float", "double" },
        { "string", "bytes" },
        { "bytes", "string" },
    };

    public static TheoryData<string, string> DemotionPairs => new()
    {
        { "long", "int" },
        { "float", "int" },
        { "double", "int" },
        { "float", "long" },
        { "double", "long" },
        { "double", "float" },
    };

    public static TheoryData<string, string, bool> EveryPair
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (var writer in Primitives)
            {
                foreach (var reader in Primitives)
                {
                    data.Add(writer, reader, writer == reader || Promotions.Contains((writer, reader)));
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PromotionPairs))]
    public void CanRead_WriterPromotedToReader_IsCompatible(string writer, string reader)
    {
        Assert.Empty(CanRead(Quote(reader), Quote(writer)));
    }

    [Theory]
    [MemberData(nameof(DemotionPairs))]
    public void CanRead_ReaderNarrowerThanWriter_IsTypeMismatch(string writer, string reader)
    {
        var problem = Assert.Single(CanRead(Quote(reader), Quote(writer)));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Equal("/", problem.Location);
        Assert.Contains(reader, problem.Message, StringComparison.Ordinal);
        Assert.Contains(writer, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PromotionPairs))]
    public void CanRead_PromotionInFieldReversed_IsTypeMismatchAtFieldType(string writer, string reader)
    {
        // A promotion read backwards: the promoted type as writer, the original as reader. Only string and bytes
        // go both ways.
        var problems = CanRead(Wrap(Quote(writer)), Wrap(Quote(reader)));

        if (Promotions.Contains((reader, writer)))
        {
            Assert.Empty(problems);
        }
        else
        {
            var problem = Assert.Single(problems);
            Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
            Assert.Equal("/fields/0/type", problem.Location);
        }
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void CanRead_EveryPrimitivePair_FollowsPromotionTable(string writer, string reader, bool compatible)
    {
        var problems = CanRead(Quote(reader), Quote(writer));

        Assert.Equal(compatible, problems.Count == 0);
        Assert.All(problems, p => Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, p.Kind));
    }

    [Fact]
    public void CanRead_StringWriterBytesReaderField_IsCompatible()
    {
        Assert.Empty(CanRead(Wrap(Quote("bytes")), Wrap(Quote("string"))));
    }

    [Fact]
    public void CanRead_BytesWriterStringReaderField_IsCompatible()
    {
        Assert.Empty(CanRead(Wrap(Quote("string")), Wrap(Quote("bytes"))));
    }

    [Fact]
    public void CanRead_LongWriterIntReader_MessageSaysNoPromotion()
    {
        var problem = Assert.Single(CanRead(Quote("int"), Quote("long")));

        Assert.Equal("Reader type int cannot read writer type long (long is not promoted to int).", problem.Message);
    }

    [Fact]
    public void CanRead_NullWriterStringReader_MessageHasNoPromotionHint()
    {
        var problem = Assert.Single(CanRead(Quote("string"), Quote("null")));

        Assert.Equal("Reader type string cannot read writer type null.", problem.Message);
    }

    [Fact]
    public void CanRead_NullSchema_Throws()
    {
        var schema = Parse(Quote("int"));

        Assert.Throws<ArgumentNullException>(() => Meshwork.Schemas.Avro.AvroCompatibility.CanRead(null!, schema));
        Assert.Throws<ArgumentNullException>(() => Meshwork.Schemas.Avro.AvroCompatibility.CanRead(schema, null!));
    }

    [Fact]
    public void CanRead_PrimitiveWrittenAsObject_IsTheSamePrimitive()
    {
        Assert.Empty(CanRead("""{"type":"long"}""", Quote("int")));
    }
}
