using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class LogicalTypeCompatibilityTests
{
    private const string TimestampMillis = """{"type":"long","logicalType":"timestamp-millis"}""";
    private const string Date = """{"type":"int","logicalType":"date"}""";
    private const string Decimal = """{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}""";

    [Fact]
    public void CanRead_LogicalTypeAndItsUnderlyingType_IsCompatibleBothWays()
    {
        Assert.Empty(CanRead(TimestampMillis, "\"long\""));
        Assert.Empty(CanRead("\"long\"", TimestampMillis));
    }

    [Fact]
    public void CanRead_DateWriterTimestampReader_IsCompatibleByIntToLongPromotion()
    {
        Assert.Empty(CanRead(TimestampMillis, Date));
    }

    [Fact]
    public void CanRead_TimestampWriterDateReader_IsTypeMismatch()
    {
        var problem = Assert.Single(CanRead(Date, TimestampMillis));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
    }

    [Fact]
    public void CanRead_DecimalsOfDifferentScale_AreCheckedAsBytesLikeJava()
    {
        const string other = """{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}""";

        Assert.Empty(CanRead(other, Decimal));
    }

    [Fact]
    public void CanRead_UuidWriterBytesReader_IsCompatibleByStringToBytes()
    {
        Assert.Empty(CanRead("\"bytes\"", """{"type":"string","logicalType":"uuid"}"""));
    }

    [Fact]
    public void CanRead_UnknownLogicalType_IsCheckedAsUnderlyingType()
    {
        Assert.Empty(CanRead("\"long\"", """{"type":"int","logicalType":"not-a-real-type"}"""));
    }

    [Fact]
    public void CanRead_DecimalOnFixedOfDifferentSize_IsFixedSizeMismatch()
    {
        const string reader = """{"type":"fixed","name":"Money","size":8,"logicalType":"decimal","precision":10,"scale":2}""";
        const string writer = """{"type":"fixed","name":"Money","size":16,"logicalType":"decimal","precision":10,"scale":2}""";

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(SchemaIncompatibilityKinds.FixedSizeMismatch, problem.Kind);
    }

    [Fact]
    public void CanRead_LogicalTypeInRecordField_IsTypeMismatchAtField()
    {
        var problem = Assert.Single(CanRead(Wrap(Date), Wrap(TimestampMillis)));

        Assert.Equal("/fields/0/type", problem.Location);
    }
}
