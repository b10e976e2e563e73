using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Apache.Arrow;

namespace Meshwork.Platform.Serving.Formats;

/// <summary>CSV and NDJSON: rows rendered into a UTF-8 buffer that is sent whenever it passes 64 KiB.</summary>
internal static class TextEncoder
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// Escapes only what JSON requires (quotes, backslashes, control characters), so text stays readable UTF-8.
    /// The HTML-sensitive characters the default encoder escapes do not matter in a data download.
    /// </summary>
    public static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonWriterOptions JsonOptions = new() { Encoder = JsonEncoder, SkipValidation = true };

    public static async Task WriteCsvAsync(Schema schema, IAsyncEnumerable<RecordBatch> batches, Stream output, CancellationToken cancellationToken)
    {
        using var csv = new CsvOutput(FlushThreshold + 4096);
        WriteHeader(schema, csv);
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var columns = Columns(schema, batch, DataFormat.Csv);
            var row = 0;
            while (row < batch.Length)
            {
                row = WriteCsvRows(columns, row, batch.Length, csv);
                if (csv.Buffer.WrittenCount >= FlushThreshold)
                {
                    await SendAsync(csv.Buffer, output, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await SendAsync(csv.Buffer, output, cancellationToken).ConfigureAwait(false);
    }

    public static async Task WriteNdjsonAsync(Schema schema, IAsyncEnumerable<RecordBatch> batches, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold + 4096);
        var names = schema.FieldsList.Select(f => JsonEncodedText.Encode(f.Name, JsonEncoder)).ToArray();
        using var json = new Utf8JsonWriter(buffer, JsonOptions);
        await foreach (var batch in batches.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var columns = Columns(schema, batch, DataFormat.Ndjson);
            var row = 0;
            while (row < batch.Length)
            {
                row = WriteNdjsonRows(columns, names, row, batch.Length, json, buffer);
                if (buffer.WrittenCount >= FlushThreshold)
                {
                    await SendAsync(buffer, output, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await SendAsync(buffer, output, cancellationToken).ConfigureAwait(false);
    }

    private static TextColumn[] Columns(Schema schema, RecordBatch batch, DataFormat format)
    {
        if (batch.ColumnCount != schema.FieldsList.Count)
        {
            throw new InvalidDataException($"A batch has {batch.ColumnCount} columns where the schema has {schema.FieldsList.Count}.");
        }

        var columns = new TextColumn[batch.ColumnCount];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = TextColumn.Create(batch.Column(i), schema.FieldsList[i].Name, format);
        }

        return columns;
    }

    private static void WriteHeader(Schema schema, CsvOutput csv)
    {
        var fields = schema.FieldsList;
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                csv.WriteRaw(","u8);
            }

            csv.WriteField(System.Text.Encoding.UTF8.GetBytes(fields[i].Name));
        }

        csv.WriteRaw("\n"u8);
    }

    /// <summary>Writes rows from <paramref name="row"/> until the buffer is full or the batch ends; returns the next row.</summary>
    private static int WriteCsvRows(TextColumn[] columns, int row, int rows, CsvOutput csv)
    {
        for (; row < rows && csv.Buffer.WrittenCount < FlushThreshold; row++)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                if (c > 0)
                {
                    csv.WriteRaw(","u8);
                }

                // A null is an empty field.
                if (!columns[c].IsNull(row))
                {
                    columns[c].WriteCsv(row, csv);
                }
            }

            csv.WriteRaw("\n"u8);
        }

        return row;
    }

    private static int WriteNdjsonRows(TextColumn[] columns, JsonEncodedText[] names, int row, int rows, Utf8JsonWriter json, ArrayBufferWriter<byte> buffer)
    {
        for (; row < rows && buffer.WrittenCount < FlushThreshold; row++)
        {
            json.WriteStartObject();
            for (var c = 0; c < columns.Length; c++)
            {
                json.WritePropertyName(names[c]);
                columns[c].WriteJsonValue(row, json);
            }

            json.WriteEndObject();
            json.Flush();
            // Each row is its own JSON document: the writer starts afresh after the newline.
            json.Reset();
            buffer.Write("\n"u8);
        }

        return row;
    }

    private static async ValueTask SendAsync(ArrayBufferWriter<byte> buffer, Stream output, CancellationToken cancellationToken)
    {
        if (buffer.WrittenCount > 0)
        {
            await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            buffer.ResetWrittenCount();
        }
    }
}
