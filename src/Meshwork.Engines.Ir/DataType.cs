namespace Meshwork.Engines;

/// <summary>The engine-neutral column types contracts map to; each engine names them in its own SQL.</summary>
public enum DataKind
{
    String,
    Int32,
    Int64,
    Double,
    Decimal,
    Boolean,
    Date,
    Timestamp,
    TimestampTz,
    Time,
    Json,
}

/// <summary>A column type: its kind, and precision and scale for decimals.</summary>
public sealed record DataType(DataKind Kind, int Precision = 0, int Scale = 0)
{
    public static DataType String { get; } = new(DataKind.String);

    public static DataType Int32 { get; } = new(DataKind.Int32);

    public static DataType Int64 { get; } = new(DataKind.Int64);

    public static DataType Double { get; } = new(DataKind.Double);

    public static DataType Boolean { get; } = new(DataKind.Boolean);

    public static DataType Date { get; } = new(DataKind.Date);

    public static DataType Timestamp { get; } = new(DataKind.Timestamp);

    public static DataType TimestampTz { get; } = new(DataKind.TimestampTz);

    public static DataType Time { get; } = new(DataKind.Time);

    public static DataType Json { get; } = new(DataKind.Json);

    public static DataType Decimal(int precision, int scale) => new(DataKind.Decimal, precision, scale);

    public bool IsNumeric => Kind is DataKind.Int32 or DataKind.Int64 or DataKind.Double or DataKind.Decimal;

    public override string ToString() => Kind == DataKind.Decimal ? $"decimal({Precision},{Scale})" : Kind.ToString().ToLowerInvariant();
}
