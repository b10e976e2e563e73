using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Meshwork.Diagnostics;
using Meshwork.Engines;
using Meshwork.Engines.DuckDb;
using Meshwork.Engines.Ir;
using Meshwork.Loading;

namespace Meshwork.Benchmarks;

/// <summary>
/// The contract enforced on write over 10 million rows of a 6-column contract (a CSV with a few invalid rows),
/// against a plain load of the same file into the same engine. Target: validation ≤ 1.5× the plain load.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jobs))]
public class ValidationBenchmarks
{
    internal const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: bench.orders
        version: 1.0.0
        status: active
        schema:
          - name: orders
            properties:
              - name: order_id
                logicalType: integer
                required: true
                primaryKey: true
              - name: customer_id
                logicalType: integer
                required: true
              - name: amount
                logicalType: number
                logicalTypeOptions:
                  minimum: 0
              - name: currency
                logicalType: string
                logicalTypeOptions:
                  pattern: "^[A-Z]{3}$"
              - name: status
                logicalType: string
                quality:
                  - metric: invalidValues
                    mustBe: 0
                    arguments:
                      validValues: [open, paid, shipped, cancelled]
              - name: ordered_on
                logicalType: date
                required: true
        """;

    private string _folder = string.Empty;
    private string _csv = string.Empty;
    private DatasetSpec _spec = null!;

    [Params(10_000_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "meshwork-validation-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _csv = Path.Combine(_folder, "orders.csv");
        WriteCsv(_csv, Rows);

        var contract = ContractReader.Parse(Contract, "bench.odcs.yaml");
        _spec = ContractCompiler.CompileObject("bench.orders.orders_v1", contract, contract.Schema[0], new DiagnosticBag());
    }

    /// <summary>Writes the 6-column orders CSV of <paramref name="rows"/> rows, 2 in 100,000 of them invalid under <see cref="Contract"/>.</summary>
    internal static void WriteCsv(string csv, int rows)
    {
        // One row in 100,000 breaks a rule: quarantine has work to do, as in real loads.
        var sql = $"""
            COPY (SELECT range AS order_id, range % 50000 AS customer_id,
                         CASE WHEN range % 100000 = 7 THEN -1 ELSE (range % 997) / 10.0 END AS amount,
                         CASE WHEN range % 100000 = 11 THEN 'euro' ELSE 'EUR' END AS currency,
                         ['open', 'paid', 'shipped', 'cancelled'][1 + range % 4] AS status,
                         DATE '2024-01-01' + CAST(range % 700 AS INTEGER) AS ordered_on
                  FROM range({rows})) TO '{csv}' (HEADER, DELIMITER ',')
            """;
        Run(async engine => await (await engine.ReadAsync(sql)).DisposeAsync());
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>The same file into the same engine, types guessed by the reader, no rule checked.</summary>
    [Benchmark(Baseline = true)]
    public long PlainLoad() => Run(async engine =>
    {
        await using var reader = await engine.ReadAsync($"CREATE TABLE plain AS SELECT * FROM read_csv('{_csv}', header = true)");
        await using var count = await engine.ReadAsync("SELECT count(*) FROM plain");
        await count.ReadAsync();
        return Convert.ToInt64(count.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>Read as text, cast to the contract's types, every rule checked, split into valid and quarantine.</summary>
    [Benchmark]
    public long ValidateWithQuarantine() => Run(async engine =>
    {
        await engine.LoadAsync(new SourceFile(_csv, SourceFormat.Csv), "orders");
        var outcome = await engine.ValidateAsync(_spec, "orders", "bench");
        if (outcome.Quarantined != 2L * Rows / 100_000)
        {
            throw new InvalidOperationException($"Expected {2L * Rows / 100_000} quarantined rows, got {outcome.Quarantined}.");
        }

        return outcome.Valid;
    });

    private static T Run<T>(Func<IEngine, Task<T>> action) => RunAsync(action).GetAwaiter().GetResult();

    private static void Run(Func<IEngine, Task> action) => RunAsync<bool>(async e =>
    {
        await action(e);
        return true;
    }).GetAwaiter().GetResult();

    private static async Task<T> RunAsync<T>(Func<IEngine, Task<T>> action)
    {
        await using var engine = await DuckDbEngine.OpenAsync();
        return await action(engine);
    }

    public sealed class Jobs : ManualConfig
    {
        public Jobs() => AddJob(Job.Default.WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
    }
}
