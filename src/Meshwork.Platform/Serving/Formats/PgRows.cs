using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>A result column as the PostgreSQL wire protocol describes it (RowDescription): its type's OID and length.</summary>
public sealed record PgColumn(string Name, int TypeOid, short TypeLength);

/// <summary>The PostgreSQL types Meshwork's results are described as, by OID (pg_type.oid of a real server).</summary>
public static class PgTypes
{
    public const int Bool = 16;
    public const int Bytea = 17;
    public const int Int8 = 20;
    public const int Int2 = 21;
    public const int Int4 = 23;
    public const int Text = 25;
    public const int Json = 114;
    public const int Float4 = 700;
    public const int Float8 = 701;
    public const int Varchar = 1043;
    public const int Date = 1082;
    public const int Time = 1083;
    public const int Timestamp = 1114;
    public const int TimestampTz = 1184;
    public const int Numeric = 1700;

    /// <summary>Every type a result can have: OID, name, length (-1 variable), as pg_type lists them.</summary>
    public static IReadOnlyList<(int Oid, string Name, short Length)> All { get; } =
    [
        (Bool, "bool", 1), (Bytea, "bytea", -1), (Int8, "int8", 8), (Int2, "int2", 2), (Int4, "int4", 4), (Text, "text", -1), (Json, "json", -1),
        (Float4, "float4", 4), (Float8, "float8", 8), (Varchar, "varchar", -1), (Date, "date", 4), (Time, "time", 8), (Timestamp, "timestamp", 8),
        (TimestampTz, "timestamptz", 8), (Numeric, "numeric", -1),
    ];

    /// <summary>The name of a type OID as SQL writes it (format_type), for catalogs.</summary>
    public static string SqlName(int oid) => oid switch
    {
        Bool => "boolean",
        Bytea => "bytea",
        Int8 => "bigint",
        Int2 => "smallint",
        Int4 => "integer",
        Json => "json",
        Float4 => "real",
        Float8 => "double precision",
        Varchar => "character varying",
        Date => "date",
        Time => "time without time zone",
        Timestamp => "timestamp without time zone",
        TimestampTz => "timestamp with time zone",
        Numeric => "numeric",
        _ => "text",
    };

    /// <summary>The OID an engine-neutral column type is served as: what a query over it returns.</summary>
    public static int Of(Engines.DataType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Kind switch
        {
            Engines.DataKind.Int32 => Int4,
            Engines.DataKind.Int64 => Int8,
            Engines.DataKind.Double => Float8,
            Engines.DataKind.Decimal => Numeric,
            Engines.DataKind.Boolean => Bool,
            Engines.DataKind.Date => Date,
            Engines.DataKind.Timestamp => Timestamp,
            Engines.DataKind.TimestampTz => TimestampTz,
            Engines.DataKind.Time => Time,
            Engines.DataKind.Json => Json,
            _ => Text,
        };
    }

    /// <summary>The OID an Arrow type is served as.</summary>
    public static int Of(IArrowType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.TypeId switch
        {
            ArrowTypeId.Boolean => Bool,
            ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.UInt8 => Int2,
            ArrowTypeId.Int32 or ArrowTypeId.UInt16 => Int4,
            ArrowTypeId.Int64 or ArrowTypeId.UInt32 => Int8,
            ArrowTypeId.UInt64 or ArrowTypeId.Decimal128 or ArrowTypeId.Decimal256 => Numeric,
            ArrowTypeId.HalfFloat or ArrowTypeId.Float => Float4,
            ArrowTypeId.Double => Float8,
            ArrowTypeId.Binary or ArrowTypeId.LargeBinary or ArrowTypeId.BinaryView or ArrowTypeId.FixedSizedBinary => Bytea,
            ArrowTypeId.Date32 or ArrowTypeId.Date64 => Date,
            ArrowTypeId.Time32 or ArrowTypeId.Time64 => Time,
            ArrowTypeId.Timestamp => ((TimestampType)type).IsTimeZoneAware ? TimestampTz : Timestamp,
            ArrowTypeId.List or ArrowTypeId.LargeList or ArrowTypeId.Struct or ArrowTypeId.Map or ArrowTypeId.FixedSizeList => Json,
            _ => Text,
        };
    }

    /// <summary>The length pg_type gives a type OID (-1: variable).</summary>
    public static short Length(int oid) => All.FirstOrDefault(t => t.Oid == oid) is { Name: not null } known ? known.Length : (short)-1;
}

/// <summary>
/// Encodes a governed result's record batches as PostgreSQL DataRow messages, each column in the text or binary
/// format the client asked for (Bind's result formats), with the types <see cref="PgTypes.Of(IArrowType)"/> describes.
/// Columns are resolved once per batch to a typed writer, so rows are written without per-value type tests.
/// </summary>
public sealed class PgRows
{
    /// <summary>PostgreSQL's epoch (2000-01-01) in days and microseconds after Unix's.</summary>
    private const int EpochDays = 10_957;
    private const long EpochMicroseconds = EpochDays * 86_400_000_000L;

    private readonly Schema _schema;
    private readonly bool[] _binary;

    /// <param name="schema">The result's schema.</param>
    /// <param name="formats">Bind's result format codes: none (all text), one (for every column), or one per column; 1 is binary.</param>
    public PgRows(Schema schema, IReadOnlyList<short> formats)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(formats);
        _schema = schema;
        var count = schema.FieldsList.Count;
        if (formats.Count > 1 && formats.Count != count)
        {
            throw new ArgumentException($"Bind gave {formats.Count} result formats for {count} columns; give none, one, or one per column.", nameof(formats));
        }

        _binary = [.. Enumerable.Range(0, count).Select(i => formats.Count switch { 0 => false, 1 => formats[0] == 1, _ => formats[i] == 1 })];
    }

    /// <summary>The columns of a schema as RowDescription lists them.</summary>
    public static IReadOnlyList<PgColumn> Describe(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return [.. schema.FieldsList.Select(f => new PgColumn(f.Name, PgTypes.Of(f.DataType), PgTypes.Length(PgTypes.Of(f.DataType))))];
    }

    /// <summary>The format code of each column (0 text, 1 binary), as RowDescription states them.</summary>
    public IReadOnlyList<bool> Binary => _binary;

    /// <summary>
    /// Writes one DataRow message per row of <paramref name="batch"/> (rows <paramref name="start"/> to <paramref name="end"/>),
    /// column by column: every row's size is known first (fixed widths, string offsets, and the values of other types
    /// encoded one by one into a scratch buffer), so the messages are laid out once and each column is then written in
    /// a tight loop over its own buffers, with no call per value.
    /// </summary>
    public void Write(RecordBatch batch, PgBuffer output, int start = 0, int? end = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(output);
        var count = (end ?? batch.Length) - start;
        if (count <= 0)
        {
            return;
        }

        var columns = batch.ColumnCount;
        var scratch = new (PgBuffer Values, int[] Offsets)?[columns];
        var at = System.Buffers.ArrayPool<int>.Shared.Rent(count + 1);
        try
        {
            // Each row: its type byte, length and column count, then a length word per value.
            System.Array.Fill(at, 1 + 4 + 2 + (4 * columns), 0, count);
            for (var c = 0; c < columns; c++)
            {
                var array = batch.Column(c);
                if (Fast(array, _binary[c]) is { } width)
                {
                    AddWidths(array, width, start, count, at);
                }
                else
                {
                    var values = Scratch(array, _schema.FieldsList[c].Name, _binary[c], start, count);
                    scratch[c] = values;
                    for (var r = 0; r < count; r++)
                    {
                        at[r] += values.Offsets[r + 1] - values.Offsets[r];
                    }
                }
            }

            // Row sizes to row positions, and room for all of them at once.
            var total = 0;
            for (var r = 0; r < count; r++)
            {
                var size = at[r];
                at[r] = total;
                total += size;
            }

            at[count] = total;
            var span = output.GetSpan(total);
            for (var r = 0; r < count; r++)
            {
                span[at[r]] = (byte)'D';
                BinaryPrimitives.WriteInt32BigEndian(span[(at[r] + 1)..], at[r + 1] - at[r] - 1);
                BinaryPrimitives.WriteInt16BigEndian(span[(at[r] + 5)..], (short)columns);
                at[r] += 7;
            }

            for (var c = 0; c < columns; c++)
            {
                if (scratch[c] is { } values)
                {
                    CopyScratch(batch.Column(c), values, start, count, span, at);
                }
                else
                {
                    WriteFast(batch.Column(c), start, count, span, at);
                }
            }

            output.Advance(total);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(at);
        }
    }

    /// <summary>The width of a column's values when it has a fast form (-1: strings and bytes, as long as each is), else null.</summary>
    private static int? Fast(IArrowArray array, bool binary) => array switch
    {
        StringArray => -1,
        BinaryArray when binary => -1,
        BooleanArray or Int8Array or Int16Array or UInt8Array or Int32Array or Int64Array or FloatArray or DoubleArray or Date32Array when binary =>
            array switch { BooleanArray => 1, Int8Array or Int16Array or UInt8Array => 2, Int32Array or FloatArray or Date32Array => 4, _ => 8 },
        TimestampArray or Time64Array when binary => 8,
        _ => null,
    };

    private static void AddWidths(IArrowArray array, int width, int start, int count, int[] at)
    {
        var nulls = array.NullCount != 0;
        if (width >= 0)
        {
            for (var r = 0; r < count; r++)
            {
                at[r] += nulls && array.IsNull(start + r) ? 0 : width;
            }

            return;
        }

        var offsets = array is StringArray text ? text.ValueOffsets : ((BinaryArray)array).ValueOffsets;
        for (var r = 0; r < count; r++)
        {
            at[r] += nulls && array.IsNull(start + r) ? 0 : offsets[start + r + 1] - offsets[start + r];
        }
    }

    /// <summary>Writes a fast column's length words and values at each row's position, moving the positions on.</summary>
    private static void WriteFast(IArrowArray array, int start, int count, Span<byte> span, int[] at)
    {
        var nulls = array.NullCount != 0;
        for (var r = 0; r < count; r++)
        {
            if (nulls && array.IsNull(start + r))
            {
                BinaryPrimitives.WriteInt32BigEndian(span[at[r]..], -1);
                at[r] += 4;
            }
        }

        switch (array)
        {
            case StringArray or BinaryArray:
                var offsets = array is StringArray s ? s.ValueOffsets : ((BinaryArray)array).ValueOffsets;
                var data = array is StringArray t ? t.Values : ((BinaryArray)array).Values;
                for (var r = 0; r < count; r++)
                {
                    if (!nulls || !array.IsNull(start + r))
                    {
                        var from = offsets[start + r];
                        var length = offsets[start + r + 1] - from;
                        BinaryPrimitives.WriteInt32BigEndian(span[at[r]..], length);
                        data.Slice(from, length).CopyTo(span[(at[r] + 4)..]);
                        at[r] += 4 + length;
                    }
                }

                break;
            case Int64Array a:
                Fixed(a.Values, new Int64Writer(0), array, start, count, span, at);
                break;
            case Int32Array a:
                Fixed(a.Values, new Int32Writer(0), array, start, count, span, at);
                break;
            case DoubleArray a:
                Fixed(a.Values, default(DoubleWriter), array, start, count, span, at);
                break;
            case FloatArray a:
                Fixed(a.Values, default(FloatWriter), array, start, count, span, at);
                break;
            case Date32Array a:
                Fixed(a.Values, new Int32Writer(EpochDays), array, start, count, span, at);
                break;
            case Int16Array a:
                Fixed(a.Values, default(Int16Writer<short>), array, start, count, span, at);
                break;
            case Int8Array a:
                Fixed(a.Values, default(Int16Writer<sbyte>), array, start, count, span, at);
                break;
            case UInt8Array a:
                Fixed(a.Values, default(Int16Writer<byte>), array, start, count, span, at);
                break;
            case TimestampArray a:
                Fixed(a.Values, new TimeWriter(((TimestampType)a.Data.DataType).Unit, EpochMicroseconds), array, start, count, span, at);
                break;
            case Time64Array a:
                Fixed(a.Values, new TimeWriter(((Time64Type)a.Data.DataType).Unit, 0), array, start, count, span, at);
                break;
            case BooleanArray a:
                for (var r = 0; r < count; r++)
                {
                    if (!nulls || !a.IsNull(start + r))
                    {
                        BinaryPrimitives.WriteInt32BigEndian(span[at[r]..], 1);
                        span[at[r] + 4] = a.GetValue(start + r) == true ? (byte)1 : (byte)0;
                        at[r] += 5;
                    }
                }

                break;
            default:
                throw new NotSupportedException($"No fast form for {array.Data.DataType.Name}.");
        }
    }

    /// <summary>Writes one fixed-width value in network order; a struct, so each column's loop is compiled for its type.</summary>
    private interface IFixedWriter<T>
    {
        int Width { get; }

        void Write(Span<byte> destination, T value);
    }

    private readonly record struct Int64Writer(long Shift) : IFixedWriter<long>
    {
        public int Width => 8;

        public void Write(Span<byte> destination, long value) => BinaryPrimitives.WriteInt64BigEndian(destination, value - Shift);
    }

    private readonly record struct Int32Writer(int Shift) : IFixedWriter<int>
    {
        public int Width => 4;

        public void Write(Span<byte> destination, int value) => BinaryPrimitives.WriteInt32BigEndian(destination, value - Shift);
    }

    private readonly struct DoubleWriter : IFixedWriter<double>
    {
        public int Width => 8;

        public void Write(Span<byte> destination, double value) => BinaryPrimitives.WriteDoubleBigEndian(destination, value);
    }

    private readonly struct FloatWriter : IFixedWriter<float>
    {
        public int Width => 4;

        public void Write(Span<byte> destination, float value) => BinaryPrimitives.WriteSingleBigEndian(destination, value);
    }

    /// <summary>int2 from any narrower integer.</summary>
    private readonly struct Int16Writer<T> : IFixedWriter<T>
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        public int Width => 2;

        public void Write(Span<byte> destination, T value) => BinaryPrimitives.WriteInt16BigEndian(destination, short.CreateTruncating(value));
    }

    /// <summary>A time or timestamp in microseconds, from PostgreSQL's epoch for a timestamp (<paramref name="Shift"/>).</summary>
    private readonly record struct TimeWriter(TimeUnit Unit, long Shift) : IFixedWriter<long>
    {
        public int Width => 8;

        public void Write(Span<byte> destination, long value) =>
            BinaryPrimitives.WriteInt64BigEndian(destination, (Unit == TimeUnit.Microsecond ? value : PgValue.Microseconds(value, Unit)) - Shift);
    }

    /// <summary>A fixed-width column: the length word, then the value in network order.</summary>
    private static void Fixed<T, TWriter>(ReadOnlySpan<T> values, TWriter writer, IArrowArray array, int start, int count, Span<byte> span, int[] at)
        where T : struct
        where TWriter : struct, IFixedWriter<T>
    {
        var nulls = array.NullCount != 0;
        var width = writer.Width;
        for (var r = 0; r < count; r++)
        {
            if (nulls && array.IsNull(start + r))
            {
                continue;
            }

            var position = at[r];
            BinaryPrimitives.WriteInt32BigEndian(span[position..], width);
            writer.Write(span[(position + 4)..], values[start + r]);
            at[r] = position + 4 + width;
        }
    }

    /// <summary>A column without a fast form, its values encoded one by one (<see cref="PgValue"/>); offsets per row, a null as an empty one.</summary>
    private static (PgBuffer Values, int[] Offsets) Scratch(IArrowArray array, string name, bool binary, int start, int count)
    {
        var writer = PgValue.Create(array, name, binary);
        var values = new PgBuffer();
        var offsets = new int[count + 1];
        for (var r = 0; r < count; r++)
        {
            if (!writer.IsNull(start + r))
            {
                writer.Write(start + r, values);
            }

            offsets[r + 1] = values.Length;
        }

        return (values, offsets);
    }

    private static void CopyScratch(IArrowArray array, (PgBuffer Values, int[] Offsets) scratch, int start, int count, Span<byte> span, int[] at)
    {
        var bytes = scratch.Values.Written.Span;
        var nulls = array.NullCount != 0;
        for (var r = 0; r < count; r++)
        {
            if (nulls && array.IsNull(start + r))
            {
                BinaryPrimitives.WriteInt32BigEndian(span[at[r]..], -1);
                at[r] += 4;
                continue;
            }

            var length = scratch.Offsets[r + 1] - scratch.Offsets[r];
            BinaryPrimitives.WriteInt32BigEndian(span[at[r]..], length);
            bytes.Slice(scratch.Offsets[r], length).CopyTo(span[(at[r] + 4)..]);
            at[r] += 4 + length;
        }
    }

    /// <summary>One column of one batch, writing a value in its format.</summary>
    private abstract class PgValue(IArrowArray array)
    {
        private readonly bool _hasNulls = array.NullCount != 0;

        public bool IsNull(int row) => _hasNulls && array.IsNull(row);

        public abstract void Write(int row, PgBuffer output);

        public static PgValue Create(IArrowArray array, string column, bool binary) => array switch
        {
            BooleanArray a => binary ? new Of(a, (r, o) => o.WriteByte(a.GetValue(r) == true ? (byte)1 : (byte)0)) : new Of(a, (r, o) => o.WriteByte(a.GetValue(r) == true ? (byte)'t' : (byte)'f')),
            Int8Array a => binary ? new Of(a, (r, o) => o.WriteInt16(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            Int16Array a => binary ? new Of(a, (r, o) => o.WriteInt16(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            UInt8Array a => binary ? new Of(a, (r, o) => o.WriteInt16(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            Int32Array a => binary ? new Of(a, (r, o) => o.WriteInt32(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            UInt16Array a => binary ? new Of(a, (r, o) => o.WriteInt32(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            Int64Array a => binary ? new Of(a, (r, o) => o.WriteInt64(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            UInt32Array a => binary ? new Of(a, (r, o) => o.WriteInt64(a.Values[r])) : new Of(a, (r, o) => o.WriteText(a.Values[r])),
            UInt64Array a => binary ? new Of(a, (r, o) => o.WriteNumeric(a.Values[r].ToString(CultureInfo.InvariantCulture))) : new Of(a, (r, o) => o.WriteUtf8(a.Values[r].ToString(CultureInfo.InvariantCulture))),
            FloatArray a => binary ? new Of(a, (r, o) => o.WriteInt32(BitConverter.SingleToInt32Bits(a.Values[r]))) : new Of(a, (r, o) => o.WriteFloat(a.Values[r])),
            DoubleArray a => binary ? new Of(a, (r, o) => o.WriteInt64(BitConverter.DoubleToInt64Bits(a.Values[r]))) : new Of(a, (r, o) => o.WriteFloat(a.Values[r])),
            Decimal128Array a => binary ? new Of(a, (r, o) => o.WriteNumeric(a.GetString(r)!)) : new Of(a, (r, o) => o.WriteUtf8(a.GetString(r)!)),
            Decimal256Array a => binary ? new Of(a, (r, o) => o.WriteNumeric(a.GetString(r)!)) : new Of(a, (r, o) => o.WriteUtf8(a.GetString(r)!)),
            StringArray a => new Of(a, (r, o) => o.WriteBytes(a.GetBytes(r))),
            LargeStringArray a => new Of(a, (r, o) => o.WriteBytes(a.GetBytes(r))),
            StringViewArray a => new Of(a, (r, o) => o.WriteBytes(a.GetBytes(r))),
            BinaryArray a => binary ? new Of(a, (r, o) => o.WriteBytes(a.GetBytes(r))) : new Of(a, (r, o) => o.WriteHex(a.GetBytes(r))),
            LargeBinaryArray a => binary ? new Of(a, (r, o) => o.WriteBytes(a.GetBytes(r))) : new Of(a, (r, o) => o.WriteHex(a.GetBytes(r))),
            BinaryViewArray a => binary ? new Of(a, (r, o) => o.WriteBytes(a.GetBytes(r))) : new Of(a, (r, o) => o.WriteHex(a.GetBytes(r))),
            Date32Array a => Date(a, binary, r => a.Values[r]),
            Date64Array a => Date(a, binary, r => ArrowTypes.FloorDiv(a.Values[r], 86_400_000, out _)),
            TimestampArray a => Timestamp(a, binary),
            Time32Array a => Time(a, binary, ((Time32Type)a.Data.DataType).Unit, r => a.Values[r]),
            Time64Array a => Time(a, binary, ((Time64Type)a.Data.DataType).Unit, r => a.Values[r]),
            NullArray a => new Of(a, (_, _) => { }),
            _ => Json(array, column),
        };

        private static Of Date(IArrowArray array, bool binary, Func<int, long> days) => binary
            ? new Of(array, (r, o) => o.WriteInt32(checked((int)(days(r) - EpochDays))))
            : new Of(array, (r, o) => o.Advance(ArrowTypes.FormatDate(ArrowTypes.DateFromDays(days(r)), o.GetSpan(16))));

        private static Of Timestamp(TimestampArray array, bool binary)
        {
            var type = (TimestampType)array.Data.DataType;
            var unit = type.Unit;
            if (binary)
            {
                return new Of(array, (r, o) => o.WriteInt64(Microseconds(array.Values[r], unit) - EpochMicroseconds));
            }

            var utc = type.IsTimeZoneAware;
            return new Of(array, (r, o) =>
            {
                // ISO 8601 as PostgreSQL writes it: a space between date and time, the zone as +00 (the session's TimeZone is UTC).
                var span = o.GetSpan(32);
                var written = ArrowTypes.FormatTimestamp(array.Values[r], unit, utc, span);
                span[10] = (byte)' ';
                if (utc)
                {
                    span[written - 1] = (byte)'+';
                    span[written++] = (byte)'0';
                    span[written++] = (byte)'0';
                }

                o.Advance(written);
            });
        }

        private static Of Time(IArrowArray array, bool binary, TimeUnit unit, Func<int, long> value) => binary
            ? new Of(array, (r, o) => o.WriteInt64(Microseconds(value(r), unit)))
            : new Of(array, (r, o) => o.Advance(ArrowTypes.FormatTime(value(r), unit, o.GetSpan(24))));

        /// <summary>Nested values (lists, structs) as JSON text, which is also json's binary format.</summary>
        private static Of Json(IArrowArray array, string column)
        {
            var text = TextColumn.Create(array, column, DataFormat.Ndjson);
            return new Of(array, (r, o) =>
            {
                using var writer = new Utf8JsonWriter(o);
                text.WriteJson(r, writer);
            });
        }

        public static long Microseconds(long value, TimeUnit unit) => unit switch
        {
            TimeUnit.Second => value * 1_000_000,
            TimeUnit.Millisecond => value * 1_000,
            TimeUnit.Microsecond => value,
            _ => ArrowTypes.FloorDiv(value, 1_000, out _),
        };

        private sealed class Of(IArrowArray array, Action<int, PgBuffer> write) : PgValue(array)
        {
            public override void Write(int row, PgBuffer output) => write(row, output);
        }
    }
}

/// <summary>
/// A growable buffer of PostgreSQL protocol messages: big-endian integers, C strings, and message frames whose
/// length is filled in when the message ends. The port sends it in chunks and reuses it.
/// </summary>
public sealed class PgBuffer : System.Buffers.IBufferWriter<byte>
{
    private byte[] _buffer = new byte[64 * 1024];

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    /// <summary>Starts a message of a type; returns where its length goes (for <see cref="EndMessage"/>).</summary>
    public int StartMessage(byte type)
    {
        WriteByte(type);
        return Reserve(4);
    }

    /// <summary>Ends a message: its length counts itself and the body, not the type byte.</summary>
    public void EndMessage(int lengthAt) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(lengthAt), Length - lengthAt);

    /// <summary>Reserves <paramref name="bytes"/> bytes to fill later; returns where they are.</summary>
    public int Reserve(int bytes)
    {
        var at = Length;
        GetSpan(bytes);
        Length += bytes;
        return at;
    }

    /// <summary>Fills a reserved four-byte value length with the bytes written after it.</summary>
    public void PatchLength(int at) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), Length - at - 4);

    public void WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        Length++;
    }

    public void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(GetSpan(2), value);
        Length += 2;
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(GetSpan(4), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(GetSpan(8), value);
        Length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>A string as a C string (UTF-8, then a zero byte).</summary>
    public void WriteCString(string value)
    {
        WriteUtf8(value);
        WriteByte(0);
    }

    public void WriteUtf8(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var span = GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        Length += Encoding.UTF8.GetBytes(value, span);
    }

    public void WriteText(long value)
    {
        Utf8Formatter.TryFormat(value, GetSpan(20), out var written);
        Length += written;
    }

    /// <summary>A float as PostgreSQL writes it: the shortest text that reads back exactly; Infinity, -Infinity, NaN.</summary>
    public void WriteFloat(double value)
    {
        value.TryFormat(GetSpan(32), out var written, "R", CultureInfo.InvariantCulture);
        Length += written;
    }

    /// <summary>bytea's text format: <c>\x</c> and two hex digits a byte.</summary>
    public void WriteHex(ReadOnlySpan<byte> bytes)
    {
        WriteByte((byte)'\\');
        WriteByte((byte)'x');
        var span = GetSpan(bytes.Length * 2);
        Convert.TryToHexStringLower(bytes, span, out var written);
        Length += written;
    }

    /// <summary>
    /// numeric's binary format from a decimal's text: base-10000 digits grouped around the decimal point, the weight
    /// of the first group, the sign, and the display scale (digits after the point).
    /// </summary>
    public void WriteNumeric(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var negative = text.StartsWith('-');
        var unsigned = negative ? text[1..] : text;
        var point = unsigned.IndexOf('.', StringComparison.Ordinal);
        var whole = (point < 0 ? unsigned : unsigned[..point]).TrimStart('0');
        var fraction = point < 0 ? string.Empty : unsigned[(point + 1)..];
        var scale = (short)fraction.Length;
        // Pad the whole part on the left and the fraction on the right to whole groups of four digits.
        var wholePadded = whole.PadLeft((whole.Length + 3) / 4 * 4, '0');
        var fractionPadded = fraction.PadRight((fraction.Length + 3) / 4 * 4, '0');
        var groups = new List<short>();
        for (var i = 0; i < wholePadded.Length; i += 4)
        {
            groups.Add(short.Parse(wholePadded.AsSpan(i, 4), CultureInfo.InvariantCulture));
        }

        var weight = (short)(groups.Count - 1);
        for (var i = 0; i < fractionPadded.Length; i += 4)
        {
            groups.Add(short.Parse(fractionPadded.AsSpan(i, 4), CultureInfo.InvariantCulture));
        }

        // Leading zero groups move the weight down; trailing ones are dropped (the scale keeps the display).
        var first = 0;
        while (first < groups.Count && groups[first] == 0)
        {
            first++;
            weight--;
        }

        var last = groups.Count;
        while (last > first && groups[last - 1] == 0)
        {
            last--;
        }

        WriteInt16((short)(last - first));
        WriteInt16(last == first ? (short)0 : weight);
        WriteInt16(negative && last > first ? (short)0x4000 : (short)0);
        WriteInt16(scale);
        for (var i = first; i < last; i++)
        {
            WriteInt16(groups[i]);
        }
    }

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            System.Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}
