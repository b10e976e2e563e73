using System.Diagnostics;
using System.Globalization;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>data-throughput</c>: the <see cref="DataApiBenchmarks"/> methods, interleaved. Each round runs every method
/// once, in an order rotated from round to round, so every method sees the same load from whatever else runs on
/// the machine; ratios are taken within a round and their median reported. BenchmarkDotNet runs one method after
/// the other, minutes apart, which on a shared 2-core machine compares different loads. <c>port-throughput</c>
/// runs the same way over fewer methods: the reads over the PostgreSQL wire protocol and Arrow Flight ports beside
/// the Arrow reads they are compared with, and diagnostics that split their time (encoding in process; Npgsql
/// without its getters; Flight's encoding in process, and Flight without the client's sums).
/// </summary>
public static class DataThroughput
{
    private static readonly (string Name, Func<DataApiBenchmarks, Task<long>> Run)[] DataMethods =
    [
        (nameof(DataApiBenchmarks.DirectArrow), b => b.DirectArrow()),
        (nameof(DataApiBenchmarks.DirectArrowStreaming), b => b.DirectArrowStreaming()),
        (nameof(DataApiBenchmarks.DirectGovernedSql), b => b.DirectGovernedSql()),
        (nameof(DataApiBenchmarks.HttpArrow), b => b.HttpArrow()),
        (nameof(DataApiBenchmarks.HttpParquet), b => b.HttpParquet()),
        (nameof(DataApiBenchmarks.HttpCsv), b => b.HttpCsv()),
        (nameof(DataApiBenchmarks.HttpNdjson), b => b.HttpNdjson()),
        (nameof(DataApiBenchmarks.PgWireBinary), b => b.PgWireBinary()),
        (nameof(DataApiBenchmarks.FlightArrow), b => b.FlightArrow()),
    ];

    private static readonly (string Name, Func<DataApiBenchmarks, Task<long>> Run)[] PortMethods =
    [
        (nameof(DataApiBenchmarks.DirectArrowStreaming), b => b.DirectArrowStreaming()),
        (nameof(DataApiBenchmarks.PgRowsEncode), b => b.PgRowsEncode()),
        (nameof(DataApiBenchmarks.HttpArrow), b => b.HttpArrow()),
        (nameof(DataApiBenchmarks.PgWireBinary), b => b.PgWireBinary()),
        (nameof(DataApiBenchmarks.PgWireRowsOnly), b => b.PgWireRowsOnly()),
        (nameof(DataApiBenchmarks.FlightEncode), b => b.FlightEncode()),
        (nameof(DataApiBenchmarks.FlightArrow), b => b.FlightArrow()),
        (nameof(DataApiBenchmarks.FlightRowsOnly), b => b.FlightRowsOnly()),
    ];

    /// <summary><c>data-throughput</c>: every data API method and the reads over the PostgreSQL and Flight ports.</summary>
    public static Task<int> RunAsync(int rows, int rounds) => RunAsync(rows, rounds, DataMethods);

    /// <summary><c>port-throughput</c>: the PostgreSQL and Flight reads, their splits, and the Arrow reads they are compared with.</summary>
    public static Task<int> RunPortsAsync(int rows, int rounds) => RunAsync(rows, rounds, PortMethods);

    private static async Task<int> RunAsync(int rows, int rounds, (string Name, Func<DataApiBenchmarks, Task<long>> Run)[] methods)
    {
        var bench = new DataApiBenchmarks { Rows = rows };
        bench.Setup();
        try
        {
            // One warm-up round (JIT, page cache, connection), not counted.
            foreach (var (_, run) in methods)
            {
                await run(bench).ConfigureAwait(false);
            }

            var seconds = methods.ToDictionary(m => m.Name, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < methods.Length; k++)
                {
                    var (name, run) = methods[(k + round) % methods.Length];
                    var clock = Stopwatch.StartNew();
                    await run(bench).ConfigureAwait(false);
                    seconds[name].Add(clock.Elapsed.TotalSeconds);
                }

                Console.WriteLine($"round {round + 1}/{rounds}: " + string.Join(", ", methods.Select(m =>
                    string.Create(CultureInfo.InvariantCulture, $"{m.Name} {seconds[m.Name][round]:0.00} s"))));
            }

            Report(rows, rounds, seconds);
            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static void Report(int rows, int rounds, Dictionary<string, List<double>> seconds)
    {
        // Throughput ratio = the baseline's time / this time, per round, then the median over rounds.
        var baselines = new[] { nameof(DataApiBenchmarks.DirectArrow), nameof(DataApiBenchmarks.DirectArrowStreaming) }.Where(seconds.ContainsKey).ToList();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows, {rounds} interleaved rounds after 1 warm-up round."));
        Console.WriteLine();
        Console.WriteLine("| Method | Median | Min … max | Rows/s (median) |" + string.Concat(baselines.Select(b => $" Throughput vs {b} |")));
        Console.WriteLine("|---|---:|---:|---:|" + string.Concat(baselines.Select(_ => "---:|")));
        foreach (var (name, times) in seconds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(times):0.00} s | {times.Min():0.00} … {times.Max():0.00} s | {rows / Median(times) / 1e6:0.00} M |")
                + string.Concat(baselines.Select(b => string.Create(CultureInfo.InvariantCulture, $" {Median(times.Select((t, i) => seconds[b][i] / t)):0.00}× |"))));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
