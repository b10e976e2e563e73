using Apache.Arrow;
using Apache.Arrow.Ipc;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>The formats a query result can be streamed in.</summary>
public enum DataFormat
{
    /// <summary>Apache Arrow IPC stream format.</summary>
    Arrow,

    /// <summary>Apache Parquet file, one row group per Arrow batch.</summary>
    Parquet,

    /// <summary>RFC 4180 CSV with a header row and <c>\n</c> line endings.</summary>
    Csv,

    /// <summary>Newline-delimited JSON: one object per row.</summary>
    Ndjson,
}

/// <summary>
/// Streaming encoders that turn a stream of Arrow record batches into a response body. Every format writes
/// forward only (a response body is neither seekable nor readable) and only asynchronously (ASP.NET Core
/// forbids synchronous writes); at most one batch is held at a time.
/// </summary>
public static class DataFormats
{
    /// <summary>Parses a <c>format</c> query value: arrow, parquet, csv or ndjson, in any case.</summary>
    public static bool TryParse(string? value, out DataFormat format)
    {
        DataFormat? parsed = value switch
        {
            _ when string.Equals(value, "arrow", StringComparison.OrdinalIgnoreCase) => DataFormat.Arrow,
            _ when string.Equals(value, "parquet", StringComparison.OrdinalIgnoreCase) => DataFormat.Parquet,
            _ when string.Equals(value, "csv", StringComparison.OrdinalIgnoreCase) => DataFormat.Csv,
            _ when string.Equals(value, "ndjson", StringComparison.OrdinalIgnoreCase) => DataFormat.Ndjson,
            _ => null,
        };
        format = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }

    /// <summary>The media type of a format's response body.</summary>
    public static string ContentType(DataFormat format) => format switch
    {
        DataFormat.Arrow => "application/vnd.apache.arrow.stream",
        DataFormat.Parquet => "application/vnd.apache.parquet",
        DataFormat.Csv => "text/csv; charset=utf-8",
        DataFormat.Ndjson => "application/x-ndjson",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown data format."),
    };

    /// <summary>The file extension (without the dot) for a download in a format.</summary>
    public static string Extension(DataFormat format) => format switch
    {
        DataFormat.Arrow => "arrows",
        DataFormat.Parquet => "parquet",
        DataFormat.Csv => "csv",
        DataFormat.Ndjson => "ndjson",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown data format."),
    };

    /// <summary>
    /// Writes <paramref name="batches"/> to <paramref name="output"/> in <paramref name="format"/>, streaming, and
    /// returns the number of bytes written. With no batch at all the result is still valid and empty: an Arrow
    /// stream with the schema only, a Parquet file with the schema and no row group, a CSV header line, or
    /// nothing for NDJSON. The batches stay owned by their producer (dispose them there, after each is consumed).
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// A column has an Arrow type the format cannot write (thrown before anything is written).
    /// </exception>
    public static async Task<long> WriteAsync(DataFormat format, Schema schema, IAsyncEnumerable<RecordBatch> batches, Stream output,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(output);
        if (format is not DataFormat.Arrow)
        {
            // Checked up front, so an unsupported column fails before the first byte (and the status line) is sent.
            ArrowTypes.EnsureSupported(schema, format);
        }

        var counting = new ForwardOnlyStream(output);
        switch (format)
        {
            case DataFormat.Arrow:
                await WriteArrowAsync(schema, batches, counting, cancellationToken).ConfigureAwait(false);
                break;
            case DataFormat.Parquet:
                await ParquetEncoder.WriteAsync(schema, batches, counting, cancellationToken).ConfigureAwait(false);
                break;
            case DataFormat.Csv:
                await TextEncoder.WriteCsvAsync(schema, batches, counting, cancellationToken).ConfigureAwait(false);
                break;
            case DataFormat.Ndjson:
                await TextEncoder.WriteNdjsonAsync(schema, batches, counting, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown data format.");
        }

        await counting.FlushAsync(cancellationToken).ConfigureAwait(false);
        return counting.BytesWritten;
    }

    private static async Task WriteArrowAsync(Schema schema, IAsyncEnumerable<RecordBatch> batches, ForwardOnlyStream output, CancellationToken cancellationToken)
    {
        using var writer = new ArrowStreamWriter(output, schema, leaveOpen: true);
        // The schema goes first even when no batch follows: a reader then sees the columns of an empty result.
        await writer.WriteStartAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteRecordBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        await writer.WriteEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
