using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
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
    // 8,192 rows of 8 bytes stay below the large object heap's 85 KB.
    private const int BatchRows = 8192;
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
                column.Start(BatchRows);
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

    /// <summary>
    /// One result column: its Arrow type, and the batch being built as Arrow's own buffers (values, validity bitmap,
    /// offsets), written directly. Arrow's builders cost several times more per value than reading it from PostgreSQL.
    /// </summary>
    private abstract class Column
    {
        private byte[] _validity = [];
        private int _nulls;

        protected int Rows { get; private set; }

        public abstract IArrowType Type { get; }

        /// <summary>Starts a new batch of up to <paramref name="capacity"/> rows.</summary>
        public virtual void Start(int capacity)
        {
            _validity = new byte[(capacity + 7) / 8];
            _nulls = 0;
            Rows = 0;
        }

        public void Append(NpgsqlDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal))
            {
                _nulls++;
                AppendEmpty();
            }
            else
            {
                _validity[Rows >> 3] |= (byte)(1 << (Rows & 7));
                AppendValue(reader, ordinal);
            }

            Rows++;
        }

        protected abstract void AppendValue(NpgsqlDataReader reader, int ordinal);

        protected abstract void AppendEmpty();

        protected abstract ArrowBuffer[] Buffers(ArrowBuffer validity);

        public IArrowArray Build() =>
            ArrowArrayFactory.BuildArray(new ArrayData(Type, Rows, _nulls, 0, Buffers(_nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_validity))));

        /// <summary>The column for a PostgreSQL type as the row description names it (<c>numeric(10,2)</c>, <c>text</c>, <c>integer[]</c>).</summary>
        public static Column For(string postgres) => PostgresEngine.DuckDbType(postgres) switch
        {
            "SMALLINT" => new Fixed<short>(Int16Type.Default, (r, i) => r.GetInt16(i)),
            "INTEGER" => new Fixed<int>(Int32Type.Default, (r, i) => r.GetInt32(i)),
            "BIGINT" => new Fixed<long>(Int64Type.Default, (r, i) => r.GetInt64(i)),
            "FLOAT" => new Fixed<float>(FloatType.Default, (r, i) => r.GetFloat(i)),
            "DOUBLE" when postgres.StartsWith("numeric", StringComparison.Ordinal) => new Fixed<double>(DoubleType.Default, (r, i) => (double)r.GetDecimal(i)),
            "DOUBLE" => new Fixed<double>(DoubleType.Default, (r, i) => r.GetDouble(i)),
            "BOOLEAN" => new Booleans(),
            "DATE" => new Fixed<int>(Date32Type.Default, (r, i) => r.GetFieldValue<DateOnly>(i).DayNumber - UnixEpochDay),
            "TIMESTAMP" => new Fixed<long>(new TimestampType(TimeUnit.Microsecond, (string?)null), (r, i) => (r.GetDateTime(i).Ticks - DateTime.UnixEpoch.Ticks) / 10),
            "TIMESTAMPTZ" => new Fixed<long>(new TimestampType(TimeUnit.Microsecond, "UTC"), (r, i) => (r.GetDateTime(i).Ticks - DateTime.UnixEpoch.Ticks) / 10),
            var t when t.StartsWith("DECIMAL(", StringComparison.Ordinal) => Decimal(t),
            // Text arrives as UTF-8 and Arrow keeps UTF-8: the bytes go across as they are, never decoded to a string.
            _ when postgres is "text" || postgres.StartsWith("character", StringComparison.Ordinal) => new Utf8((r, i) => r.GetFieldValue<byte[]>(i)),
            _ => new Utf8((r, i) => Encoding.UTF8.GetBytes(Text(r, i))),
        };

        private static readonly int UnixEpochDay = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

        private static Fixed<Int128> Decimal(string duckDb)
        {
            var facets = duckDb["DECIMAL(".Length..^1].Split(',');
            var type = new Decimal128Type(int.Parse(facets[0], CultureInfo.InvariantCulture), int.Parse(facets[1], CultureInfo.InvariantCulture));
            var scale = 1m;
            for (var i = 0; i < type.Scale && i < 28; i++)
            {
                scale *= 10;
            }

            // Arrow's 128-bit unscaled integer, little-endian as Int128 is here.
            return new Fixed<Int128>(type, (r, i) => (Int128)(r.GetDecimal(i) * scale));
        }

        /// <summary>A value of any other type as text: lists as JSON, the rest in its invariant form.</summary>
        private static string Text(NpgsqlDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
        {
            string s => s,
            System.Array a => JsonSerializer.Serialize(a),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v.ToString() ?? string.Empty,
        };
    }

    /// <summary>Values of a fixed width, as Arrow lays them out (little-endian, this machine's order).</summary>
    private sealed class Fixed<T>(IArrowType type, Func<NpgsqlDataReader, int, T> read) : Column
        where T : unmanaged
    {
        private T[] _values = [];

        public override IArrowType Type => type;

        // Reused from batch to batch: a batch gets a copy of the rows it holds.
        public override void Start(int capacity)
        {
            base.Start(capacity);
            if (_values.Length != capacity)
            {
                _values = new T[capacity];
            }
        }

        protected override void AppendValue(NpgsqlDataReader reader, int ordinal) => _values[Rows] = read(reader, ordinal);

        protected override void AppendEmpty() => _values[Rows] = default;

        protected override ArrowBuffer[] Buffers(ArrowBuffer validity) =>
            [validity, new ArrowBuffer(MemoryMarshal.AsBytes(_values.AsSpan(0, Rows)).ToArray())];
    }

    private sealed class Booleans : Column
    {
        private byte[] _bits = [];

        public override IArrowType Type => BooleanType.Default;

        public override void Start(int capacity)
        {
            base.Start(capacity);
            _bits = new byte[(capacity + 7) / 8];
        }

        protected override void AppendValue(NpgsqlDataReader reader, int ordinal)
        {
            if (reader.GetBoolean(ordinal))
            {
                _bits[Rows >> 3] |= (byte)(1 << (Rows & 7));
            }
        }

        protected override void AppendEmpty()
        {
        }

        protected override ArrowBuffer[] Buffers(ArrowBuffer validity) => [validity, new ArrowBuffer(_bits)];
    }

    /// <summary>UTF-8 values: offsets, then the bytes one after another.</summary>
    private sealed class Utf8(Func<NpgsqlDataReader, int, byte[]> read) : Column
    {
        private int[] _offsets = [];
        private byte[] _bytes = [];
        private int _length;

        public override IArrowType Type => StringType.Default;

        public override void Start(int capacity)
        {
            base.Start(capacity);
            _offsets = new int[capacity + 1];
            _bytes = new byte[Math.Max(_length, 1024)];
            _length = 0;
        }

        protected override void AppendValue(NpgsqlDataReader reader, int ordinal)
        {
            var value = read(reader, ordinal);
            if (_length + value.Length > _bytes.Length)
            {
                System.Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + value.Length));
            }

            value.CopyTo(_bytes, _length);
            _length += value.Length;
            _offsets[Rows + 1] = _length;
        }

        protected override void AppendEmpty() => _offsets[Rows + 1] = _length;

        protected override ArrowBuffer[] Buffers(ArrowBuffer validity) =>
            [validity, new ArrowBuffer(MemoryMarshal.AsBytes(_offsets.AsSpan(0, Rows + 1)).ToArray()), new ArrowBuffer(_bytes.AsMemory(0, _length))];
    }
}
