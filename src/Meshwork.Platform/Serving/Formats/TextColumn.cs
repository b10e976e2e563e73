using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>Reads the UTF-8 or binary value at an index of a string or binary array.</summary>
internal delegate ReadOnlySpan<byte> ByteReader(int index);

/// <summary>
/// One column of one batch, resolved once to its typed reader so that rows are written without per-value type
/// tests or boxing. Writes a non-null value as a CSV field or a JSON value; callers check <see cref="IsNull"/>.
/// </summary>
internal abstract class TextColumn(IArrowArray array)
{
    private readonly IArrowArray _validity = array;
    private readonly bool _hasNulls = array.NullCount != 0;

    public bool IsNull(int row) => _hasNulls && _validity.IsNull(row);

    /// <summary>Writes the non-null value at <paramref name="row"/> as one CSV field.</summary>
    public abstract void WriteCsv(int row, CsvOutput output);

    /// <summary>Writes the non-null value at <paramref name="row"/> as one JSON value.</summary>
    public abstract void WriteJson(int row, Utf8JsonWriter writer);

    public void WriteJsonValue(int row, Utf8JsonWriter writer)
    {
        if (IsNull(row))
        {
            writer.WriteNullValue();
        }
        else
        {
            WriteJson(row, writer);
        }
    }

    public static TextColumn Create(IArrowArray array, string column, DataFormat format) => array switch
    {
        Int64Array a => new IntegerColumn<long>(a),
        Int32Array a => new IntegerColumn<int>(a),
        DoubleArray a => new FloatingColumn<double>(a),
        StringArray a => new Utf8Column(a, a.GetBytes),
        BooleanArray a => new BooleanColumn(a),
        Decimal128Array a => new DecimalColumn(a, a.TryGetValue, a.GetString),
        Date32Array a => new DateColumn(a, row => ArrowTypes.DateFromDays(a.Values[row])),
        TimestampArray a => new TimestampColumn(a),
        Int16Array a => new IntegerColumn<short>(a),
        Int8Array a => new IntegerColumn<sbyte>(a),
        UInt8Array a => new IntegerColumn<byte>(a),
        UInt16Array a => new IntegerColumn<ushort>(a),
        UInt32Array a => new IntegerColumn<uint>(a),
        UInt64Array a => new IntegerColumn<ulong>(a),
        FloatArray a => new FloatingColumn<float>(a),
        Decimal256Array a => new DecimalColumn(a, a.TryGetValue, a.GetString),
        LargeStringArray a => new Utf8Column(a, a.GetBytes),
        StringViewArray a => new Utf8Column(a, a.GetBytes),
        BinaryArray a => new BinaryColumn(a, a.GetBytes),
        LargeBinaryArray a => new BinaryColumn(a, a.GetBytes),
        BinaryViewArray a => new BinaryColumn(a, a.GetBytes),
        Date64Array a => new DateColumn(a, row => ArrowTypes.DateFromMilliseconds(a.Values[row])),
        Time32Array a => new TimeColumn(a, ((Time32Type)a.Data.DataType).Unit, row => a.Values[row]),
        Time64Array a => new TimeColumn(a, ((Time64Type)a.Data.DataType).Unit, row => a.Values[row]),
        ListArray a => new ListColumn(a, Create(a.Values, column, format), row => (a.ValueOffsets[row], a.ValueOffsets[row + 1])),
        LargeListArray a => new ListColumn(a, Create(a.Values, column, format), row => (a.ValueOffsets[row], a.ValueOffsets[row + 1])),
        StructArray a => new StructColumn(a, column, format),
        NullArray a => new NullColumn(a),
        _ => throw ArrowTypes.Unsupported(array.Data.DataType, column, format),
    };

    private sealed class NullColumn(IArrowArray array) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output)
        {
        }

        public override void WriteJson(int row, Utf8JsonWriter writer) => writer.WriteNullValue();
    }

    private sealed class BooleanColumn(BooleanArray array) : TextColumn(array)
    {
        private readonly BooleanArray _array = array;

        public override void WriteCsv(int row, CsvOutput output) => output.WriteRaw(_array.GetValue(row) == true ? "true"u8 : "false"u8);

        public override void WriteJson(int row, Utf8JsonWriter writer) => writer.WriteBooleanValue(_array.GetValue(row) == true);
    }

    private sealed class IntegerColumn<T>(PrimitiveArray<T> array) : TextColumn(array)
        where T : struct, IBinaryInteger<T>
    {
        private readonly PrimitiveArray<T> _array = array;

        public override void WriteCsv(int row, CsvOutput output) => output.WriteFormatted(_array.Values[row]);

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            Span<byte> digits = stackalloc byte[24];
            _array.Values[row].TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
            writer.WriteRawValue(digits[..written], skipInputValidation: true);
        }
    }

    private sealed class FloatingColumn<T>(PrimitiveArray<T> array) : TextColumn(array)
        where T : struct, IFloatingPointIeee754<T>
    {
        private readonly PrimitiveArray<T> _array = array;

        // .NET's default formatting is the shortest text that round-trips: 1.5, 0.1, 1E+20, NaN, Infinity.
        public override void WriteCsv(int row, CsvOutput output) => output.WriteFormatted(_array.Values[row]);

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            var value = _array.Values[row];
            Span<byte> text = stackalloc byte[32];
            value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
            if (T.IsFinite(value))
            {
                writer.WriteRawValue(text[..written], skipInputValidation: true);
            }
            else
            {
                // JSON has no NaN or infinity: they go as the strings "NaN", "Infinity" and "-Infinity".
                writer.WriteStringValue(text[..written]);
            }
        }
    }

    internal delegate bool DecimalReader(int index, out decimal? value);

    private sealed class DecimalColumn(IArrowArray array, DecimalReader read, Func<int, string?> text) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output)
        {
            if (read(row, out var value))
            {
                output.WriteFormatted(value.GetValueOrDefault());
            }
            else
            {
                // Beyond System.Decimal's 28-29 digits: Arrow's exact text.
                output.WriteRaw(text(row));
            }
        }

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            if (read(row, out var value))
            {
                writer.WriteNumberValue(value.GetValueOrDefault());
            }
            else
            {
                writer.WriteRawValue(text(row) ?? "null");
            }
        }
    }

    private sealed class Utf8Column(IArrowArray array, ByteReader read) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output) => output.WriteField(read(row));

        public override void WriteJson(int row, Utf8JsonWriter writer) => writer.WriteStringValue(read(row));
    }

    private sealed class BinaryColumn(IArrowArray array, ByteReader read) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output) => output.WriteBase64(read(row));

        public override void WriteJson(int row, Utf8JsonWriter writer) => writer.WriteBase64StringValue(read(row));
    }

    private sealed class DateColumn(IArrowArray array, Func<int, DateOnly> date) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output) => output.Advance(ArrowTypes.FormatDate(date(row), output.GetSpan(16)));

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            Span<byte> text = stackalloc byte[16];
            writer.WriteStringValue(text[..ArrowTypes.FormatDate(date(row), text)]);
        }
    }

    private sealed class TimestampColumn(TimestampArray array) : TextColumn(array)
    {
        private readonly TimestampArray _array = array;
        private readonly TimeUnit _unit = ((TimestampType)array.Data.DataType).Unit;
        private readonly bool _utc = ((TimestampType)array.Data.DataType).IsTimeZoneAware;

        public override void WriteCsv(int row, CsvOutput output) =>
            output.Advance(ArrowTypes.FormatTimestamp(_array.Values[row], _unit, _utc, output.GetSpan(32)));

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            Span<byte> text = stackalloc byte[32];
            writer.WriteStringValue(text[..ArrowTypes.FormatTimestamp(_array.Values[row], _unit, _utc, text)]);
        }
    }

    private sealed class TimeColumn(IArrowArray array, TimeUnit unit, Func<int, long> value) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output) => output.Advance(ArrowTypes.FormatTime(value(row), unit, output.GetSpan(24)));

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            Span<byte> text = stackalloc byte[24];
            writer.WriteStringValue(text[..ArrowTypes.FormatTime(value(row), unit, text)]);
        }
    }

    /// <summary>A list as a JSON array; in CSV, that JSON text as one field.</summary>
    private sealed class ListColumn(IArrowArray array, TextColumn values, Func<int, (long Start, long End)> range) : TextColumn(array)
    {
        public override void WriteCsv(int row, CsvOutput output) => output.WriteJsonField(this, row);

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            var (start, end) = range(row);
            writer.WriteStartArray();
            for (var i = start; i < end; i++)
            {
                values.WriteJsonValue(checked((int)i), writer);
            }

            writer.WriteEndArray();
        }
    }

    /// <summary>A struct as a JSON object; in CSV, that JSON text as one field.</summary>
    private sealed class StructColumn : TextColumn
    {
        private readonly JsonEncodedText[] _names;
        private readonly TextColumn[] _fields;

        public StructColumn(StructArray array, string column, DataFormat format)
            : base(array)
        {
            var type = (StructType)array.Data.DataType;
            _names = [.. type.Fields.Select(f => JsonEncodedText.Encode(f.Name, TextEncoder.JsonEncoder))];
            // Arrow slices a struct's children along with it: child row i is the struct's row i.
            _fields = [.. array.Fields.Select(f => Create(f, column, format))];
        }

        public override void WriteCsv(int row, CsvOutput output) => output.WriteJsonField(this, row);

        public override void WriteJson(int row, Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            for (var i = 0; i < _fields.Length; i++)
            {
                writer.WritePropertyName(_names[i]);
                _fields[i].WriteJsonValue(row, writer);
            }

            writer.WriteEndObject();
        }
    }
}

/// <summary>The UTF-8 buffer CSV rows are written to, with RFC 4180 quoting.</summary>
internal sealed class CsvOutput(int capacity) : IDisposable
{
    private static readonly SearchValues<byte> NeedsQuotes = SearchValues.Create(",\"\r\n"u8);

    private readonly ArrayBufferWriter<byte> _scratch = new();
    private Utf8JsonWriter? _json;

    public ArrayBufferWriter<byte> Buffer { get; } = new(capacity);

    public void Dispose() => _json?.Dispose();

    public Span<byte> GetSpan(int size) => Buffer.GetSpan(size);

    public void Advance(int count) => Buffer.Advance(count);

    public void WriteRaw(ReadOnlySpan<byte> utf8) => Buffer.Write(utf8);

    public void WriteRaw(string? text)
    {
        var span = Buffer.GetSpan(System.Text.Encoding.UTF8.GetMaxByteCount(text?.Length ?? 0));
        Buffer.Advance(System.Text.Encoding.UTF8.GetBytes(text, span));
    }

    public void WriteFormatted<T>(T value)
        where T : IUtf8SpanFormattable
    {
        var span = Buffer.GetSpan(64);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        Buffer.Advance(written);
    }

    /// <summary>Writes a text field, quoted (with quotes doubled) only when it holds a comma, quote, CR or LF.</summary>
    public void WriteField(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny(NeedsQuotes) < 0)
        {
            Buffer.Write(utf8);
            return;
        }

        Buffer.Write("\""u8);
        int quote;
        while ((quote = utf8.IndexOf((byte)'"')) >= 0)
        {
            Buffer.Write(utf8[..(quote + 1)]);
            Buffer.Write("\""u8);
            utf8 = utf8[(quote + 1)..];
        }

        Buffer.Write(utf8);
        Buffer.Write("\""u8);
    }

    public void WriteBase64(ReadOnlySpan<byte> bytes)
    {
        var span = Buffer.GetSpan(Base64.GetMaxEncodedToUtf8Length(bytes.Length));
        Base64.EncodeToUtf8(bytes, span, out _, out var written);
        Buffer.Advance(written);
    }

    /// <summary>Writes a nested value as compact JSON text in one (quoted) field.</summary>
    public void WriteJsonField(TextColumn column, int row)
    {
        _scratch.ResetWrittenCount();
        if (_json is null)
        {
            _json = new Utf8JsonWriter(_scratch, TextEncoder.JsonOptions);
        }
        else
        {
            _json.Reset(_scratch);
        }

        column.WriteJson(row, _json);
        _json.Flush();
        WriteField(_scratch.WrittenSpan);
    }
}
