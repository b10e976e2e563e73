using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using DuckDB.NET.Data;
using Meshwork.Platform.Serving.Formats;
using Parquet;
using Parquet.Schema;
using ArrowSchema = Apache.Arrow.Schema;
using Field = Apache.Arrow.Field;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Meshwork.Platform.Tests.Serving.Formats;

public sealed class DataFormatsTests
{
    private const string ExpectedCsv =
        "id,name,score,flag,amount,day,ts,tsz,t,tags,bin,point,small\n" +
        "1,plain,1.5,true,12.34,2024-01-02,2024-01-01T10:00:00.123456,2024-03-04T05:06:07Z,13:45:30.5,\"[1,2]\",AQL/,\"{\"\"x\"\":1,\"\"y\"\":\"\"a\"\"}\",255\n" +
        "2,,,,,,,,,,,,\n" +
        "3,\"needs, \"\"quoting\"\"\nhere\",-0.25,false,-0.50,1969-12-31,1960-01-01T00:00:00,2024-03-04T05:06:07.25Z,00:00:00,[],,\"{\"\"x\"\":null,\"\"y\"\":\"\"b,c\"\"}\",0\n" +
        "4,héllo,1E+20,true,99999999.99,2000-02-29,2024-12-31T23:59:59.000001,1970-01-01T00:00:00Z,23:59:59.999999,\"[3,null]\",AA==,\"{\"\"x\"\":-7,\"\"y\"\":null}\",7\n" +
        "5,,0.1,false,0.00,2024-06-30,2024-06-30T12:00:00,,12:00:00.0001,[4],,,\n";

    private const string DuckDbQuery =
        "SELECT range AS id, 'x' || range AS s, range * 1.5 AS d, DATE '2024-01-01' + CAST(range AS INTEGER) AS day, " +
        "TIMESTAMP '2024-01-01 10:00:00' AS ts, [1,2] AS l, 12.34::DECIMAL(10,2) AS dec FROM range(3000)";

    // ---- parsing and media types ----

    [Theory]
    [InlineData("arrow", DataFormat.Arrow)]
    [InlineData("ARROW", DataFormat.Arrow)]
    [InlineData("parquet", DataFormat.Parquet)]
    [InlineData("Parquet", DataFormat.Parquet)]
    [InlineData("csv", DataFormat.Csv)]
    [InlineData("CsV", DataFormat.Csv)]
    [InlineData("ndjson", DataFormat.Ndjson)]
    [InlineData("NDJSON", DataFormat.Ndjson)]
    public void TryParse_KnownName_ParsesCaseInsensitively(string value, DataFormat expected)
    {
        Assert.True(DataFormats.TryParse(value, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("json")]
    [InlineData("xlsx")]
    [InlineData(" csv")]
    [InlineData("arrows")]
    public void TryParse_UnknownOrEmpty_ReturnsFalse(string? value) => Assert.False(DataFormats.TryParse(value, out _));

    [Theory]
    [InlineData(DataFormat.Arrow, "application/vnd.apache.arrow.stream", "arrows")]
    [InlineData(DataFormat.Parquet, "application/vnd.apache.parquet", "parquet")]
    [InlineData(DataFormat.Csv, "text/csv; charset=utf-8", "csv")]
    [InlineData(DataFormat.Ndjson, "application/x-ndjson", "ndjson")]
    public void ContentTypeAndExtension_EachFormat_ReturnsItsMediaTypeAndExtension(DataFormat format, string contentType, string extension)
    {
        Assert.Equal(contentType, DataFormats.ContentType(format));
        Assert.Equal(extension, DataFormats.Extension(format));
    }

    [Fact]
    public void ContentType_UndefinedFormat_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => DataFormats.ContentType((DataFormat)42));

    // ---- the four formats on hand-built batches ----

    [Fact]
    public async Task WriteAsync_Csv_WritesRfc4180TextWithHeader()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Csv, SampleSchema(), SampleBatches());

        Assert.Equal(ExpectedCsv, Encoding.UTF8.GetString(bytes));
        Assert.Equal(bytes.Length, written);
    }

    [Fact]
    public async Task WriteAsync_Ndjson_WritesOneCompactObjectPerRow()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Ndjson, SampleSchema(), SampleBatches());
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Equal(bytes.Length, written);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text[..^1].Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Equal(
            "{\"id\":1,\"name\":\"plain\",\"score\":1.5,\"flag\":true,\"amount\":12.34,\"day\":\"2024-01-02\",\"ts\":\"2024-01-01T10:00:00.123456\"," +
            "\"tsz\":\"2024-03-04T05:06:07Z\",\"t\":\"13:45:30.5\",\"tags\":[1,2],\"bin\":\"AQL/\",\"point\":{\"x\":1,\"y\":\"a\"},\"small\":255}",
            lines[0]);

        var rows = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal([1L, 2, 3, 4, 5], rows.Select(r => r.GetProperty("id").GetInt64()));
        Assert.All(rows[1].EnumerateObject().Where(p => p.Name != "id"), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
        Assert.Equal("needs, \"quoting\"\nhere", rows[2].GetProperty("name").GetString());
        Assert.Equal("héllo", rows[3].GetProperty("name").GetString());
        Assert.Equal(-0.25, rows[2].GetProperty("score").GetDouble());
        Assert.Equal(1e20, rows[3].GetProperty("score").GetDouble());
        Assert.False(rows[2].GetProperty("flag").GetBoolean());
        Assert.Equal(-0.50m, rows[2].GetProperty("amount").GetDecimal());
        Assert.Equal(99999999.99m, rows[3].GetProperty("amount").GetDecimal());
        Assert.Equal(JsonValueKind.Number, rows[4].GetProperty("amount").ValueKind);
        Assert.Equal("1969-12-31", rows[2].GetProperty("day").GetString());
        Assert.Equal("1960-01-01T00:00:00", rows[2].GetProperty("ts").GetString());
        Assert.Equal("2024-03-04T05:06:07.25Z", rows[2].GetProperty("tsz").GetString());
        Assert.Equal("23:59:59.999999", rows[3].GetProperty("t").GetString());
        Assert.Equal(0, rows[2].GetProperty("tags").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rows[3].GetProperty("tags")[1].ValueKind);
        Assert.Equal(3, rows[3].GetProperty("tags")[0].GetInt32());
        Assert.Equal(Convert.ToBase64String([0]), rows[3].GetProperty("bin").GetString());
        Assert.Equal(string.Empty, rows[2].GetProperty("bin").GetString());
        Assert.Equal(JsonValueKind.Null, rows[2].GetProperty("point").GetProperty("x").ValueKind);
        Assert.Equal("b,c", rows[2].GetProperty("point").GetProperty("y").GetString());
        Assert.Equal(-7, rows[3].GetProperty("point").GetProperty("x").GetInt32());
        Assert.Equal(JsonValueKind.Null, rows[4].GetProperty("point").ValueKind);
        Assert.Equal(255, rows[0].GetProperty("small").GetInt32());
    }

    [Fact]
    public async Task WriteAsync_Arrow_WritesAStreamThatReadsBackTheSameValues()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Arrow, SampleSchema(), SampleBatches());

        Assert.Equal(bytes.Length, written);
        using var reader = new ArrowStreamReader(new MemoryStream(bytes));
        var batches = new List<RecordBatch>();
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            batches.Add(batch);
        }

        Assert.Equal(SampleSchema().FieldsList.Select(f => f.Name), reader.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal([3, 2], batches.Select(b => b.Length));
        var first = batches[0];
        Assert.Equal([1L, 2, 3], ((Int64Array)first.Column("id")).Values.ToArray());
        var names = (StringArray)first.Column("name");
        Assert.Equal("plain", names.GetString(0));
        Assert.True(names.IsNull(1));
        Assert.Equal("needs, \"quoting\"\nhere", names.GetString(2));
        Assert.Equal(12.34m, ((Decimal128Array)first.Column("amount")).GetValue(0));
        Assert.Null(((Decimal128Array)first.Column("amount")).GetValue(1));
        Assert.Equal(new DateOnly(2024, 1, 2), ((Date32Array)first.Column("day")).GetDateOnly(0));
        Assert.Equal(Micros(new DateTime(2024, 1, 1, 10, 0, 0, DateTimeKind.Utc)) + 123_456, ((TimestampArray)first.Column("ts")).Values[0]);
        Assert.Equal("UTC", ((TimestampType)reader.Schema.GetFieldByName("tsz").DataType).Timezone);
        var tags = (ListArray)first.Column("tags");
        Assert.Equal([1, 2], ((Int32Array)tags.GetSlicedValues(0)).Values.ToArray());
        Assert.True(tags.IsNull(1));
        Assert.Equal(0, tags.GetValueLength(2));
        Assert.Equal("héllo", ((StringArray)batches[1].Column("name")).GetString(0));
    }

    [Fact]
    public async Task WriteAsync_Parquet_WritesOneRowGroupPerBatchWithTheSameValues()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Parquet, SampleSchema(), SampleBatches());

        Assert.Equal(bytes.Length, written);
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes), new ParquetOptions { UseDateOnlyTypeForDates = true });
        var fields = reader.Schema.DataFields;
        Assert.Equal(SampleSchema().FieldsList.Select(f => f.Name), fields.Select(f => f.Name));
        Assert.All(fields, f => Assert.True(f.IsNullable));
        Assert.Equal(2, reader.RowGroupCount);
        Assert.Equal(3, reader.OpenRowGroupReader(0).RowCount);
        Assert.Equal(2, reader.OpenRowGroupReader(1).RowCount);

        // Timestamps are INT64 TIMESTAMP (never legacy INT96), adjusted to UTC only when Arrow has a zone.
        var ts = Assert.IsType<DateTimeDataField>(fields[6]);
        Assert.Equal(Parquet.Meta.Type.INT64, ts.SchemaElement!.Type);
        Assert.False(ts.SchemaElement.LogicalType!.TIMESTAMP!.IsAdjustedToUTC);
        Assert.True(fields[7].SchemaElement!.LogicalType!.TIMESTAMP!.IsAdjustedToUTC);
        var amount = Assert.IsType<DecimalDataField>(fields[4]);
        Assert.Equal((10, 2), (amount.Precision, amount.Scale));

        var group = reader.OpenRowGroupReader(0);
        Assert.Equal([1L, 2, 3], await Read<long>(group, fields[0]));
        Assert.Equal(["plain", null, "needs, \"quoting\"\nhere"], await ReadStrings(group, fields[1]));
        Assert.Equal([1.5, null, -0.25], await Read<double>(group, fields[2]));
        Assert.Equal([true, null, false], await Read<bool>(group, fields[3]));
        Assert.Equal([12.34m, null, -0.5m], await Read<decimal>(group, fields[4]));
        Assert.Equal([new DateOnly(2024, 1, 2), null, new DateOnly(1969, 12, 31)], await Read<DateOnly>(group, fields[5]));
        var timestamps = await Read<DateTime>(group, fields[6]);
        Assert.Equal(new DateTime(2024, 1, 1, 10, 0, 0).AddTicks(1_234_560), timestamps[0]);
        Assert.Null(timestamps[1]);
        Assert.Equal(new DateTime(1960, 1, 1), timestamps[2]);
        var zoned = await Read<DateTime>(group, fields[7]);
        Assert.Equal(new DateTime(2024, 3, 4, 5, 6, 7, 250, DateTimeKind.Utc), zoned[2]);
        Assert.Equal(DateTimeKind.Utc, zoned[2]!.Value.Kind);
        Assert.Equal([49_530_500_000L, null, 0], await Read<long>(group, fields[8]));
        Assert.Equal(["[1,2]", null, "[]"], await ReadStrings(group, fields[9]));
        var binary = new byte[]?[3];
        await group.ReadAsync(fields[10], binary.AsMemory());
        Assert.Equal([1, 2, 255], binary[0]);
        Assert.Null(binary[1]);
        Assert.Empty(binary[2]!);
        Assert.Equal(["{\"x\":1,\"y\":\"a\"}", null, "{\"x\":null,\"y\":\"b,c\"}"], await ReadStrings(group, fields[11]));
        Assert.Equal([(byte)255, null, 0], await Read<byte>(group, fields[12]));

        var second = reader.OpenRowGroupReader(1);
        Assert.Equal([4L, 5], await Read<long>(second, fields[0]));
        Assert.Equal(["héllo", string.Empty], await ReadStrings(second, fields[1]));
        Assert.Equal([99999999.99m, 0m], await Read<decimal>(second, fields[4]));
        Assert.Equal(["[3,null]", "[4]"], await ReadStrings(second, fields[9]));
        Assert.Equal([DateTime.UnixEpoch, null], await Read<DateTime>(second, fields[7]));
    }

    // ---- no batch at all ----

    [Fact]
    public async Task WriteAsync_ArrowWithoutBatches_WritesTheSchemaAndNoBatch()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Arrow, SampleSchema(), NoBatches());

        Assert.Equal(bytes.Length, written);
        using var reader = new ArrowStreamReader(new MemoryStream(bytes));
        Assert.Null(await reader.ReadNextRecordBatchAsync());
        Assert.Equal(13, reader.Schema.FieldsList.Count);
        Assert.Equal("amount", reader.Schema.FieldsList[4].Name);
    }

    [Fact]
    public async Task WriteAsync_ParquetWithoutBatches_WritesTheSchemaAndNoRowGroup()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Parquet, SampleSchema(), NoBatches());

        Assert.Equal(bytes.Length, written);
        await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes));
        Assert.Equal(0, reader.RowGroupCount);
        Assert.Equal(SampleSchema().FieldsList.Select(f => f.Name), reader.Schema.DataFields.Select(f => f.Name));
    }

    [Fact]
    public async Task WriteAsync_CsvWithoutBatches_WritesTheHeaderOnly()
    {
        var (bytes, _) = await WriteAsync(DataFormat.Csv, SampleSchema(), NoBatches());

        Assert.Equal("id,name,score,flag,amount,day,ts,tsz,t,tags,bin,point,small\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task WriteAsync_NdjsonWithoutBatches_WritesNothing()
    {
        var (bytes, written) = await WriteAsync(DataFormat.Ndjson, SampleSchema(), NoBatches());

        Assert.Empty(bytes);
        Assert.Equal(0, written);
    }

    // ---- edge cases ----

    [Theory]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Ndjson)]
    [InlineData(DataFormat.Parquet)]
    public async Task WriteAsync_UnsupportedType_ThrowsNamingTheColumnBeforeWriting(DataFormat format)
    {
        var schema = new ArrowSchema([new Field("id", Int64Type.Default, true), new Field("elapsed", DurationType.Millisecond, true)], null);
        var output = new ResponseBodyStream();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => DataFormats.WriteAsync(format, schema, NoBatches(), output));

        Assert.Contains("'elapsed'", error.Message, StringComparison.Ordinal);
        Assert.Contains("duration", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(output.ToArray());
    }

    [Fact]
    public async Task WriteAsync_CsvHeaderNeedingQuotes_QuotesIt()
    {
        var schema = new ArrowSchema([new Field("a,b", Int32Type.Default, true), new Field("say \"hi\"", Int32Type.Default, true)], null);
        var batch = new RecordBatch(schema, [new Int32Array.Builder().Append(1).Build(), new Int32Array.Builder().AppendNull().Build()], 1);

        var (bytes, _) = await WriteAsync(DataFormat.Csv, schema, Batches(batch));

        Assert.Equal("\"a,b\",\"say \"\"hi\"\"\"\n1,\n", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task WriteAsync_NonFiniteDoubles_AreStringsInNdjsonAndWordsInCsv()
    {
        var schema = new ArrowSchema([new Field("x", DoubleType.Default, true)], null);
        var values = new DoubleArray.Builder().Append(double.NaN).Append(double.PositiveInfinity).Append(double.NegativeInfinity).Append(0.1).Build();
        RecordBatch Batch() => new(schema, [values], 4);

        var (json, _) = await WriteAsync(DataFormat.Ndjson, schema, Batches(Batch()));
        var (csv, _) = await WriteAsync(DataFormat.Csv, schema, Batches(Batch()));

        Assert.Equal("{\"x\":\"NaN\"}\n{\"x\":\"Infinity\"}\n{\"x\":\"-Infinity\"}\n{\"x\":0.1}\n", Encoding.UTF8.GetString(json));
        Assert.Equal("x\nNaN\nInfinity\n-Infinity\n0.1\n", Encoding.UTF8.GetString(csv));
    }

    [Fact]
    public async Task WriteAsync_SlicedBatch_WritesOnlyTheSlice()
    {
        var batch = SampleBatchList()[0].Slice(2, 1);

        var (bytes, _) = await WriteAsync(DataFormat.Csv, SampleSchema(), Batches(batch));

        Assert.Equal(
            "id,name,score,flag,amount,day,ts,tsz,t,tags,bin,point,small\n" +
            "3,\"needs, \"\"quoting\"\"\nhere\",-0.25,false,-0.50,1969-12-31,1960-01-01T00:00:00,2024-03-04T05:06:07.25Z,00:00:00,[],,\"{\"\"x\"\":null,\"\"y\"\":\"\"b,c\"\"}\",0\n",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task WriteAsync_ManyRows_StreamsInSeveralWrites()
    {
        var schema = new ArrowSchema([new Field("n", Int64Type.Default, false)], null);
        var builder = new Int64Array.Builder();
        for (var i = 0; i < 50_000; i++)
        {
            builder.Append(i);
        }

        var batch = new RecordBatch(schema, [builder.Build()], 50_000);
        var output = new ResponseBodyStream();

        var written = await DataFormats.WriteAsync(DataFormat.Ndjson, schema, Batches(batch), output);

        Assert.True(output.Writes > 1, $"expected several writes, got {output.Writes}");
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(50_000, lines.Length);
        Assert.Equal("{\"n\":49999}", lines[^1]);
        Assert.Equal(output.ToArray().Length, written);
    }

    // ---- real DuckDB output ----

    [Theory]
    [InlineData(DataFormat.Arrow)]
    [InlineData(DataFormat.Parquet)]
    [InlineData(DataFormat.Csv)]
    [InlineData(DataFormat.Ndjson)]
    public async Task WriteAsync_DuckDbResult_RoundTripsRowsAndValues(DataFormat format)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = DuckDbQuery;
        using var stream = command.ExecuteArrowStream();
        var batchCount = 0;
        var output = new ResponseBodyStream();

        var written = await DataFormats.WriteAsync(format, stream.Schema, ReadAll(stream, () => batchCount++), output);
        var bytes = output.ToArray();

        Assert.Equal(bytes.Length, written);
        Assert.True(batchCount >= 1);
        switch (format)
        {
            case DataFormat.Arrow:
                {
                    using var reader = new ArrowStreamReader(new MemoryStream(bytes));
                    long rows = 0, idSum = 0;
                    while (await reader.ReadNextRecordBatchAsync() is { } batch)
                    {
                        rows += batch.Length;
                        idSum += ((Int64Array)batch.Column("id")).Values.ToArray().Sum();
                        Assert.Equal(12.34m, ((Decimal128Array)batch.Column("dec")).GetValue(0));
                    }

                    Assert.Equal(3000, rows);
                    Assert.Equal(2999L * 3000 / 2, idSum);
                    break;
                }

            case DataFormat.Parquet:
                {
                    await using var reader = await ParquetReader.CreateAsync(new MemoryStream(bytes), new ParquetOptions { UseDateOnlyTypeForDates = true });
                    Assert.Equal(batchCount, reader.RowGroupCount);
                    Assert.Equal(3000, reader.RowGroups.Sum(g => g.RowCount));
                    var fields = reader.Schema.DataFields;
                    var first = reader.OpenRowGroupReader(0);
                    var ids = await Read<long>(first, fields[0]);
                    Assert.Equal([0L, 1, 2], ids.Take(3));
                    Assert.Equal("x1", (await ReadStrings(first, fields[1]))[1]);
                    Assert.Equal(1.5m, (await Read<decimal>(first, fields[2]))[1]);
                    Assert.Equal(new DateOnly(2024, 1, 3), (await Read<DateOnly>(first, fields[3]))[2]);
                    Assert.Equal(new DateTime(2024, 1, 1, 10, 0, 0), (await Read<DateTime>(first, fields[4]))[0]);
                    Assert.Equal("[1,2]", (await ReadStrings(first, fields[5]))[0]);
                    Assert.Equal(12.34m, (await Read<decimal>(first, fields[6]))[0]);

                    // DuckDB itself reads the file back.
                    var path = Path.Combine(Path.GetTempPath(), $"meshwork-{Guid.NewGuid():N}.parquet");
                    await File.WriteAllBytesAsync(path, bytes);
                    try
                    {
                        using var check = connection.CreateCommand();
                        check.CommandText = $"SELECT count(*), sum(id)::BIGINT, max(day)::VARCHAR, max(ts)::VARCHAR, sum(dec)::VARCHAR, min(l) FROM read_parquet('{path}')";
                        using var result = await check.ExecuteReaderAsync();
                        Assert.True(await result.ReadAsync());
                        Assert.Equal(3000L, Convert.ToInt64(result.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
                        Assert.Equal(2999L * 3000 / 2, result.GetInt64(1));
                        Assert.Equal("2032-03-18", result.GetString(2));
                        Assert.Equal("2024-01-01 10:00:00", result.GetString(3));
                        Assert.Equal("37020.00", result.GetString(4));
                        Assert.Equal("[1,2]", result.GetString(5));
                    }
                    finally
                    {
                        File.Delete(path);
                    }

                    break;
                }

            case DataFormat.Csv:
                {
                    var lines = Encoding.UTF8.GetString(bytes).Split('\n');
                    Assert.Equal(3002, lines.Length); // header, 3000 rows, and the empty string after the last newline
                    Assert.Equal("id,s,d,day,ts,l,dec", lines[0]);
                    Assert.Equal("0,x0,0.0,2024-01-01,2024-01-01T10:00:00,\"[1,2]\",12.34", lines[1]);
                    Assert.Equal("2999,x2999,4498.5,2032-03-18,2024-01-01T10:00:00,\"[1,2]\",12.34", lines[3000]);
                    Assert.Equal(string.Empty, lines[3001]);
                    break;
                }

            case DataFormat.Ndjson:
                {
                    var lines = Encoding.UTF8.GetString(bytes).TrimEnd('\n').Split('\n');
                    Assert.Equal(3000, lines.Length);
                    using var last = JsonDocument.Parse(lines[2999]);
                    var row = last.RootElement;
                    Assert.Equal(2999, row.GetProperty("id").GetInt64());
                    Assert.Equal("x2999", row.GetProperty("s").GetString());
                    Assert.Equal(4498.5m, row.GetProperty("d").GetDecimal());
                    Assert.Equal("2032-03-18", row.GetProperty("day").GetString());
                    Assert.Equal("2024-01-01T10:00:00", row.GetProperty("ts").GetString());
                    Assert.Equal([1, 2], row.GetProperty("l").EnumerateArray().Select(e => e.GetInt32()));
                    Assert.Equal(12.34m, row.GetProperty("dec").GetDecimal());
                    break;
                }
        }
    }

    // ---- helpers ----

    private static async Task<(byte[] Bytes, long Written)> WriteAsync(DataFormat format, ArrowSchema schema, IAsyncEnumerable<RecordBatch> batches)
    {
        var output = new ResponseBodyStream();
        var written = await DataFormats.WriteAsync(format, schema, batches, output);
        return (output.ToArray(), written);
    }

    private static async Task<T?[]> Read<T>(ParquetRowGroupReader group, DataField field)
        where T : struct
    {
        var values = new T?[group.RowCount];
        await group.ReadAsync<T>(field, values.AsMemory());
        return values;
    }

    private static async Task<string?[]> ReadStrings(ParquetRowGroupReader group, DataField field)
    {
        var values = new string?[group.RowCount];
        await group.ReadAsync(field, values.AsMemory());
        return values;
    }

    private static long Micros(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks / 10;

    private static long Millis(DateTime utc) => (utc - DateTime.UnixEpoch).Ticks / 10_000;

    private static ArrowSchema SampleSchema() => new(
    [
        new Field("id", Int64Type.Default, false),
        new Field("name", StringType.Default, true),
        new Field("score", DoubleType.Default, true),
        new Field("flag", BooleanType.Default, true),
        new Field("amount", new Decimal128Type(10, 2), true),
        new Field("day", Date32Type.Default, true),
        new Field("ts", new TimestampType(TimeUnit.Microsecond, (string?)null), true),
        new Field("tsz", new TimestampType(TimeUnit.Millisecond, "UTC"), true),
        new Field("t", new Time64Type(TimeUnit.Microsecond), true),
        new Field("tags", new ListType(new Field("item", Int32Type.Default, true)), true),
        new Field("bin", BinaryType.Default, true),
        new Field("point", PointType, true),
        new Field("small", UInt8Type.Default, true),
    ], null);

    private static readonly StructType PointType = new([new Field("x", Int32Type.Default, true), new Field("y", StringType.Default, true)]);

    private static IAsyncEnumerable<RecordBatch> SampleBatches() => Batches(SampleBatchList());

    private static RecordBatch[] SampleBatchList()
    {
        var schema = SampleSchema();
        var first = new RecordBatch(schema,
        [
            new Int64Array.Builder().Append(1).Append(2).Append(3).Build(),
            new StringArray.Builder().Append("plain").AppendNull().Append("needs, \"quoting\"\nhere").Build(),
            new DoubleArray.Builder().Append(1.5).AppendNull().Append(-0.25).Build(),
            new BooleanArray.Builder().Append(true).AppendNull().Append(false).Build(),
            new Decimal128Array.Builder(new Decimal128Type(10, 2)).Append(12.34m).AppendNull().Append(-0.5m).Build(),
            Dates(new DateOnly(2024, 1, 2), null, new DateOnly(1969, 12, 31)),
            new TimestampArray((TimestampType)schema.GetFieldByName("ts").DataType,
                Values(Micros(new DateTime(2024, 1, 1, 10, 0, 0, DateTimeKind.Utc)) + 123_456, 0, Micros(new DateTime(1960, 1, 1, 0, 0, 0, DateTimeKind.Utc))),
                Validity(true, false, true), 3, 1, 0),
            new TimestampArray((TimestampType)schema.GetFieldByName("tsz").DataType,
                Values(Millis(new DateTime(2024, 3, 4, 5, 6, 7, DateTimeKind.Utc)), 0, Millis(new DateTime(2024, 3, 4, 5, 6, 7, 250, DateTimeKind.Utc))),
                Validity(true, false, true), 3, 1, 0),
            new Time64Array(new Time64Type(TimeUnit.Microsecond), Values(49_530_500_000L, 0, 0), Validity(true, false, true), 3, 1, 0),
            Lists([1, 2], null, []),
            new BinaryArray.Builder().Append(new byte[] { 1, 2, 255 }.AsSpan()).AppendNull().Append(ReadOnlySpan<byte>.Empty).Build(),
            Points((1, "a"), null, (null, "b,c")),
            new UInt8Array.Builder().Append(255).AppendNull().Append(0).Build(),
        ], 3);
        var second = new RecordBatch(schema,
        [
            new Int64Array.Builder().Append(4).Append(5).Build(),
            new StringArray.Builder().Append("héllo").Append(string.Empty).Build(),
            new DoubleArray.Builder().Append(1e20).Append(0.1).Build(),
            new BooleanArray.Builder().Append(true).Append(false).Build(),
            new Decimal128Array.Builder(new Decimal128Type(10, 2)).Append(99999999.99m).Append(0m).Build(),
            Dates(new DateOnly(2000, 2, 29), new DateOnly(2024, 6, 30)),
            new TimestampArray((TimestampType)schema.GetFieldByName("ts").DataType,
                Values(Micros(new DateTime(2024, 12, 31, 23, 59, 59, DateTimeKind.Utc)) + 1, Micros(new DateTime(2024, 6, 30, 12, 0, 0, DateTimeKind.Utc))),
                Validity(true, true), 2, 0, 0),
            new TimestampArray((TimestampType)schema.GetFieldByName("tsz").DataType, Values(0L, 0), Validity(true, false), 2, 1, 0),
            new Time64Array(new Time64Type(TimeUnit.Microsecond), Values(86_399_999_999L, 43_200_000_100), Validity(true, true), 2, 0, 0),
            Lists([3, null], [4]),
            new BinaryArray.Builder().Append(new byte[] { 0 }.AsSpan()).AppendNull().Build(),
            Points((-7, null), null),
            new UInt8Array.Builder().Append(7).AppendNull().Build(),
        ], 2);
        return [first, second];
    }

    private static async IAsyncEnumerable<RecordBatch> NoBatches()
    {
        await Task.CompletedTask;
        yield break;
    }

    private static async IAsyncEnumerable<RecordBatch> Batches(params RecordBatch[] batches)
    {
        foreach (var batch in batches)
        {
            await Task.Yield();
            yield return batch;
        }
    }

    /// <summary>DuckDB's batches, each disposed once the encoder has moved on to the next.</summary>
    private static async IAsyncEnumerable<RecordBatch> ReadAll(IArrowArrayStream stream, Action onBatch, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await stream.ReadNextRecordBatchAsync(cancellationToken) is { } batch)
        {
            using (batch)
            {
                onBatch();
                yield return batch;
            }
        }
    }

    private static ArrowBuffer Values<T>(params T[] values)
        where T : struct => new ArrowBuffer.Builder<T>().AppendRange(values).Build();

    private static ArrowBuffer Validity(params bool[] valid) => new ArrowBuffer.BitmapBuilder().AppendRange(valid).Build();

    private static Date32Array Dates(params DateOnly?[] dates)
    {
        var builder = new Date32Array.Builder();
        foreach (var date in dates)
        {
            if (date is { } d)
            {
                builder.Append(d);
            }
            else
            {
                builder.AppendNull();
            }
        }

        return builder.Build();
    }

    private static ListArray Lists(params int?[]?[] lists)
    {
        var builder = new ListArray.Builder(Int32Type.Default);
        var values = (Int32Array.Builder)builder.ValueBuilder;
        foreach (var list in lists)
        {
            if (list is null)
            {
                builder.AppendNull();
                continue;
            }

            builder.Append();
            foreach (var value in list)
            {
                values.Append(value);
            }
        }

        return builder.Build();
    }

    private static StructArray Points(params (int? X, string? Y)?[] points)
    {
        var x = new Int32Array.Builder();
        var y = new StringArray.Builder();
        foreach (var point in points)
        {
            x.Append(point?.X);
            if (point?.Y is { } text)
            {
                y.Append(text);
            }
            else
            {
                y.AppendNull();
            }
        }

        var validity = points.Select(p => p is not null).ToArray();
        return new StructArray(PointType, points.Length, [x.Build(), y.Build()], Validity(validity), validity.Count(v => !v), 0);
    }

    /// <summary>
    /// Behaves like an ASP.NET Core response body: write-only, not seekable, no position, and synchronous
    /// writes and flushes refused (AllowSynchronousIO is off by default).
    /// </summary>
    private sealed class ResponseBodyStream : Stream
    {
        private readonly MemoryStream _content = new();

        public int Writes { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public byte[] ToArray() => _content.ToArray();

        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            _content.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _content.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
