using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Npgsql;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// A PostgreSQL result as Arrow record batches, read as the rows arrive: the schema from the row description (before
/// any row), then batches of up to <see cref="BatchRows"/> rows. Types map as the snapshot's Parquet has them
/// (<see cref="PostgresEngine.DuckDbType"/>), so a dataset's schema is the same whichever engine serves it.
/// Owns its batch and reader; engine errors surface as <see cref="EngineException"/>.
/// </summary>
internal sealed class PostgresArrowStream : IArrowArrayStream
{
    private const int BatchRows = 16_384;
    private readonly NpgsqlBatch _batch;
    private readonly NpgsqlDataReader _reader;
    private readonly Column[] _columns;
    private readonly CancellationToken _interrupts;
    private bool _done;

    private PostgresArrowStream(NpgsqlBatch batch, NpgsqlDataReader reader, Column[] columns, CancellationToken interrupts)
    {
        _batch = batch;
        _reader = reader;
        _columns = columns;
        _interrupts = interrupts;
        Schema = new Schema([.. columns.Select((c, i) => new Field(reader.GetName(i), c.Type, nullable: true))], null);
    }

    public Schema Schema { get; }

    /// <summary>Runs <paramref name="sql"/> (one statement: the extended protocol refuses more) and returns its stream.</summary>
    public static async Task<PostgresArrowStream> OpenAsync(NpgsqlConnection connection, string sql, CancellationToken interrupts)
    {
        var batch = new NpgsqlBatch(connection) { BatchCommands = { new NpgsqlBatchCommand(sql) } };
        try
        {
            var reader = await batch.ExecuteReaderAsync(interrupts).ConfigureAwait(false);
            try
            {
                return new PostgresArrowStream(batch, reader, [.. Enumerable.Range(0, reader.FieldCount).Select(i => Column.For(reader.GetDataTypeName(i)))], interrupts);
            }
            catch
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e)
        {
            await batch.DisposeAsync().ConfigureAwait(false);
            throw Translate(e, interrupts);
        }
    }

    public async ValueTask<RecordBatch> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default)
    {
        if (_done)
        {
            return null!;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_interrupts, cancellationToken);
        var rows = 0;
        try
        {
            foreach (var column in _columns)
            {
                column.Start();
            }

            while (rows < BatchRows && await _reader.ReadAsync(linked.Token).ConfigureAwait(false))
            {
                for (var i = 0; i < _columns.Length; i++)
                {
                    _columns[i].Append(_reader, i);
                }

                rows++;
            }
        }
        catch (Exception e)
        {
            throw Translate(e, linked.Token);
        }

        if (rows < BatchRows)
        {
            _done = true;
        }

        return rows == 0 ? null! : new RecordBatch(Schema, _columns.Select(c => c.Build()), rows);
    }

    private static Exception Translate(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => e,
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } when cancellationToken.IsCancellationRequested =>
            new OperationCanceledException("The query was interrupted.", e, cancellationToken),
        PostgresException p => new EngineException(p.MessageText, p),
        NpgsqlException n => new EngineException(n.Message, n),
        _ => e,
    };

    public void Dispose()
    {
        _reader.Dispose();
        _batch.Dispose();
    }

    /// <summary>One result column: its Arrow type, and how a row's value is appended to the batch being built.</summary>
    private abstract class Column
    {
        public abstract IArrowType Type { get; }

        public abstract void Start();

        public abstract void Append(NpgsqlDataReader reader, int ordinal);

        public abstract IArrowArray Build();

        /// <summary>The column for a PostgreSQL type as the row description names it (<c>numeric(10,2)</c>, <c>text</c>, <c>integer[]</c>).</summary>
        public static Column For(string postgres) => PostgresEngine.DuckDbType(postgres) switch
        {
            "SMALLINT" => new Of<Int16Array.Builder>(Int16Type.Default, () => new(), (b, r, i) => b.Append(r.GetInt16(i)), b => b.AppendNull(), b => b.Build()),
            "INTEGER" => new Of<Int32Array.Builder>(Int32Type.Default, () => new(), (b, r, i) => b.Append(r.GetInt32(i)), b => b.AppendNull(), b => b.Build()),
            "BIGINT" => new Of<Int64Array.Builder>(Int64Type.Default, () => new(), (b, r, i) => b.Append(r.GetInt64(i)), b => b.AppendNull(), b => b.Build()),
            "FLOAT" => new Of<FloatArray.Builder>(FloatType.Default, () => new(), (b, r, i) => b.Append(r.GetFloat(i)), b => b.AppendNull(), b => b.Build()),
            "DOUBLE" when postgres.StartsWith("numeric", StringComparison.Ordinal) =>
                new Of<DoubleArray.Builder>(DoubleType.Default, () => new(), (b, r, i) => b.Append((double)r.GetDecimal(i)), b => b.AppendNull(), b => b.Build()),
            "DOUBLE" => new Of<DoubleArray.Builder>(DoubleType.Default, () => new(), (b, r, i) => b.Append(r.GetDouble(i)), b => b.AppendNull(), b => b.Build()),
            "BOOLEAN" => new Of<BooleanArray.Builder>(BooleanType.Default, () => new(), (b, r, i) => b.Append(r.GetBoolean(i)), b => b.AppendNull(), b => b.Build()),
            "DATE" => new Of<Date32Array.Builder>(Date32Type.Default, () => new(), (b, r, i) => b.Append(r.GetFieldValue<DateOnly>(i)), b => b.AppendNull(), b => b.Build()),
            "TIMESTAMP" => Timestamp(null),
            "TIMESTAMPTZ" => Timestamp("UTC"),
            var t when t.StartsWith("DECIMAL(", StringComparison.Ordinal) => Decimal(t),
            _ => new Of<StringArray.Builder>(StringType.Default, () => new(), (b, r, i) => b.Append(Text(r, i)), b => b.AppendNull(), b => b.Build()),
        };

        private static Of<TimestampArray.Builder> Timestamp(string? zone)
        {
            var type = new TimestampType(TimeUnit.Microsecond, zone);
            return new(type, () => new(type), (b, r, i) => b.Append(new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc))), b => b.AppendNull(), b => b.Build());
        }

        private static Of<Decimal128Array.Builder> Decimal(string duckDb)
        {
            var facets = duckDb["DECIMAL(".Length..^1].Split(',');
            var type = new Decimal128Type(int.Parse(facets[0], CultureInfo.InvariantCulture), int.Parse(facets[1], CultureInfo.InvariantCulture));
            return new(type, () => new(type), (b, r, i) => b.Append(r.GetDecimal(i)), b => b.AppendNull(), b => b.Build());
        }

        /// <summary>A value of any other type as text: text as it is, lists as JSON, the rest in its invariant form.</summary>
        private static string Text(NpgsqlDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
        {
            string s => s,
            System.Array a => JsonSerializer.Serialize(a),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v.ToString() ?? string.Empty,
        };

        private sealed class Of<TBuilder>(IArrowType type, Func<TBuilder> create, Action<TBuilder, NpgsqlDataReader, int> append, Action<TBuilder> appendNull,
            Func<TBuilder, IArrowArray> build) : Column
        {
            private TBuilder _builder = create();

            public override IArrowType Type => type;

            public override void Start() => _builder = create();

            public override void Append(NpgsqlDataReader reader, int ordinal)
            {
                if (reader.IsDBNull(ordinal))
                {
                    appendNull(_builder);
                }
                else
                {
                    append(_builder, reader, ordinal);
                }
            }

            public override IArrowArray Build() => build(_builder);
        }
    }
}
