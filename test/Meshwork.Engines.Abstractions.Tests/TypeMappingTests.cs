namespace Meshwork.Engines.Tests;

public sealed class TypeMappingTests
{
    [Theory]
    [InlineData("string", null, "string")]
    [InlineData("integer", null, "int64")]
    [InlineData("integer", "INT", "int32")]
    [InlineData("integer", "bigint", "int64")]
    [InlineData("number", null, "double")]
    [InlineData("number", "DECIMAL(18,2)", "decimal(18,2)")]
    [InlineData("number", "numeric(10)", "decimal(10,0)")]
    [InlineData("number", "float", "double")]
    [InlineData("boolean", null, "boolean")]
    [InlineData("date", null, "date")]
    [InlineData("timestamp", null, "timestamp")]
    [InlineData("timestamp", "timestamptz", "timestamptz")]
    [InlineData("time", null, "time")]
    [InlineData("object", null, "json")]
    [InlineData("array", null, "json")]
    [InlineData("string", "varchar(2)", "string")]
    [InlineData("string", "INT", "string")] // a physical type never narrows an incompatible logical type
    [InlineData("integer", "DECIMAL(10,2)", "int64")]
    [InlineData(null, null, "string")]
    public void Map_LogicalAndPhysicalType_GiveTheEngineNeutralType(string? logical, string? physical, string expected)
    {
        var yaml = "name: c\n" + (logical is null ? string.Empty : $"logicalType: {logical}\n") + (physical is null ? string.Empty : $"physicalType: \"{physical}\"\n");

        Assert.Equal(expected, TypeMapping.Map(Contracts.Property(yaml)).ToString());
    }

    [Fact]
    public void Map_TimestampWithTimezoneOption_IsTimestampTz() =>
        Assert.Equal(DataType.TimestampTz, TypeMapping.Map(Contracts.Property("name: c\nlogicalType: timestamp\nlogicalTypeOptions:\n  timezone: true\n")));
}
