using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using TimeUnit = Apache.Arrow.Types.TimeUnit;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>The Arrow types the text and Parquet encoders understand, and their date and time arithmetic.</summary>
internal static class ArrowTypes
{
    /// <summary>Day number (days since 0001-01-01) of the Unix epoch, 1970-01-01.</summary>
    private const int UnixEpochDayNumber = 719_162;

    private const long MinSeconds = -62_135_596_800; // 0001-01-01T00:00:00
    private const long MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59

    /// <summary>Throws <see cref="NotSupportedException"/> naming the first column (or nested field) of an unsupported type.</summary>
    public static void EnsureSupported(Schema schema, DataFormat format)
    {
        foreach (var field in schema.FieldsList)
        {
            EnsureSupported(field.DataType, field.Name, format);
        }
    }

    private static void EnsureSupported(IArrowType type, string column, DataFormat format)
    {
        switch (type.TypeId)
        {
            case ArrowTypeId.Null:
            case ArrowTypeId.Boolean:
            case ArrowTypeId.Int8:
            case ArrowTypeId.Int16:
            case ArrowTypeId.Int32:
            case ArrowTypeId.Int64:
            case ArrowTypeId.UInt8:
            case ArrowTypeId.UInt16:
            case ArrowTypeId.UInt32:
            case ArrowTypeId.UInt64:
            case ArrowTypeId.Float:
            case ArrowTypeId.Double:
            case ArrowTypeId.Decimal128:
            case ArrowTypeId.Decimal256:
            case ArrowTypeId.String:
            case ArrowTypeId.LargeString:
            case ArrowTypeId.StringView:
            case ArrowTypeId.Binary:
            case ArrowTypeId.LargeBinary:
            case ArrowTypeId.BinaryView:
            case ArrowTypeId.Date32:
            case ArrowTypeId.Date64:
            case ArrowTypeId.Timestamp:
            case ArrowTypeId.Time32:
            case ArrowTypeId.Time64:
                return;
            case ArrowTypeId.List:
                EnsureSupported(((ListType)type).ValueDataType, column, format);
                return;
            case ArrowTypeId.LargeList:
                EnsureSupported(((LargeListType)type).ValueDataType, column, format);
                return;
            case ArrowTypeId.Struct:
                foreach (var child in ((StructType)type).Fields)
                {
                    EnsureSupported(child.DataType, column, format);
                }

                return;
            default:
                throw Unsupported(type, column, format);
        }
    }

    public static NotSupportedException Unsupported(IArrowType type, string column, DataFormat format) =>
        new($"Column '{column}' has the Arrow type '{type.Name}' ({type.TypeId}), which the {format} output does not support.");

    public static long UnitsPerSecond(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 1,
        TimeUnit.Millisecond => 1_000,
        TimeUnit.Microsecond => 1_000_000,
        TimeUnit.Nanosecond => 1_000_000_000,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown Arrow time unit."),
    };

    /// <summary>Digits of the sub-second fraction a unit can carry.</summary>
    private static int FractionDigits(TimeUnit unit) => unit switch
    {
        TimeUnit.Second => 0,
        TimeUnit.Millisecond => 3,
        TimeUnit.Microsecond => 6,
        _ => 9,
    };

    public static long FloorDiv(long value, long divisor, out long remainder)
    {
        var quotient = Math.DivRem(value, divisor, out remainder);
        if (remainder < 0)
        {
            quotient--;
            remainder += divisor;
        }

        return quotient;
    }

    /// <summary>The date <paramref name="days"/> days after 1970-01-01.</summary>
    public static DateOnly DateFromDays(long days)
    {
        if (days < -UnixEpochDayNumber || days > DateOnly.MaxValue.DayNumber - UnixEpochDayNumber)
        {
            throw new OverflowException($"The date {days} days from 1970-01-01 is outside 0001-01-01 to 9999-12-31.");
        }

        return DateOnly.FromDayNumber((int)(UnixEpochDayNumber + days));
    }

    /// <summary>The date of a Date64 value (milliseconds since the epoch).</summary>
    public static DateOnly DateFromMilliseconds(long milliseconds) => DateFromDays(FloorDiv(milliseconds, 86_400_000, out _));

    /// <summary>Writes <c>yyyy-MM-dd</c>; returns the bytes written.</summary>
    public static int FormatDate(DateOnly date, Span<byte> destination)
    {
        date.TryFormat(destination, out var written, "yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);
        return written;
    }

    /// <summary>
    /// Writes an ISO 8601 timestamp, <c>yyyy-MM-ddTHH:mm:ss</c> with the unit's fraction (trailing zeros
    /// trimmed, none when zero) and <c>Z</c> when the value is a UTC instant; returns the bytes written.
    /// Destination needs 30 bytes.
    /// </summary>
    public static int FormatTimestamp(long value, TimeUnit unit, bool utc, Span<byte> destination)
    {
        var seconds = FloorDiv(value, UnitsPerSecond(unit), out var fraction);
        if (seconds is < MinSeconds or > MaxSeconds)
        {
            throw new OverflowException($"The timestamp {value} ({unit}s since 1970-01-01) is outside years 1 to 9999.");
        }

        var dateTime = new DateTime(DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        dateTime.TryFormat(destination, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        written += FormatFraction(fraction, FractionDigits(unit), destination[written..]);
        if (utc)
        {
            destination[written++] = (byte)'Z';
        }

        return written;
    }

    /// <summary>Writes a time of day, <c>HH:mm:ss</c> with the unit's fraction trimmed; returns the bytes written.</summary>
    public static int FormatTime(long value, TimeUnit unit, Span<byte> destination)
    {
        var seconds = FloorDiv(value, UnitsPerSecond(unit), out var fraction);
        // DuckDB allows 24:00:00; anything outside a day is data corruption rather than a time.
        if (seconds is < 0 or > 86_400)
        {
            throw new OverflowException($"The time of day {value} ({unit}s since midnight) is outside 00:00:00 to 24:00:00.");
        }

        var hours = (int)(seconds / 3600);
        var minutes = (int)(seconds / 60 % 60);
        var secs = (int)(seconds % 60);
        WriteTwoDigits(hours, destination);
        destination[2] = (byte)':';
        WriteTwoDigits(minutes, destination[3..]);
        destination[5] = (byte)':';
        WriteTwoDigits(secs, destination[6..]);
        return 8 + FormatFraction(fraction, FractionDigits(unit), destination[8..]);
    }

    private static void WriteTwoDigits(int value, Span<byte> destination)
    {
        destination[0] = (byte)('0' + (value / 10));
        destination[1] = (byte)('0' + (value % 10));
    }

    private static int FormatFraction(long fraction, int digits, Span<byte> destination)
    {
        if (fraction == 0)
        {
            return 0;
        }

        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        destination[0] = (byte)'.';
        for (var i = digits; i > 0; i--)
        {
            destination[i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        return digits + 1;
    }
}

/// <summary>Converts an Arrow timestamp to a <see cref="DateTime"/> (100 ns ticks), checking the range.</summary>
internal readonly struct TimestampConverter
{
    private readonly long _ticksPerUnit; // 0 for nanoseconds, which are divided instead
    private readonly long _min;
    private readonly long _max;
    private readonly DateTimeKind _kind;

    public TimestampConverter(TimestampType type)
    {
        _kind = type.IsTimeZoneAware ? DateTimeKind.Utc : DateTimeKind.Unspecified;
        _ticksPerUnit = type.Unit switch
        {
            TimeUnit.Second => TimeSpan.TicksPerSecond,
            TimeUnit.Millisecond => TimeSpan.TicksPerMillisecond,
            TimeUnit.Microsecond => TimeSpan.TicksPerMicrosecond,
            _ => 0,
        };
        var epoch = DateTime.UnixEpoch.Ticks;
        // Every nanosecond timestamp (±292 years around 1970) fits in DateTime.
        _min = _ticksPerUnit == 0 ? long.MinValue : -(epoch / _ticksPerUnit);
        _max = _ticksPerUnit == 0 ? long.MaxValue : (DateTime.MaxValue.Ticks - epoch) / _ticksPerUnit;
    }

    public DateTime ToDateTime(long value)
    {
        if (value < _min || value > _max)
        {
            throw new OverflowException($"The timestamp {value} is outside years 1 to 9999.");
        }

        var ticks = _ticksPerUnit == 0 ? ArrowTypes.FloorDiv(value, 100, out _) : value * _ticksPerUnit;
        return new DateTime(DateTime.UnixEpoch.Ticks + ticks, _kind);
    }
}
