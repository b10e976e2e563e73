using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Meshwork.Diagnostics;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Engines.Postgres;
using Meshwork.Loading;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Benchmarks;

/// <summary>
/// PostgreSQL as a domain engine: the contract of <see cref="ValidationBenchmarks"/> enforced on write in PostgreSQL
/// (<see cref="PostgresEngine"/>) over 1 million rows of the same 6-column CSV, against a plain COPY of the same file
/// into a typed PostgreSQL table. Target: validation ≤ 1.5× the plain COPY. A throwaway PostgreSQL
/// (<see cref="PostgresServer"/>, durability off) runs on this machine for the run; every invocation is a fresh
/// session (no connection pooling), whose session tables go with it. No [MemoryDiagnoser]: it runs each method once
/// more, which is minutes for validation (see <see cref="Jobs"/>).
/// </summary>
[Config(typeof(Jobs))]
public class PostgresValidationBenchmarks
{
    private ThrowawayPostgres? _postgres;
    private string _csv = string.Empty;
    private DatasetSpec _spec = null!;

    [Params(1_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _postgres = new ThrowawayPostgres("pg-validation-bench");
        _csv = Path.Combine(_postgres.Folder, "orders.csv");
        ValidationBenchmarks.WriteCsv(_csv, Rows);

        var contract = ContractReader.Parse(ValidationBenchmarks.Contract, "bench.odcs.yaml");
        _spec = ContractCompiler.CompileObject("bench.orders.orders_v1", contract, contract.Schema[0], new DiagnosticBag());
    }

    [GlobalCleanup]
    public void Cleanup() => _postgres?.Stop();

    /// <summary>The CSV file streamed by the client into PostgreSQL's own CSV COPY, into a typed session table; no rule checked.</summary>
    [Benchmark(Baseline = true)]
    public long PlainCopy() => Run(async () =>
    {
        await using var connection = new NpgsqlConnection(Connection);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE plain (order_id bigint, customer_id bigint, amount numeric, currency text, status text, ordered_on date)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var import = await connection.BeginTextImportAsync("COPY plain FROM STDIN (FORMAT csv, HEADER true)"))
        using (var file = new StreamReader(_csv))
        {
            var buffer = new char[81920];
            int read;
            while ((read = await file.ReadAsync(buffer)) > 0)
            {
                await import.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM plain", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    });

    /// <summary>
    /// <see cref="PostgresEngine.LoadAsync"/> alone (the CSV read as text by the embedded DuckDB, each row written out as
    /// PostgreSQL's text COPY into a session table of text columns), then the same count as <see cref="PlainCopy"/>.
    /// </summary>
    [Benchmark]
    public long LoadOnly() => RunEngine(async engine =>
    {
        await engine.LoadAsync(new SourceFile(_csv, SourceFormat.Csv), "orders");
        await using var count = await engine.ReadAsync("SELECT count(*) FROM orders");
        await count.ReadAsync();
        return count.GetInt64(0);
    });

    /// <summary>Loaded as <see cref="LoadOnly"/>, then every value cast and every rule checked in PostgreSQL, split into valid and quarantine.</summary>
    [Benchmark]
    public long ValidateWithQuarantine() => RunEngine(async engine =>
    {
        await engine.LoadAsync(new SourceFile(_csv, SourceFormat.Csv), "orders");
        var outcome = await engine.ValidateAsync(_spec, "orders", "bench");
        if (outcome.Quarantined != 2L * Rows / 100_000)
        {
            throw new InvalidOperationException($"Expected {2L * Rows / 100_000} quarantined rows, got {outcome.Quarantined}.");
        }

        return outcome.Valid;
    });

    private string Connection => _postgres?.Connection ?? throw new InvalidOperationException("Not set up.");

    private static T Run<T>(Func<Task<T>> action) => ThrowawayPostgres.Run(action);

    private T RunEngine<T>(Func<PostgresEngine, Task<T>> action) => Run(async () =>
    {
        await using var engine = await PostgresEngine.OpenAsync(Connection);
        return await action(engine);
    });

    /// <summary>
    /// One invocation per iteration, as <see cref="ValidationBenchmarks.Jobs"/>, but 3 iterations and no warm-up or
    /// jitting run (Monitoring): validation takes minutes here, and 7 invocations of it would take a quarter of an
    /// hour. The first iteration of each method is cold (JIT, DuckDB's native library): read the median.
    /// </summary>
    public sealed class Jobs : ManualConfig
    {
        public Jobs()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(0).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        }
    }
}
