using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Meshwork.Testing;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>cluster-failover</c> (issue 15): a Meshwork cluster as a deployment runs it, three <c>mesh serve --cluster</c>
/// processes on one throwaway PostgreSQL store (<see cref="MeshCluster"/>), as <c>ClusterProcessTests</c> sets it up.
/// <list type="number">
/// <item>Failover: <c>customers.profiles</c> of examples/retail is scheduled every 5 s and its source grows every second,
/// so every scheduled run publishes and is recorded. N times, the node that ran its last run is killed (SIGKILL); timed
/// from the kill: the next successful run on a survivor, and the first successful governed read on a survivor (reads
/// sent one after another, 50 ms apart, round-robin). The node is then started again under its name and rejoins.</item>
/// <item>Schedule drift: a generated mesh of N source-aligned products, every one scheduled every 5 s, every source growing every
/// second; over a window, how late each scheduled run starts after the cron occurrence it belongs to, how the product
/// grains are spread over the nodes, and whether two runs of one product ever overlapped.</item>
/// </list>
/// </summary>
public static partial class ClusterFailover
{
    private const string FailoverProduct = "customers.profiles";
    private const string Read = "/api/v1/datasets/customers.profiles.profiles_v1/data?format=ndjson&limit=3";
    private const string EveryFiveSeconds = "*/5 * * * * *";
    private const int NodeCount = 3;

    private static readonly TimeSpan Occurrence = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan FailoverWithin = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ReadEvery = TimeSpan.FromMilliseconds(50);
    // The scheduler wakes every scheduled grain at start; the first runs settle before the window.
    private static readonly TimeSpan DriftWarmUp = TimeSpan.FromSeconds(20);
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(int kills, int products, int seconds)
    {
        using var cancel = new CancellationTokenSource();
        // Ctrl+C and SIGTERM unwind through the disposals below, so no node or PostgreSQL outlives the benchmark.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var scratch = Path.Combine(Path.GetTempPath(), "meshwork-bench-cluster-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.WriteLine(string.Create(Inv,
                $"cluster-failover: {NodeCount} nodes (mesh serve --cluster), PostgreSQL store; {kills} kills; {products} products every 5 s for {seconds} s; " +
                $"{Environment.ProcessorCount} cores, .NET {Environment.Version}"));
            // One server, a database per part; the nodes' connections are pooled, as a deployment's are
            // (ThrowawayPostgres' unpooled connections suit in-process benchmark invocations, not servers).
            await using var postgres = await PostgresServer.StartAsync(cancel.Token).ConfigureAwait(false);
            var failover = await FailoverAsync(postgres, Path.Combine(scratch, "failover"), kills, cancel.Token).ConfigureAwait(false);
            var drift = await DriftAsync(postgres, Path.Combine(scratch, "drift"), products, seconds, cancel.Token).ConfigureAwait(false);
            Report(failover, drift, kills, products, seconds);
            return failover.Kills.Any(k => k.Run is null) || failover.Overlaps.Count > 0 || drift.Overlaps.Count > 0 ? 1 : 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("cluster-failover: stopped; the nodes and PostgreSQL are stopped.");
            return 130;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static async Task<FailoverResult> FailoverAsync(PostgresServer postgres, string root, int kills, CancellationToken cancel)
    {
        var loadBefore = LoadAverage();
        Progress($"Part 1, failover: load average {loadBefore}");
        await using var bench = new ClusterBench(root, Pooled(await postgres.CreateDatabaseAsync("cluster_failover", cancel).ConfigureAwait(false)));
        PolicyMesh.Copy(Path.Combine(PolicyMesh.RepositoryRoot(), "examples", "retail"), bench.Repository);
        ExampleMesh.Schedule(bench.Repository, "domains/customers/profiles", EveryFiveSeconds);
        await bench.ApplyAsync(cancel).ConfigureAwait(false);
        await bench.StartAsync(cancel).ConfigureAwait(false);
        // Every scheduled run then has new rows to publish, so each is recorded in the run ledger.
        bench.StartWriting(i => ExampleMesh.AppendCustomerAsync(bench.Repository, 70_000 + i));

        var results = new List<KillResult>();
        var since = DateTimeOffset.UtcNow;
        for (var k = 1; k <= kills; k++)
        {
            // The node that ran the product's last run (of this cluster generation) is the one to lose.
            var last = await bench.WaitForRunAsync(FailoverProduct, since, notOn: null, earliest: false, FailoverWithin, cancel).ConfigureAwait(false)
                ?? throw new TimeoutException($"no run of {FailoverProduct} succeeded within {FailoverWithin.TotalSeconds:0} s after {since:O}.\n{bench.Logs()}");
            var victim = bench.Cluster[last.Node];
            var survivors = bench.Cluster.Alive.Where(n => n != victim).ToList();
            await using var reader = new Reader(bench, survivors);
            // A crash comes at any point of the schedule's cycle: kill k comes at phase (k - ½) / N of the 5 s between two
            // occurrences, so some kills may land while the victim runs the product (a survivor then takes over its run
            // lease), most while it is idle. At least half a second from now, so reads are going before the kill.
            var phase = Occurrence * ((k - 0.5) / kills);
            var now = DateTimeOffset.UtcNow.AddMilliseconds(500);
            var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % Occurrence.Ticks), TimeSpan.Zero) + phase;
            await Task.Delay(at < now ? at + Occurrence - DateTimeOffset.UtcNow : at - DateTimeOffset.UtcNow, cancel).ConfigureAwait(false);

            var killedAt = DateTimeOffset.UtcNow;
            var killed = Stopwatch.GetTimestamp();
            await victim.KillAsync().ConfigureAwait(false);
            var next = await bench.WaitForRunAsync(FailoverProduct, killedAt, notOn: victim.Name, earliest: true, FailoverWithin, cancel).ConfigureAwait(false);
            // Reads go on until one sent after the kill succeeded (or long enough to say none did).
            var deadline = Stopwatch.StartNew();
            while (!reader.Done.Any(r => r.Ok && r.Sent >= killed) && deadline.Elapsed < FailoverWithin)
            {
                await Task.Delay(100, cancel).ConfigureAwait(false);
            }

            var reads = await reader.StopAsync().ConfigureAwait(false);
            var after = reads.Where(r => r.Sent >= killed).ToList();
            var firstRead = after.Where(r => r.Ok).OrderBy(r => r.Completed).Select(r => (TimeSpan?)Stopwatch.GetElapsedTime(killed, r.Completed)).FirstOrDefault();
            if (next is null)
            {
                Console.Error.WriteLine($"kill {k}: no run of {FailoverProduct} on a survivor within {FailoverWithin.TotalSeconds:0} s.\n{bench.Logs()}");
            }

            // Whether the victim was running the product when it died: a run of it that started before the kill and had not
            // finished by then (a survivor's sweep ends it as failed).
            var cut = (await bench.RunsAsync(FailoverProduct, 20, cancel).ConfigureAwait(false))
                .Any(r => r.Node == victim.Name && r.Started <= killedAt && (r.Finished is null || r.Finished > killedAt));

            var rejoin = Stopwatch.StartNew();
            await bench.Cluster.StartNodeAsync(victim.Name, StartWithin, cancel).ConfigureAwait(false);
            await bench.WaitForClusterAsync(NodeCount, cancel).ConfigureAwait(false);
            var result = new KillResult(k, victim.Name, killedAt - OccurrenceOf(killedAt), cut, next,
                next is null ? null : CountOccurrences(killedAt, OccurrenceOf(next.Started)),
                next is null ? null : next.Started - killedAt, next?.Finished - killedAt, firstRead,
                after.Count, [.. after.Where(r => !r.Ok).Select(r => r.Failure)], rejoin.Elapsed);
            results.Add(result);
            Progress(result.ToString());
            since = DateTimeOffset.UtcNow;
        }

        var runs = await bench.RunsAsync(FailoverProduct, 1000, cancel).ConfigureAwait(false);
        var loadAfter = LoadAverage();
        Progress($"Part 1 done: load average {loadAfter}");
        return new FailoverResult(results, runs.Count, Overlaps(FailoverProduct, runs), Failures(runs), bench.LogSummary(), loadBefore, loadAfter);
    }

    private static async Task<DriftResult> DriftAsync(PostgresServer postgres, string root, int products, int seconds, CancellationToken cancel)
    {
        var loadBefore = LoadAverage();
        Progress($"Part 2, schedule drift: load average {loadBefore}");
        await using var bench = new ClusterBench(root, Pooled(await postgres.CreateDatabaseAsync("cluster_drift", cancel).ConfigureAwait(false)));
        // Without lineage: the run ledger does not say what triggered a run, and with upstreams a product also runs when
        // one publishes (and cross-domain inputs would need access agreements); source-aligned, every run is the schedule's.
        MeshGenerator.Write(bench.Repository, products, EveryFiveSeconds, lineage: false);
        var (exitCode, output, error) = await MeshProcess.RunAsync(bench.Environment, cancel, "lint", bench.Repository, "--strict").ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"mesh lint --strict of the generated mesh: exit {exitCode}: {error}{output}");
        }

        await bench.ApplyAsync(cancel).ConfigureAwait(false);
        await bench.StartAsync(cancel).ConfigureAwait(false);
        // Every product's source grows every second (unique ids: the contracts require them), so every scheduled
        // run has new rows to publish and is recorded.
        var csvs = Enumerable.Range(0, products)
            .Select(i => Path.Combine(bench.Repository, "domains", MeshGenerator.Domain(i), MeshGenerator.Name(i), "data", MeshGenerator.Name(i) + ".csv"))
            .ToList();
        bench.StartWriting(async i =>
        {
            foreach (var csv in csvs)
            {
                await File.AppendAllTextAsync(csv, string.Create(Inv, $"{1000 + i},c{1000 + i},u{1000 + i}@example.com,1.00,EUR,open\n"), CancellationToken.None).ConfigureAwait(false);
            }
        });
        await bench.WaitForClusterAsync(NodeCount, cancel).ConfigureAwait(false);
        await Task.Delay(DriftWarmUp, cancel).ConfigureAwait(false);

        var spreadBefore = await bench.SpreadAsync(cancel).ConfigureAwait(false);
        var from = DateTimeOffset.UtcNow;
        Progress($"Observing {products} products for {seconds} s from {from:HH:mm:ss}");
        await Task.Delay(TimeSpan.FromSeconds(seconds), cancel).ConfigureAwait(false);
        var to = DateTimeOffset.UtcNow;
        var spreadAfter = await bench.SpreadAsync(cancel).ConfigureAwait(false);
        // The runs started in the window end before the ledger is read (their finish is what overlaps are judged on).
        await Task.Delay(TimeSpan.FromSeconds(10), cancel).ConfigureAwait(false);

        var byProduct = new Dictionary<int, List<Run>>();
        for (var i = 0; i < products; i++)
        {
            byProduct[i] = await bench.RunsAsync($"{MeshGenerator.Domain(i)}.{MeshGenerator.Name(i)}", 1000, cancel).ConfigureAwait(false);
        }

        var loadAfter = LoadAverage();
        Progress($"Part 2 done: load average {loadAfter}");
        // A run belongs to the occurrence its start floors to; the window holds the runs of the occurrences in it.
        var inWindow = byProduct.Values.SelectMany(runs => runs).Where(r => OccurrenceOf(r) >= from && OccurrenceOf(r) < to).ToList();
        var drift = new Latencies();
        foreach (var run in inWindow)
        {
            drift.Add(run.Started - OccurrenceOf(run));
        }

        // The floor cannot tell a run late by more than 5 s (occurrences missed while a grain was busy collapse into its next
        // run): the time from one run's start to the next run's of the same product (the cron's interval is 5 s) can.
        var gaps = new Latencies();
        foreach (var runs in byProduct.Values)
        {
            var ordered = runs.OrderBy(r => r.Started).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                if (OccurrenceOf(ordered[i]) >= from && OccurrenceOf(ordered[i]) < to)
                {
                    gaps.Add(ordered[i].Started - ordered[i - 1].Started);
                }
            }
        }

        return new DriftResult(
            drift, gaps, products * CountOccurrences(from, to),
            inWindow.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count()), Failures(inWindow),
            inWindow.GroupBy(r => r.Node).ToDictionary(g => g.Key, g => g.Count()),
            spreadBefore, spreadAfter,
            [.. byProduct.SelectMany(p => Overlaps($"{MeshGenerator.Domain(p.Key)}.{MeshGenerator.Name(p.Key)}", p.Value))],
            bench.LogSummary(), from, to, loadBefore, loadAfter);
    }

    /// <summary>The cron occurrence a run belongs to: its start floored to a multiple of 5 s (UTC; the epoch is one).</summary>
    private static DateTimeOffset OccurrenceOf(Run run) => OccurrenceOf(run.Started);

    private static DateTimeOffset OccurrenceOf(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % Occurrence.Ticks), TimeSpan.Zero);

    /// <summary>The cron occurrences (multiples of 5 s) in [from, to).</summary>
    private static int CountOccurrences(DateTimeOffset from, DateTimeOffset to)
    {
        var first = (from.UtcTicks + Occurrence.Ticks - 1) / Occurrence.Ticks;
        var last = (to.UtcTicks - 1) / Occurrence.Ticks;
        return (int)Math.Max(0, last - first + 1);
    }

    /// <summary>The runs that did not succeed, counted by status and failure.</summary>
    private static Dictionary<string, int> Failures(IEnumerable<Run> runs) =>
        runs.Where(r => r.Status != "succeeded").GroupBy(r => $"{r.Status}: {r.Failure ?? "(no failure recorded)"}").ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Every pair of consecutive finished runs of one product where the later started before the earlier finished.</summary>
    private static List<string> Overlaps(string product, List<Run> runs)
    {
        var ordered = runs.Where(r => r.Finished is not null).OrderBy(r => r.Started).ToList();
        var overlaps = new List<string>();
        for (var i = 1; i < ordered.Count; i++)
        {
            var (earlier, later) = (ordered[i - 1], ordered[i]);
            if (earlier.Finished > later.Started)
            {
                overlaps.Add($"{product}: run {earlier.Id[..8]} ({earlier.Status} on {earlier.Node}, {earlier.Started:HH:mm:ss.fff}–{earlier.Finished:HH:mm:ss.fff}" +
                    $"{(earlier.Failure is null ? "" : $", \"{earlier.Failure}\"")}) overlaps run {later.Id[..8]} ({later.Status} on {later.Node}, from {later.Started:HH:mm:ss.fff})");
            }
        }

        return overlaps;
    }

    private static void Report(FailoverResult failover, DriftResult drift, int kills, int products, int seconds)
    {
        Console.WriteLine();
        Console.WriteLine($"### Failover: {kills} kills (SIGKILL) of the node that ran {FailoverProduct}'s last run (scheduled every 5 s)");
        Console.WriteLine();
        Console.WriteLine($"Load average: {failover.LoadBefore} at start, {failover.LoadAfter} at end.");
        Console.WriteLine();
        Console.WriteLine("| Kill | Killed | At (s into the 5 s cycle) | Its run cut | Next run on | Occurrences skipped | Kill → run started | Kill → run finished | Kill → first good read | Reads after kill (failed) | Restart → 3 active |");
        Console.WriteLine("|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var k in failover.Kills)
        {
            Console.WriteLine(string.Create(Inv,
                $"| {k.Kill} | {k.Victim} | {k.Phase.TotalSeconds:0.00} | {(k.Cut ? "yes" : "no")} | {k.Run?.Node ?? "none"} | {k.Skipped?.ToString(Inv) ?? "–"} | " +
                $"{Seconds(k.ToStarted)} | {Seconds(k.ToFinished)} | {Seconds(k.ToRead)} | {k.Reads} ({k.Failures.Count}) | {k.Rejoin.TotalSeconds:0.0} s |"));
        }

        Console.WriteLine();
        Console.WriteLine("| From the kill to … | n | min | median | p90 | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Summary("the next successful run on a survivor started", failover.Kills.Select(k => k.ToStarted));
        Summary("… and finished (published)", failover.Kills.Select(k => k.ToFinished));
        Summary("the first successful read on a survivor", failover.Kills.Select(k => k.ToRead));
        Summary("(restart of the killed node → 3 active nodes)", failover.Kills.Select(k => (TimeSpan?)k.Rejoin));
        Console.WriteLine();
        var failed = failover.Kills.SelectMany(k => k.Failures).ToList();
        Console.WriteLine($"Reads on survivors after a kill: {failover.Kills.Sum(k => k.Reads)}, failed: {failed.Count}" +
            (failed.Count > 0 ? $" (first: {string.Join("; ", failed.Distinct().Take(3))})" : "") + ".");
        Console.WriteLine($"Runs of {FailoverProduct} in the ledger: {failover.Runs}; not succeeded: {Counts(failover.Failures, "none")}.");
        PrintOverlaps(failover.Overlaps);
        PrintLogs(failover.Logs);

        Console.WriteLine();
        Console.WriteLine(string.Create(Inv, $"### Schedule drift: {products} products every 5 s on {NodeCount} nodes, {seconds} s observed ({drift.From:HH:mm:ss}–{drift.To:HH:mm:ss} UTC)"));
        Console.WriteLine();
        Console.WriteLine($"Load average: {drift.LoadBefore} at start, {drift.LoadAfter} at end.");
        Console.WriteLine();
        Console.WriteLine("| Runs of the window's occurrences | Runs | Occurrences | min | median | p90 | p99 | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        Percentiles("drift: start − its occurrence (start floored to 5 s)", drift.Drift, drift.Occurrences);
        Percentiles("start − the product's previous run's start (cron: 5 s)", drift.Gaps, drift.Occurrences);
        Console.WriteLine();
        Console.WriteLine($"Runs by status: {Counts(drift.RunsByStatus, "none")}; by node: {Counts(drift.RunsByNode, "none")}.");
        if (drift.Failures.Count > 0)
        {
            Console.WriteLine("Not succeeded: " + string.Join("; ", drift.Failures.OrderByDescending(f => f.Value).Select(f => $"{f.Value} × {f.Key}")) + ".");
        }

        Console.WriteLine();
        Console.WriteLine("| Node | Product grains at start of window | at end |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var node in drift.SpreadBefore.Keys.Union(drift.SpreadAfter.Keys).Order(StringComparer.Ordinal))
        {
            Console.WriteLine($"| {node} | {drift.SpreadBefore.GetValueOrDefault(node)} | {drift.SpreadAfter.GetValueOrDefault(node)} |");
        }

        Console.WriteLine();
        PrintOverlaps(drift.Overlaps);
        PrintLogs(drift.Logs);
    }

    private static void Percentiles(string what, Latencies samples, int occurrences) =>
        Console.WriteLine(samples.Count == 0
            ? $"| {what} | 0 | {occurrences} | – | – | – | – | – |"
            : string.Create(Inv,
                $"| {what} | {samples.Count} | {occurrences} | {samples.Min:0} ms | {samples.Percentile(50):0} ms | " +
                $"{samples.Percentile(90):0} ms | {samples.Percentile(99):0} ms | {samples.Max:0} ms |"));

    private static void PrintOverlaps(List<string> overlaps)
    {
        Console.WriteLine(overlaps.Count == 0 ? "Overlapping runs of one product: none." : $"Overlapping runs of one product: {overlaps.Count}; the first 5:");
        foreach (var overlap in overlaps.Take(5))
        {
            Console.WriteLine("  " + overlap);
        }
    }

    private static void PrintLogs(List<string> logs)
    {
        Console.WriteLine(logs.Count == 0 ? "The nodes logged no warnings or errors." : "What the nodes logged as warnings and errors (count × (nodes) level category: message [exception]):");
        foreach (var line in logs)
        {
            Console.WriteLine("  " + line);
        }
    }

    private static void Summary(string what, IEnumerable<TimeSpan?> values)
    {
        var samples = new Latencies();
        var missing = 0;
        foreach (var value in values)
        {
            if (value is { } v)
            {
                samples.Add(v);
            }
            else
            {
                missing++;
            }
        }

        var n = missing > 0 ? $"{samples.Count} (+{missing} never)" : samples.Count.ToString(Inv);
        Console.WriteLine(samples.Count == 0
            ? $"| {what} | {n} | – | – | – | – |"
            : string.Create(Inv, $"| {what} | {n} | {samples.Min / 1000:0.00} s | {samples.Percentile(50) / 1000:0.00} s | {samples.Percentile(90) / 1000:0.00} s | {samples.Max / 1000:0.00} s |"));
    }

    private static string Counts(Dictionary<string, int> counts, string none) =>
        counts.Count == 0 ? none : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    private static string Seconds(TimeSpan? value) => value is { } v ? string.Create(Inv, $"{v.TotalSeconds:0.00} s") : "–";

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Progress(string line) => Console.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss}] {line}");

    /// <summary>One run of the ledger (<c>GET /api/v1/products/{key}/runs</c>).</summary>
    private sealed record Run(string Id, string Status, string Node, DateTimeOffset Started, DateTimeOffset? Finished, string? Failure);

    /// <summary>One governed read: where it went, when it was sent and answered (<see cref="Stopwatch"/> timestamps), and how.</summary>
    private sealed record ReadResult(string Node, long Sent, long Completed, bool Ok, string Failure);

    /// <summary>
    /// One kill: the victim, how far into the cron's 5 s cycle it died, whether it was running the product then, the next
    /// successful run on a survivor and how many cron occurrences after the kill passed without one, and the timings.
    /// </summary>
    private sealed record KillResult(int Kill, string Victim, TimeSpan Phase, bool Cut, Run? Run, int? Skipped, TimeSpan? ToStarted, TimeSpan? ToFinished,
        TimeSpan? ToRead, int Reads, IReadOnlyList<string> Failures, TimeSpan Rejoin)
    {
        public override string ToString() =>
            $"kill {Kill}: {Victim} killed {Phase.TotalSeconds:0.00} s into the cycle{(Cut ? ", during its run" : "")}; next run on {Run?.Node ?? "none"} " +
            $"({Skipped} occurrences skipped) started after {Seconds(ToStarted)}, finished after {Seconds(ToFinished)}; " +
            $"first good read after {Seconds(ToRead)}; {Failures.Count} of {Reads} reads failed; 3 active again {Rejoin.TotalSeconds:0.0} s after the restart" +
            (Failures.Count > 0 ? "\n  failed reads: " + string.Join("\n  ", Failures.Distinct().Take(3)) : string.Empty);
    }

    private sealed record FailoverResult(List<KillResult> Kills, int Runs, List<string> Overlaps, Dictionary<string, int> Failures, List<string> Logs, string LoadBefore, string LoadAfter);

    private sealed record DriftResult(Latencies Drift, Latencies Gaps, int Occurrences, Dictionary<string, int> RunsByStatus, Dictionary<string, int> Failures,
        Dictionary<string, int> RunsByNode, Dictionary<string, int> SpreadBefore, Dictionary<string, int> SpreadAfter, List<string> Overlaps, List<string> Logs,
        DateTimeOffset From, DateTimeOffset To, string LoadBefore, string LoadAfter);

    /// <summary>
    /// Governed reads sent to the nodes in turn, one at a time with <see cref="ReadEvery"/> between them, until
    /// <see cref="StopAsync"/>. One at a time: the server limits concurrent reads per caller (4), and reads overlapping
    /// on a loaded machine would be refused for that (429), not for the failover.
    /// </summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ReadResult> _done = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Reader(ClusterBench bench, IReadOnlyList<MeshNode> nodes) => _loop = LoopAsync(bench, nodes);

        /// <summary>The reads answered (or failed) so far.</summary>
        public IEnumerable<ReadResult> Done => _done;

        /// <summary>Stops sending, waits for the read in flight, and returns every read.</summary>
        public async Task<List<ReadResult>> StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            return [.. _done];
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task LoopAsync(ClusterBench bench, IReadOnlyList<MeshNode> nodes)
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                _done.Enqueue(await ReadAsync(bench, nodes[i % nodes.Count]).ConfigureAwait(false));
                try
                {
                    await Task.Delay(ReadEvery, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private static async Task<ReadResult> ReadAsync(ClusterBench bench, MeshNode node)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await bench.GetAsync(node, Read, CancellationToken.None).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
                return response.IsSuccessStatusCode && body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3
                    ? new ReadResult(node.Name, sent, Stopwatch.GetTimestamp(), true, string.Empty)
                    : new ReadResult(node.Name, sent, Stopwatch.GetTimestamp(), false, $"{node.Name}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return new ReadResult(node.Name, sent, Stopwatch.GetTimestamp(), false, $"{node.Name}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// One cluster on its own database: the repository and data folder under <c>root</c>, the keys every process is given
    /// (as environment variables), an admin token, the nodes, and a writer growing sources; all stopped and deleted on dispose.
    /// </summary>
    /// <summary>
    /// The store as each node gets it: at most 30 pooled connections, so that three nodes (and the CLI) stay within
    /// PostgreSQL's default max_connections of 100 (docs/cluster.md#limits); Npgsql's own default is 100 per node.
    /// </summary>
    private static string Pooled(string store) => store + ";Maximum Pool Size=30";

    private sealed partial class ClusterBench(string root, string store) : IAsyncDisposable
    {
        private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

        private readonly CancellationTokenSource _stopWriting = new();
        private MeshCluster? _cluster;
        private Task? _writer;
        private string _admin = string.Empty;

        public Dictionary<string, string?> Environment { get; } = new()
        {
            ["MESHWORK_TOKEN_SIGNING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["MESHWORK_MASK_HASH_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["MESHWORK_AUDIT_CHAIN_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["MESHWORK_STORE"] = null,
            ["MESHWORK_SECRETS"] = null,
        };

        public string Repository => Path.Combine(root, "repository");

        private string Data => Path.Combine(root, "data");

        public MeshCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

        /// <summary><c>mesh apply</c> of the repository to the store, and an admin token.</summary>
        public async Task ApplyAsync(CancellationToken cancel)
        {
            var clock = Stopwatch.StartNew();
            var (exitCode, output, error) = await MeshProcess.RunAsync(Environment, cancel, "apply", Repository, "--data", Data, "--store", store, "--yes").ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"mesh apply: exit {exitCode}: {error}{output}");
            }

            (exitCode, output, error) = await MeshProcess.RunAsync(Environment, cancel, "token", "admin", "--data", Data, "--store", store).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"mesh token: exit {exitCode}: {error}");
            }

            _admin = output.TrimEnd().Split('\n')[^1];
            Progress(string.Create(Inv, $"Applied in {clock.Elapsed.TotalSeconds:0.0} s"));
        }

        public async Task StartAsync(CancellationToken cancel)
        {
            var clock = Stopwatch.StartNew();
            _cluster = new MeshCluster(store, Data, Environment);
            await _cluster.StartAsync(NodeCount, StartWithin, cancel).ConfigureAwait(false);
            Progress(string.Create(Inv, $"{NodeCount} nodes answer /healthz after {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", _cluster.Alive)}"));
        }

        /// <summary>Calls <paramref name="append"/> with 0, 1, 2 … every second until disposed.</summary>
        public void StartWriting(Func<int, Task> append) => _writer = WriteAsync(append, _stopWriting.Token);

        /// <summary>
        /// The earliest (or newest) successful run of <paramref name="product"/> started after <paramref name="after"/>, not on
        /// <paramref name="notOn"/>; null when none came within <paramref name="within"/>.
        /// </summary>
        public async Task<Run?> WaitForRunAsync(string product, DateTimeOffset after, string? notOn, bool earliest, TimeSpan within, CancellationToken cancel)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < within)
            {
                try
                {
                    // Newest first.
                    var runs = (await RunsAsync(product, 20, cancel).ConfigureAwait(false)).Where(r => r.Status == "succeeded" && r.Started > after && r.Node != notOn).ToList();
                    if ((earliest ? runs.LastOrDefault() : runs.FirstOrDefault()) is { } run)
                    {
                        return run;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Progress($"reading the runs of {product} failed: {e.Message}");
                }

                await Task.Delay(100, cancel).ConfigureAwait(false);
            }

            return null;
        }

        /// <summary>Waits until the cluster view shows <paramref name="active"/> active nodes.</summary>
        public async Task WaitForClusterAsync(int active, CancellationToken cancel)
        {
            var waited = Stopwatch.StartNew();
            var count = -1;
            while (waited.Elapsed < StartWithin)
            {
                var view = await ClusterViewAsync(cancel).ConfigureAwait(false);
                count = view.TryGetProperty("nodes", out var nodes) ? nodes.EnumerateArray().Count(n => n.GetProperty("status").GetString() == "active") : -1;
                if (count == active)
                {
                    return;
                }

                await Task.Delay(250, cancel).ConfigureAwait(false);
            }

            throw new TimeoutException($"the cluster has {count} active nodes, not {active}, after {StartWithin.TotalSeconds:0} s.\n{Logs()}");
        }

        /// <summary>How many product grains each active node hosts (<c>GET /api/v1/cluster</c>, <c>nodes[].products</c>).</summary>
        public async Task<Dictionary<string, int>> SpreadAsync(CancellationToken cancel) =>
            (await ClusterViewAsync(cancel).ConfigureAwait(false)).GetProperty("nodes").EnumerateArray()
                .Where(n => n.GetProperty("status").GetString() == "active")
                .ToDictionary(n => n.GetProperty("node").GetString()!, n => n.GetProperty("products").GetArrayLength());

        /// <summary>The newest <paramref name="limit"/> runs of <paramref name="product"/>, read from a live node.</summary>
        public async Task<List<Run>> RunsAsync(string product, int limit, CancellationToken cancel) =>
            [.. (await GetJsonAsync($"/api/v1/products/{product}/runs?limit={limit}", cancel).ConfigureAwait(false)).EnumerateArray().Select(r => new Run(
                r.GetProperty("runId").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("node").GetString() ?? string.Empty,
                r.GetProperty("startedAt").GetDateTimeOffset(),
                r.GetProperty("finishedAt").ValueKind == JsonValueKind.Null ? null : r.GetProperty("finishedAt").GetDateTimeOffset(),
                r.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.String ? failure.GetString() : null))];

        public async Task<HttpResponseMessage> GetAsync(MeshNode node, string path, CancellationToken cancel)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{node.Url}{path}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _admin);
            return await Http.SendAsync(request, cancel).ConfigureAwait(false);
        }

        /// <summary>
        /// The warnings and errors the nodes logged (console logger: a <c>warn: Category[id]</c> line, then the message), grouped
        /// by level, category, the message's first line and its exception's, numbers and ids blurred; the most frequent first,
        /// with the nodes that logged them.
        /// </summary>
        public List<string> LogSummary()
        {
            var entries = new List<(string Node, string Entry)>();
            foreach (var node in _cluster?.Nodes ?? [])
            {
                var lines = node.Process.Output().Split('\n');
                for (var i = 0; i + 1 < lines.Length; i++)
                {
                    if (LogHeader().Match(lines[i]) is { Success: true } header)
                    {
                        // The message, and the exception logged with it (its first line), if any.
                        var message = Cut(Blur().Replace(lines[i + 1].Trim(), "#"), 160);
                        var exception = i + 2 < lines.Length && ExceptionLine().Match(lines[i + 2]) is { Success: true } thrown
                            ? $" [{Cut(Blur().Replace(thrown.Groups[1].Value, "#"), 200)}]"
                            : string.Empty;
                        entries.Add((node.Name, $"{header.Groups[1].Value} {header.Groups[2].Value}: {message}{exception}"));
                    }
                }
            }

            return [.. entries.GroupBy(e => e.Entry).OrderByDescending(g => g.Count()).Take(8)
                .Select(g => $"{g.Count()} × ({string.Join(", ", g.Select(e => e.Node).Distinct().Order(StringComparer.Ordinal))}) {g.Key}")];
        }

        /// <summary>The last lines each node wrote, for a failure's message.</summary>
        public string Logs() => _cluster is null ? string.Empty : string.Join("\n", _cluster.Nodes.Select(n =>
            $"--- {n}{(n.Process.HasExited ? " (exited)" : "")}\n{string.Join("\n", n.Process.Output().Split('\n').TakeLast(40))}"));

        public async ValueTask DisposeAsync()
        {
            await _stopWriting.CancelAsync().ConfigureAwait(false);
            if (_writer is not null)
            {
                await _writer.ConfigureAwait(false);
            }

            if (_cluster is not null)
            {
                await _cluster.DisposeAsync().ConfigureAwait(false);
            }

            _stopWriting.Dispose();
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        private Task<JsonElement> ClusterViewAsync(CancellationToken cancel) => GetJsonAsync("/api/v1/cluster", cancel);

        /// <summary>
        /// <c>GET path</c> as JSON from a live node; on a timeout or refusal, from the next one (three tries): a node busy
        /// with runs on a loaded machine may take more than the client's 10 s to answer.
        /// </summary>
        private async Task<JsonElement> GetJsonAsync(string path, CancellationToken cancel)
        {
            for (var attempt = 0; ; attempt++)
            {
                var alive = Cluster.Alive;
                try
                {
                    using var response = await GetAsync(alive[attempt % alive.Count], path, cancel).ConfigureAwait(false);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadFromJsonAsync<JsonElement>(cancel).ConfigureAwait(false);
                }
                catch (Exception e) when (attempt < 2 && !cancel.IsCancellationRequested && e is HttpRequestException or TaskCanceledException)
                {
                    Progress($"GET {path} from {alive[attempt % alive.Count].Name} failed ({e.Message}); trying again");
                }
            }
        }

        private static string Cut(string text, int length) => text.Length <= length ? text : text[..length] + "…";

        [GeneratedRegex(@"^(warn|fail|crit): ([^\[]+)\[")]
        private static partial Regex LogHeader();

        [GeneratedRegex(@"^\s+([\w.]+(?:Exception|Error)\b.*)$")]
        private static partial Regex ExceptionLine();

        // Numbers, hex ids, GUIDs and grain keys: the same message about another run or product groups with the first.
        [GeneratedRegex(@"[0-9a-fA-F]{8,}|\d+|(?<=dataproduct/)[\w.]+")]
        private static partial Regex Blur();

        private static async Task WriteAsync(Func<int, Task> append, CancellationToken stop)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await append(i).ConfigureAwait(false);
                try
                {
                    await Task.Delay(1000, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
