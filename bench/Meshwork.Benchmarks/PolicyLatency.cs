using System.Diagnostics;
using System.Globalization;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>policy-latency</c>: per-call latency percentiles (p50, p99) of what <see cref="PolicyBenchmarks"/> measures
/// as means: each call timed on its own with <see cref="Stopwatch.GetTimestamp"/>, after a warm-up.
/// </summary>
public static class PolicyLatency
{
    public static int Run(int calls, int warmup, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var benchmarks = new PolicyBenchmarks();
        benchmarks.Setup();
        try
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"policy-latency: {calls:N0} calls each after {warmup:N0} warm-up calls; {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}, .NET {Environment.Version}"));
            Measure("AccessPlan (mallory: permit policy, 11 masked columns, row filter)", () => benchmarks.AccessPlan(), calls, warmup, output);
            Measure("AccessPlan (olivia: owning team, 1 masked column)", () => benchmarks.AccessPlanOwningTeam(), calls, warmup, output);
            Measure("SingleDecision (IPolicyEvaluator, prepared input)", () => benchmarks.SingleDecision(), calls, warmup, output);
            Measure("SingleDecisionInputPerCall", () => benchmarks.SingleDecisionInputPerCall(), calls, warmup, output);
            Measure("RawCelDelegate (Cel package, same expression)", () => benchmarks.RawCelDelegate(), calls, warmup, output);
            Measure("RawCelIndexSyntax (Cel package, principal['team'] ...)", () => benchmarks.RawCelIndexSyntax(), calls, warmup, output);
            Measure("RowFilterCompile (per plan with a row filter)", () => benchmarks.RowFilterCompile(), calls, warmup, output);
            return 0;
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static void Measure(string name, Func<object?> call, int calls, int warmup, TextWriter output)
    {
        for (var i = 0; i < warmup; i++)
        {
            GC.KeepAlive(call());
        }

        var ticks = new long[calls];
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var total = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = call();
            ticks[i] = Stopwatch.GetTimestamp() - start;
            GC.KeepAlive(result);
        }

        total.Stop();
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / calls;
        Array.Sort(ticks);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: p50 {Micro(Percentile(ticks, 50)):0.00} µs, p95 {Micro(Percentile(ticks, 95)):0.00} µs, p99 {Micro(Percentile(ticks, 99)):0.00} µs, " +
            $"p99.9 {Micro(Percentile(ticks, 99.9)):0.00} µs, max {Micro(ticks[^1]):0.0} µs, mean {total.Elapsed.TotalMicroseconds / calls:0.00} µs, " +
            $"{bytes:N0} B/call, GC gen0 {GC.CollectionCount(0) - gen0}, gen2 {GC.CollectionCount(2) - gen2}"));
    }

    // Nearest rank: the smallest sample with at least percent% of the samples at or below it.
    private static long Percentile(long[] sorted, double percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length), 1, sorted.Length) - 1];

    private static double Micro(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
