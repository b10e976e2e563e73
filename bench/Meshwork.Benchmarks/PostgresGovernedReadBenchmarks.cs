using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Engines.Postgres;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Benchmarks;

/// <summary>
/// A governed read pushed down into PostgreSQL (<see cref="PostgresQueryEngine"/>: its own login role, a
/// security-barrier view, the rows streamed as Arrow) against the same query run directly on the published version
/// by the engine's role with Npgsql, every value read. 1 million rows of 5 columns. Target: the governed read at ≥ 0.8×
/// the direct one's throughput (time ratio ≤ 1.25). <see cref="GovernedMaskedFiltered"/> adds a keyed-hash mask and a row
/// filter that keeps every row, to show what governance itself costs. A throwaway PostgreSQL
/// (<see cref="PostgresServer"/>) runs on this machine for the run.
/// </summary>
[Config(typeof(Jobs))]
public class PostgresGovernedReadBenchmarks
{
    private const string Address = "bench.reads.orders_v1";
    private const string Version = "20261207T000000000-aaaaaaaa";
    private static readonly byte[] Key = "benchmark-mask-key"u8.ToArray();
    private ThrowawayPostgres? _postgres;

    [Params(1_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _postgres = new ThrowawayPostgres("pg-read-bench");
        Run(async () =>
        {
            await using var engine = await PostgresEngine.OpenAsync(Connection);
            await engine.TransformAsync($"""
                SELECT i AS order_id, 'customer' || (i % 50000) || '@example.org' AS email, (ARRAY['DE', 'FR', 'NL', 'PL'])[1 + i % 4] AS country,
                    CAST((i % 100000) / 100.0 AS numeric(12,2)) AS amount, DATE '2026-01-01' + CAST(i % 365 AS integer) AS ordered_on
                FROM generate_series(1, {Rows}) AS s(i)
                """, "orders");
            await engine.PublishAsync("orders", Path.Combine(Folder, Version));
            await engine.PublishVersionAsync("orders", Address, Version);
            await engine.MakeCurrentAsync([new DatasetVersion(Address, Version)]);
            return 0;
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _postgres?.Stop();

    /// <summary>The query on the current version as the engine's own role, each value read by Npgsql.</summary>
    [Benchmark(Baseline = true)]
    public long Direct() => Run(async () =>
    {
        await using var connection = new NpgsqlConnection(Connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT order_id, email, country, amount, ordered_on FROM meshwork_data.\"{Address}\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        long rows = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetInt64(0);
            _ = reader.GetString(1);
            _ = reader.GetString(2);
            _ = reader.GetDecimal(3);
            _ = reader.GetFieldValue<DateOnly>(4);
            rows++;
        }

        return rows;
    });

    /// <summary>The same query through a consumer session: role, schema and view created, the query checked and run, Arrow batches read, all dropped.</summary>
    [Benchmark]
    public long Governed() => Read([new GovernedColumn("order_id"), new GovernedColumn("email"), new GovernedColumn("country"), new GovernedColumn("amount"), new GovernedColumn("ordered_on")], null);

    /// <summary>As <see cref="Governed"/>, with the email hashed (HMAC-SHA256) and a row filter that keeps every row.</summary>
    [Benchmark]
    public long GovernedMaskedFiltered() => Read(
        [new GovernedColumn("order_id"), new GovernedColumn("email", new ColumnMask(MaskKind.Hash)), new GovernedColumn("country"), new GovernedColumn("amount"), new GovernedColumn("ordered_on")],
        new FilterIn(new FilterColumn("country"), [new FilterConstant("DE"), new FilterConstant("FR"), new FilterConstant("NL"), new FilterConstant("PL")]));

    /// <summary>What a read costs whatever its size: the session set up, a query of no rows run, everything dropped.</summary>
    [Benchmark]
    public long GovernedNoRows() => Read([new GovernedColumn("order_id")], null, " LIMIT 0");

    private long Read(IReadOnlyList<GovernedColumn> columns, FilterExpr? filter, string limit = "") => Run(async () =>
    {
        await using var consumer = await PostgresQueryEngine.OpenAsync(Connection);
        var limits = new ConsumerLimits();
        var inspection = await consumer.InspectQueryAsync($"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {Address}{limit}", limits);
        await consumer.ServeAsync([new GovernedView(Address, Path.Combine(Folder, Version), columns, filter)], limits, Key);
        using var stream = await consumer.ReadArrowAsync(inspection.Sql);
        long rows = 0;
        while (await stream.ReadNextRecordBatchAsync() is { } batch)
        {
            rows += batch.Length;
            batch.Dispose();
        }

        return rows == (limit.Length == 0 ? Rows : 0) ? rows : throw new InvalidOperationException($"Expected {Rows} rows, read {rows}.");
    });

    private ThrowawayPostgres Postgres => _postgres ?? throw new InvalidOperationException("Not set up.");

    private string Connection => Postgres.Connection;

    private string Folder => Postgres.Folder;

    private static T Run<T>(Func<Task<T>> action) => ThrowawayPostgres.Run(action);

    /// <summary>One invocation per iteration, 5 iterations after one warm-up: each read takes about a second.</summary>
    public sealed class Jobs : ManualConfig
    {
        public Jobs()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        }
    }
}
