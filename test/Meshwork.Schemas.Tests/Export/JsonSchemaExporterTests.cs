using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Schemas.Export;
using Meshwork.Schemas.Json;

namespace Meshwork.Schemas.Tests.Export;

public sealed class JsonSchemaExporterTests
{
    private static readonly DatasetSpec Orders = new(
        "sales.orders.orders_v1",
        "orders-contract",
        "orders",
        [
            new ColumnSpec("order_id", DataType.Int64, true, "The order's number."),
            new ColumnSpec("quantity", DataType.Int32, true, null),
            new ColumnSpec("price", DataType.Double, false, null),
            new ColumnSpec("total", DataType.Decimal(10, 2), true, null),
            new ColumnSpec("paid", DataType.Boolean, false, null),
            new ColumnSpec("ordered_on", DataType.Date, true, null),
            new ColumnSpec("ordered_at", DataType.Timestamp, false, null),
            new ColumnSpec("shipped_at", DataType.TimestampTz, false, null),
            new ColumnSpec("pickup_time", DataType.Time, false, null),
            new ColumnSpec("notes", DataType.String, false, "Free text."),
            new ColumnSpec("attributes", DataType.Json, false, null),
        ],
        ImmutableArray<RowRule>.Empty,
        ImmutableArray<QualityCheck>.Empty);

    private static readonly JsonSchema Schema = JsonSchema.FromText(JsonSchemaExporter.FromDataset(Orders));

    [Fact]
    public void FromDataset_IsADraft202012ObjectWithOnePropertyPerColumn()
    {
        var schema = JsonNode.Parse(JsonSchemaExporter.FromDataset(Orders))!.AsObject();

        Assert.Equal(JsonSchemaExporter.Draft, schema["$schema"]!.GetValue<string>());
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.Equal(Orders.Columns.Select(c => c.Name), schema["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["order_id", "quantity", "total", "ordered_on"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        Assert.Equal("The order's number.", schema["properties"]!["order_id"]!["description"]!.GetValue<string>());
        Assert.Equal("sales.orders.orders_v1", schema["title"]!.GetValue<string>());
    }

    [Fact]
    public void FromDataset_ARowOfEveryType_Validates()
    {
        var row = """
            {"order_id":9007199254740991,"quantity":3,"price":9.5,"total":12345678.99,"paid":true,"ordered_on":"2025-03-01",
             "ordered_at":"2025-03-01T10:15:00.123456","shipped_at":"2025-03-02T08:00:00Z","pickup_time":"10:30:00",
             "notes":"ring twice","attributes":{"gift":true,"tags":["a"]}}
            """;

        var result = Schema.Evaluate(JsonDocument.Parse(row).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

        Assert.True(result.IsValid, Describe(result));
    }

    [Fact]
    public void FromDataset_OptionalColumnsAcceptNull_AndMayBeLeftOut()
    {
        var row = """{"order_id":1,"quantity":1,"total":0,"ordered_on":"2025-03-01","price":null,"paid":null,"notes":null}""";

        Assert.True(Schema.Evaluate(JsonDocument.Parse(row).RootElement).IsValid);
    }

    [Theory]
    [InlineData("""{"quantity":1,"total":0,"ordered_on":"2025-03-01"}""")] // a required column missing
    [InlineData("""{"order_id":null,"quantity":1,"total":0,"ordered_on":"2025-03-01"}""")] // a required column null
    [InlineData("""{"order_id":1,"quantity":2147483648,"total":0,"ordered_on":"2025-03-01"}""")] // out of int32
    [InlineData("""{"order_id":1.5,"quantity":1,"total":0,"ordered_on":"2025-03-01"}""")] // not an integer
    [InlineData("""{"order_id":1,"quantity":1,"total":0.001,"ordered_on":"2025-03-01"}""")] // scale 2
    [InlineData("""{"order_id":1,"quantity":1,"total":100000000,"ordered_on":"2025-03-01"}""")] // precision 10, scale 2
    [InlineData("""{"order_id":1,"quantity":1,"total":0,"ordered_on":"2025-03-01","ordered_at":"yesterday"}""")] // not a timestamp
    [InlineData("""{"order_id":1,"quantity":1,"total":0,"ordered_on":"2025-03-01","surprise":1}""")] // not a column
    public void FromDataset_RowsBreakingTheContract_DoNotValidate(string row)
    {
        Assert.False(Schema.Evaluate(JsonDocument.Parse(row).RootElement, new EvaluationOptions { RequireFormatValidation = true }).IsValid);
    }

    [Fact]
    public void FromDataset_AddingAnOptionalColumn_IsBackwardCompatible_UnderTheRegistryRules()
    {
        var v2 = Orders with { Columns = Orders.Columns.Add(new ColumnSpec("coupon", DataType.String, false, null)) };

        var writer = JsonSchemaCompatibility.Parse(JsonSchemaExporter.FromDataset(Orders));
        var reader = JsonSchemaCompatibility.Parse(JsonSchemaExporter.FromDataset(v2));

        Assert.Empty(JsonSchemaCompatibility.CanRead(reader, writer));
        Assert.NotEmpty(JsonSchemaCompatibility.CanRead(writer, reader));
    }

    private static string Describe(EvaluationResults result) =>
        string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
}
