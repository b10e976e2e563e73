using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;
using ArrowField = Apache.Arrow.Field;
using ParquetField = Parquet.Schema.Field;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>
/// Parquet output: one row group per Arrow batch, every column optional (nullable), Snappy-compressed.
/// Parquet.Net writes forward only, tracking the position itself, so the non-seekable response body is enough.
/// </summary>
/// <remarks>
/// Type mapping: booleans, integers (signed and unsigned, same width), float and double as themselves; decimals
/// as DECIMAL with the Arrow precision and scale (precision above 38 as exact text); strings as UTF-8 strings;
/// binary as BYTE_ARRAY; dates as DATE; timestamps as TIMESTAMP (INT64, never legacy INT96) in milliseconds
/// (second and millisecond data), microseconds or nanoseconds, adjusted to UTC exactly when the Arrow type has
/// a time zone; times as TIME (milliseconds in INT32, or micro/nanoseconds in INT64). Lists and structs are
/// written as their compact JSON text in a string column, the same JSON the NDJSON output gives them: nested
/// Parquet groups would need repetition levels computed per value, and consumers of a download read JSON text
/// more reliably than nested groups.
/// </remarks>
internal static class ParquetEncoder
{
    public static async Task WriteAsync(Schema schema, IAsyncEnumerable<RecordBatch> batches, Stream output, CancellationToken cancellationToken)
    {
        var columns = schema.FieldsList.Select(ParquetColumn.Create).ToArray();
        var options = new ParquetOptions
        {
            CompressionMethod = CompressionMethod.Snappy,
            // Only matters if the method becomes zstd or gzip: their "smallest size" levels are many times slower.
            CompressionLevel = CompressionLevel.Optimal,
        };
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(columns.Select(c => (ParquetField)c.Field)), output, options,
            append: false, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (batch.ColumnCount != columns.Length)
                {
                    throw new InvalidDataException($"A batch has {batch.ColumnCount} columns where the schema has {columns.Length}.");
                }

                if (batch.Length == 0)
                {
                    continue; // an empty row group would only add metadata
                }

                using var rowGroup = writer.CreateRowGroup();
                for (var i = 0; i < columns.Length; i++)
                {
                    await columns[i].WriteAsync(rowGroup, batch.Column(i), cancellationToken).ConfigureAwait(false);
                }

                rowGroup.CompleteValidate();
            }
        }
    }
}

/// <summary>
/// Writes one Arrow column into row groups. The value buffers are kept and reused from batch to batch, so a
/// column costs one batch's worth of memory whatever the number of batches.
/// </summary>
internal abstract class ParquetColumn(DataField field)
{
    public DataField Field { get; } = field;

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, IArrowArray array, CancellationToken cancellationToken);

    public static ParquetColumn Create(ArrowField field)
    {
        var name = field.Name;
        return field.DataType switch
        {
            BooleanType => new BooleanParquetColumn(new DataField<bool?>(name)),
            Int8Type => new PrimitiveParquetColumn<sbyte>(new DataField<sbyte?>(name)),
            Int16Type => new PrimitiveParquetColumn<short>(new DataField<short?>(name)),
            Int32Type => new PrimitiveParquetColumn<int>(new DataField<int?>(name)),
            Int64Type => new PrimitiveParquetColumn<long>(new DataField<long?>(name)),
            UInt8Type => new PrimitiveParquetColumn<byte>(new DataField<byte?>(name)),
            UInt16Type => new PrimitiveParquetColumn<ushort>(new DataField<ushort?>(name)),
            UInt32Type => new PrimitiveParquetColumn<uint>(new DataField<uint?>(name)),
            UInt64Type => new PrimitiveParquetColumn<ulong>(new DataField<ulong?>(name)),
            FloatType => new PrimitiveParquetColumn<float>(new DataField<float?>(name)),
            DoubleType => new PrimitiveParquetColumn<double>(new DataField<double?>(name)),
            Decimal128Type { Precision: <= 38 } t => new DecimalParquetColumn(new DecimalDataField(name, t.Precision, t.Scale, isNullable: true)),
            Decimal256Type { Precision: <= 38 } t => new DecimalParquetColumn(new DecimalDataField(name, t.Precision, t.Scale, isNullable: true)),
            // Parquet.Net cannot encode a wider DECIMAL correctly: the exact text keeps every digit.
            Decimal256Type => new TextParquetColumn(new DataField<string>(name, true), TextParquetColumn.DecimalText),
            StringType or LargeStringType or StringViewType => new TextParquetColumn(new DataField<string>(name, true), TextParquetColumn.Utf8),
            BinaryType or LargeBinaryType or BinaryViewType => new BinaryParquetColumn(new DataField<byte[]>(name, true)),
            Date32Type or Date64Type => new DateParquetColumn(new DataField<DateOnly?>(name)),
            TimestampType t => new TimestampParquetColumn(t, new DateTimeDataField(name, DateTimeFormat.Timestamp, t.IsTimeZoneAware, t.Unit switch
            {
                TimeUnit.Second or TimeUnit.Millisecond => DateTimeTimeUnit.Millis,
                TimeUnit.Microsecond => DateTimeTimeUnit.Micros,
                _ => DateTimeTimeUnit.Nanos,
            }, isNullable: true)),
            Time32Type t => new Time32ParquetColumn(t.Unit, new TimeDataField(name, TimeUnitPrecision.Millis, isNullable: true)),
            Time64Type t => new Time64ParquetColumn(new TimeDataField(name, t.Unit == TimeUnit.Nanosecond ? TimeUnitPrecision.Nanos : TimeUnitPrecision.Micros,
                isNullable: true)),
            ListType or LargeListType or StructType => new TextParquetColumn(new DataField<string>(name, true), TextParquetColumn.Json(name)),
            NullType => new TextParquetColumn(new DataField<string>(name, true), TextParquetColumn.Utf8),
            _ => throw ArrowTypes.Unsupported(field.DataType, name, DataFormat.Parquet),
        };
    }
}

/// <summary>A column of nullable CLR values, filled from the Arrow array into a reused buffer.</summary>
internal abstract class ValueParquetColumn<T>(DataField field) : ParquetColumn(field)
    where T : struct
{
    private T?[] _values = [];

    public sealed override Task WriteAsync(ParquetRowGroupWriter rowGroup, IArrowArray array, CancellationToken cancellationToken)
    {
        var length = array.Length;
        if (_values.Length < length)
        {
            _values = new T?[length];
        }

        Fill(array, _values.AsSpan(0, length));
        return rowGroup.WriteAsync<T>(Field, _values.AsMemory(0, length), cancellationToken: cancellationToken);
    }

    /// <summary>Sets every value of <paramref name="values"/> (one per row), null where the array is null.</summary>
    protected abstract void Fill(IArrowArray array, Span<T?> values);
}

internal sealed class PrimitiveParquetColumn<T>(DataField field) : ValueParquetColumn<T>(field)
    where T : struct, IEquatable<T>
{
    protected override void Fill(IArrowArray array, Span<T?> values)
    {
        var source = ((PrimitiveArray<T>)array).Values;
        if (array.NullCount == 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = source[i];
            }
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = array.IsNull(i) ? null : source[i];
            }
        }
    }
}

internal sealed class BooleanParquetColumn(DataField field) : ValueParquetColumn<bool>(field)
{
    protected override void Fill(IArrowArray array, Span<bool?> values)
    {
        var booleans = (BooleanArray)array;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = booleans.GetValue(i);
        }
    }
}

internal sealed class DecimalParquetColumn(DataField field) : ValueParquetColumn<decimal>(field)
{
    protected override void Fill(IArrowArray array, Span<decimal?> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var fits = array switch
            {
                Decimal128Array d => d.TryGetValue(i, out values[i]),
                _ => ((Decimal256Array)array).TryGetValue(i, out values[i]),
            };
            if (!fits)
            {
                var text = array is Decimal128Array d128 ? d128.GetString(i) : ((Decimal256Array)array).GetString(i);
                throw new OverflowException($"Column '{Field.Name}' holds the decimal {text}, more digits than Parquet output can carry "
                    + "(28); ask for Arrow or CSV instead.");
            }
        }
    }
}

internal sealed class DateParquetColumn(DataField field) : ValueParquetColumn<DateOnly>(field)
{
    protected override void Fill(IArrowArray array, Span<DateOnly?> values)
    {
        if (array is Date32Array days)
        {
            var source = days.Values;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = days.IsNull(i) ? null : ArrowTypes.DateFromDays(source[i]);
            }
        }
        else
        {
            var milliseconds = (Date64Array)array;
            var source = milliseconds.Values;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = milliseconds.IsNull(i) ? null : ArrowTypes.DateFromMilliseconds(source[i]);
            }
        }
    }
}

internal sealed class TimestampParquetColumn(TimestampType type, DataField field) : ValueParquetColumn<DateTime>(field)
{
    private readonly TimestampConverter _converter = new(type);

    protected override void Fill(IArrowArray array, Span<DateTime?> values)
    {
        var source = ((TimestampArray)array).Values;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = array.IsNull(i) ? null : _converter.ToDateTime(source[i]);
        }
    }
}

/// <summary>Time32 (seconds or milliseconds) as TIME(MILLIS).</summary>
internal sealed class Time32ParquetColumn(TimeUnit unit, DataField field) : ValueParquetColumn<int>(field)
{
    private readonly int _factor = unit == TimeUnit.Second ? 1000 : 1;

    protected override void Fill(IArrowArray array, Span<int?> values)
    {
        var source = ((Time32Array)array).Values;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = array.IsNull(i) ? null : checked(source[i] * _factor);
        }
    }
}

/// <summary>Time64 (microseconds or nanoseconds) as TIME of the same unit.</summary>
internal sealed class Time64ParquetColumn(DataField field) : ValueParquetColumn<long>(field)
{
    protected override void Fill(IArrowArray array, Span<long?> values)
    {
        var source = ((Time64Array)array).Values;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = array.IsNull(i) ? null : source[i];
        }
    }
}

/// <summary>
/// A string column. Parquet.Net takes strings as character memory: each batch's UTF-8 is decoded into one
/// shared character buffer, sliced per value, so no string is allocated per row.
/// </summary>
internal sealed class TextParquetColumn(DataField field, Func<IArrowArray, ByteReader> source) : ParquetColumn(field)
{
    private ReadOnlyMemory<char>?[] _values = [];
    private char[] _chars = [];
    private int _used;

    public static ByteReader Utf8(IArrowArray array) => ArrowBytes.Reader(array);

    public static ByteReader DecimalText(IArrowArray array)
    {
        var decimals = (Decimal256Array)array;
        return row => Encoding.UTF8.GetBytes(decimals.GetString(row) ?? string.Empty);
    }

    /// <summary>Lists and structs as compact JSON, rendered into one reused buffer per batch.</summary>
    public static Func<IArrowArray, ByteReader> Json(string column) => array =>
    {
        var value = TextColumn.Create(array, column, DataFormat.Parquet);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new Utf8JsonWriter(buffer, TextEncoder.JsonOptions);
        return row =>
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            value.WriteJson(row, writer);
            writer.Flush();
            return buffer.WrittenSpan;
        };
    };

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, IArrowArray array, CancellationToken cancellationToken)
    {
        var length = array.Length;
        if (_values.Length < length)
        {
            _values = new ReadOnlyMemory<char>?[length];
        }

        _used = 0;
        if (array is NullArray)
        {
            _values.AsSpan(0, length).Clear();
        }
        else
        {
            var text = source(array);
            for (var i = 0; i < length; i++)
            {
                // Typed null: a bare null would convert through char[] to an empty (non-null) memory.
                _values[i] = array.IsNull(i) ? (ReadOnlyMemory<char>?)null : Decode(text(i));
            }
        }

        return rowGroup.WriteAsync<ReadOnlyMemory<char>>(Field, _values.AsMemory(0, length), cancellationToken: cancellationToken);
    }

    private ReadOnlyMemory<char> Decode(ReadOnlySpan<byte> utf8)
    {
        // UTF-8 never has fewer bytes than UTF-16 has chars, so the byte count bounds the chars needed. A new
        // buffer leaves earlier values pointing into the old one, which lives until this batch is written.
        if (_chars.Length - _used < utf8.Length)
        {
            _chars = new char[Math.Max(Math.Max(_chars.Length * 2, utf8.Length), 4096)];
            _used = 0;
        }

        var count = Encoding.UTF8.GetChars(utf8, _chars.AsSpan(_used));
        var value = _chars.AsMemory(_used, count);
        _used += count;
        return value;
    }
}

/// <summary>A binary column: each batch's bytes copied into one reused buffer, sliced per value.</summary>
internal sealed class BinaryParquetColumn(DataField field) : ParquetColumn(field)
{
    private ReadOnlyMemory<byte>?[] _values = [];
    private byte[] _bytes = [];
    private int _used;

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, IArrowArray array, CancellationToken cancellationToken)
    {
        var length = array.Length;
        if (_values.Length < length)
        {
            _values = new ReadOnlyMemory<byte>?[length];
        }

        _used = 0;
        var read = ArrowBytes.Reader(array);
        for (var i = 0; i < length; i++)
        {
            _values[i] = array.IsNull(i) ? (ReadOnlyMemory<byte>?)null : Copy(read(i));
        }

        return rowGroup.WriteAsync<ReadOnlyMemory<byte>>(Field, _values.AsMemory(0, length), cancellationToken: cancellationToken);
    }

    private ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length - _used < bytes.Length)
        {
            _bytes = new byte[Math.Max(Math.Max(_bytes.Length * 2, bytes.Length), 4096)];
            _used = 0;
        }

        bytes.CopyTo(_bytes.AsSpan(_used));
        var value = _bytes.AsMemory(_used, bytes.Length);
        _used += bytes.Length;
        return value;
    }
}

internal static class ArrowBytes
{
    /// <summary>The value reader of a string or binary array of any layout (offsets, large offsets, views).</summary>
    public static ByteReader Reader(IArrowArray array) => array switch
    {
        BinaryArray a => a.GetBytes, // StringArray too
        LargeBinaryArray a => a.GetBytes, // LargeStringArray too
        BinaryViewArray a => a.GetBytes, // StringViewArray too
        _ => throw new ArgumentException($"Arrow type '{array.Data.DataType.Name}' is not a string or binary type.", nameof(array)),
    };
}
