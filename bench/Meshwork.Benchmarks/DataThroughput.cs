using System.Diagnostics;
using System.Globalization;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>data-throughput</c>: the <see cref="DataApiBenchmarks"/> methods, interleaved. Each round runs every method
/// once, in an order rotated from round to round, so every method sees the same load from whatever else runs on
/// the machine; ratios are taken within a round and their median reported. BenchmarkDotNet runs one method after
/// the other, minutes apart, which on a shared 2-core machine compares different loads.
/// </summary>
public static class DataThroughput
{
    private static readonly (string Name, Func<DataApiBenchmarks, Task<long>> Run)[] Methods =
    [
        (nameof(DataApiBenchmarks.DirectArrow), b => b.DirectArrow()),
        (nameof(DataApiBenchmarks.DirectArrowStreaming), b => b.DirectArrowStreaming()),
        (nameof(DataApiBenchmarks.DirectGovernedSql), b => b.DirectGovernedSql()),
        (nameof(DataApiBenchmarks.HttpArrow), b => b.HttpArrow()),
        (nameof(DataApiBenchmarks.HttpParquet), b => b.HttpParquet()),
        (nameof(DataApiBenchmarks.HttpCsv), b => b.HttpCsv()),
        (nameof(DataApiBenchmarks.HttpNdjson), b => b.HttpNdjson()),
    ];

    public static async Task<int> RunAsync(int rows, int rounds)
    {
        var bench = new DataApiBenchmarks { Rows = rows };
        bench.Setup();
        try
        {
            // One warm-up round (JIT, page cache, connection), not counted.
            foreach (var (_, run) in Methods)
            {
                await run(bench).ConfigureAwait(false);
            }

            var seconds = Methods.ToDictionary(m => m.Name, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < Methods.Length; k++)
                {
                    var (name, run) = Methods[(k + round) % Methods.Length];
                    var clock = Stopwatch.StartNew();
                    await run(bench).ConfigureAwait(false);
                    seconds[name].Add(clock.Elapsed.TotalSeconds);
                }

                Console.WriteLine($"round {round + 1}/{rounds}: " + string.Join(", ", Methods.Select(m =>
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
        var direct = seconds[nameof(DataApiBenchmarks.DirectArrow)];
        var streaming = seconds[nameof(DataApiBenchmarks.DirectArrowStreaming)];
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows, {rounds} interleaved rounds after 1 warm-up round."));
        Console.WriteLine();
        Console.WriteLine("| Method | Median | Min … max | Rows/s (median) | Throughput vs DirectArrow | Throughput vs DirectArrowStreaming |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, times) in seconds)
        {
            // Throughput ratio = direct time / this time, per round, then the median over rounds.
            var vsDirect = Median(times.Select((t, i) => direct[i] / t));
            var vsStreaming = Median(times.Select((t, i) => streaming[i] / t));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(times):0.00} s | {times.Min():0.00} … {times.Max():0.00} s | {rows / Median(times) / 1e6:0.00} M | {vsDirect:0.00}× | {vsStreaming:0.00}× |"));
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
