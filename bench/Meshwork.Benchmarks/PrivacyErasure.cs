using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using Meshwork.Engines;
using Meshwork.Engines.DuckDb;
using Meshwork.Engines.Ir;
using Meshwork.Platform;
using Meshwork.Platform.Privacy;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>privacy-erasure</c>: the erasure of one data subject along lineage (<see cref="ServedMesh.EraseAsync"/>) against
/// rewriting every dataset that holds the subject in full without it, as a platform without file-level rewrite would.
/// The mesh has N rows in all: <c>customers.profiles</c> (one row per customer, N/20), <c>sales.orders</c> (most rows;
/// the source is written in order of time, each order to a pseudo-random customer, so only the clustering on publish
/// keeps a customer's orders together), <c>customers.customer_value</c> (per-customer aggregates, keeps customer_id)
/// and <c>sales.daily_sales</c> (no subject-key column). It is applied once; each round copies the applied data folder
/// and times, in an order alternated from round to round (after one warm-up round), the erasure on the copy and the full rewrite of the applied
/// folder's current snapshots into a scratch folder. Both are checked: the subject is in no current snapshot, and each
/// dataset lost exactly the subject's rows. A third, untimed part of the round takes the erasure apart (the engine's
/// rewrite and its steps one by one, and the check of the sources) to show where its time goes.
/// </summary>
public static class PrivacyErasure
{
    private const string Connection = "Data Source=:memory:;autoinstall_known_extensions=false;autoload_known_extensions=false";
    private const string Profiles = "customers.profiles.profiles_v1";
    private const string Orders = "sales.orders.orders_v1";
    private const string CustomerValue = "customers.customer_value.customer_value_v1";
    private const string DailySales = "sales.daily_sales.daily_sales_v1";
    private const string SubjectKey = "customer_id";
    private const int Days = 730;

    // As DuckDbEngine writes an unclustered snapshot: row groups of 122,880 rows, 8 to a file (about 1 M rows).
    private const string BoundedFiles = "ROW_GROUP_SIZE 122880, ROW_GROUPS_PER_FILE 8, FILENAME_PATTERN 'part-{i}'";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Countries = ["DE", "FR", "NL", "ES", "IT", "PL", "SE", "BE", "AT", "DK"];
    private static readonly string[] Channels = ["web", "app", "store"];
    private static readonly string[] Keyed = [Profiles, Orders, CustomerValue];

    /// <summary>The products in the order the erasure visits them (lineage order).</summary>
    private static readonly string[] Products = ["customers.profiles", "sales.orders", "customers.customer_value", "sales.daily_sales"];

    public static async Task<int> RunAsync(int rows, int rounds)
    {
        var customers = rows / 20;
        var daily = Days * Countries.Length * Channels.Length;
        var orders = rows - (2L * customers) - daily;
        if (rows < 100_000)
        {
            Console.Error.WriteLine(string.Create(Inv, $"privacy-erasure: {rows:N0} rows are too few for {daily:N0} daily rows, 2 × N/20 customer rows and the orders; give 100,000 or more."));
            return 2;
        }

        var root = Path.Combine(Path.GetTempPath(), "meshwork-bench-erasure-" + Guid.NewGuid().ToString("N"));
        try
        {
            Progress($"load average at start: {LoadAverage()}; scratch folder {root}");
            var repository = Path.Combine(root, "repo");
            var applied = Path.Combine(root, "applied");
            var clock = Stopwatch.StartNew();
            Write(repository);
            await WriteSourcesAsync(repository, customers, orders).ConfigureAwait(false);
            MeshAssert.LintsClean(repository);
            Progress(string.Create(Inv, $"wrote {customers:N0} customers and {orders:N0} orders as Parquet in {clock.Elapsed.TotalSeconds:0.0} s"));

            clock.Restart();
            var platform = MeshworkPlatform.Create();
            var result = await platform.ApplyAsync(repository, applied).ConfigureAwait(false);
            if (result.Errors.Count > 0 || result.Refused || result.Plan is null)
            {
                throw new InvalidOperationException($"Applying {repository} failed: {string.Join("; ", result.Errors)}");
            }

            Expect(result.Datasets.Count == 4 && result.Datasets.All(d => d.Quarantined == 0)
                && result.Datasets.Single(d => d.Address == Profiles).Published == customers && result.Datasets.Single(d => d.Address == Orders).Published == orders
                && result.Datasets.Single(d => d.Address == CustomerValue).Published == customers,
                "apply published " + string.Join(", ", result.Datasets.Select(d => $"{d.Address} {d.Published} ({d.Quarantined} quarantined)")));
            Progress(string.Create(Inv, $"applied in {clock.Elapsed.TotalSeconds:0.0} s: ")
                + string.Join(", ", result.Datasets.Select(d => string.Create(Inv, $"{d.Address} {d.Published:N0}"))));

            // A customer in the middle of the key range: present in every dataset keyed by customer_id (checked).
            var subject = customers / 2L;
            var before = await DescribeAsync(platform, applied, subject).ConfigureAwait(false);
            PrintBefore(before, subject, result.Datasets.Sum(d => d.Published));

            // Round 0 warms up (JIT of the erasure's code, DuckDB, the page cache) and is not counted.
            var results = new List<Round>();
            for (var round = 0; round <= rounds; round++)
            {
                var scratch = Path.Combine(root, string.Create(Inv, $"round-{round}"));
                var copy = Path.Combine(scratch, "data");
                CopyFolder(applied, copy);
                Sync();
                var load = LoadAverage();
                var erasureFirst = round % 2 == 1;
                ErasureRun? erasure = null;
                FullRun? full = null;
                foreach (var erase in erasureFirst ? new[] { true, false } : [false, true])
                {
                    if (erase)
                    {
                        erasure = await EraseAsync(platform, copy, before, subject).ConfigureAwait(false);
                    }
                    else
                    {
                        full = await RewriteFullyAsync(before, subject, Path.Combine(scratch, "full")).ConfigureAwait(false);
                    }

                    Sync();
                }

                var anatomy = await TakeApartAsync(repository, before, subject, Path.Combine(scratch, "anatomy")).ConfigureAwait(false);
                var done = new Round(round, erasureFirst, load, erasure!, full!, anatomy);
                if (round > 0)
                {
                    results.Add(done);
                }

                Progress(string.Create(Inv,
                    $"{(round == 0 ? "warm-up round" : $"round {round}/{rounds}")} ({(erasureFirst ? "erasure first" : "full rewrite first")}, load {load}): erasure {done.Erasure.Seconds:0.00} s, " +
                    $"{Mb(done.Erasure.DiskBytes)} written ({Mb(done.Erasure.RewrittenBytes)} re-encoded); full rewrite {done.Full.Seconds:0.00} s, {Mb(done.Full.Bytes)}; " +
                    $"time ratio {done.Erasure.Seconds / done.Full.Seconds:0.00}×"));
                Directory.Delete(scratch, recursive: true);
            }

            Report(results, before);
            Progress($"load average at end: {LoadAverage()}");
            return 0;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>The erasure through the platform on a copy of the applied data folder, timed, then checked.</summary>
    private static async Task<ErasureRun> EraseAsync(MeshworkPlatform platform, string copy, IReadOnlyDictionary<string, Dataset> before, long subject)
    {
        await using var served = await platform.ServeAsync(new ServeOptions { DataFolder = copy }).ConfigureAwait(false);
        var dpo = (await served.StateAsync().ConfigureAwait(false)).Mesh.People.FindPrincipal("dpo")
            ?? throw new InvalidOperationException("people.yaml has no principal 'dpo'.");
        var clock = Stopwatch.StartNew();
        var timeline = new Timeline(clock);
        var erasure = await served.EraseAsync(dpo, subject.ToString(Inv), "Benchmark: GDPR Art. 17 request", timeline).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;

        var report = PrivacyJobs.ReportOf(erasure);
        Expect(erasure.Status == ErasureStatus.Completed, $"the erasure ended {erasure.Status}: " + string.Join("; ", report.Products.Select(p => $"{p.Product} {p.Status} {p.Error}")));
        Expect(report.Products.Select(p => (p.Product, p.Status)).OrderBy(p => p.Product, StringComparer.Ordinal).SequenceEqual(
            [("customers.customer_value", ProductErasure.Erased), ("customers.profiles", ProductErasure.Erased), ("sales.daily_sales", ProductErasure.NotSearchable),
             ("sales.orders", ProductErasure.Erased)]),
            "product statuses " + string.Join(", ", report.Products.Select(p => $"{p.Product} {p.Status}")));

        var datasets = new List<DatasetErasure>();
        using var connection = await OpenAsync().ConfigureAwait(false);
        foreach (var address in Keyed)
        {
            var old = before[address];
            var removal = report.Products.SelectMany(p => p.Datasets).Single(d => d.Address == address);
            Expect(removal.Current == old.SubjectRows && removal.Earlier == 0 && removal.Quarantined == 0 && removal.Versions == 1,
                $"{address}: the report says {removal.Current} current, {removal.Earlier} earlier, {removal.Quarantined} quarantined row(s) in {removal.Versions} version(s); expected {old.SubjectRows} current");
            var now = await served.Store.GetCurrentSnapshotAsync(address).ConfigureAwait(false) ?? throw new InvalidOperationException($"{address} has no current snapshot after the erasure.");
            Expect(now.Snapshot != old.Record.Snapshot, $"{address}: the current snapshot did not change");
            var files = Files(now.FolderIn(copy));
            var rows = await CountAsync(connection, files, "TRUE").ConfigureAwait(false);
            var left = await CountAsync(connection, files, Match(subject)).ConfigureAwait(false);
            Expect(left == 0, $"{address}: the current snapshot still holds {left} row(s) of the subject");
            Expect(rows == old.Rows - old.SubjectRows && now.Rows == rows,
                $"{address}: {rows} rows on disk and {now.Rows} in the store after the erasure; expected {old.Rows} − {old.SubjectRows}");

            // Rewritten or kept (a hard link): compared with the same file of the snapshot as applied (the old folder of the copy is gone).
            var (rewritten, copied, rewrittenBytes) = (0, 0, 0L);
            foreach (var file in files)
            {
                var original = Path.Combine(old.Folder, Path.GetFileName(file));
                if (File.Exists(original) && SameBytes(file, original))
                {
                    copied++;
                }
                else
                {
                    rewritten++;
                    rewrittenBytes += new FileInfo(file).Length;
                }
            }

            datasets.Add(new DatasetErasure(address, removal.Current, rewritten, copied, removal.BytesWritten, files.Sum(f => new FileInfo(f).Length), rewrittenBytes));
        }

        var daily = await served.Store.GetCurrentSnapshotAsync(DailySales).ConfigureAwait(false);
        Expect(daily?.Snapshot == before[DailySales].Record.Snapshot, $"{DailySales} changed, though it has no subject-key column");

        // Nothing under the data folder holds the subject any more: no earlier version, no quarantine, no leftover.
        var everywhere = Directory.EnumerateFiles(Path.Combine(copy, "data"), "*.parquet", SearchOption.AllDirectories).Where(f => !f.Contains("daily_sales", StringComparison.Ordinal)).ToList();
        var anywhere = await CountAsync(connection, everywhere, Match(subject), unionByName: true).ConfigureAwait(false);
        Expect(anywhere == 0, $"{anywhere} row(s) of the subject are still in Parquet files under {copy}");

        return new ErasureRun(seconds, datasets, Cut(timeline.Events, seconds));
    }

    /// <summary>
    /// The baseline: every current snapshot holding the subject read whole and written again without it, in bounded
    /// files as the platform writes them, into a scratch folder.
    /// </summary>
    private static async Task<FullRun> RewriteFullyAsync(IReadOnlyDictionary<string, Dataset> before, long subject, string output)
    {
        using var connection = await OpenAsync().ConfigureAwait(false);
        var targets = Keyed.ToDictionary(a => a, a => Path.Combine(output, a));
        Directory.CreateDirectory(output);
        var clock = Stopwatch.StartNew();
        foreach (var address in Keyed)
        {
            await ExecuteAsync(connection, string.Create(Inv,
                $"COPY (SELECT * FROM read_parquet({Literal(Path.Combine(before[address].Folder, "*.parquet"))}) WHERE {SubjectKey} <> {subject}) " +
                $"TO {Literal(targets[address])} (FORMAT parquet, COMPRESSION zstd, {BoundedFiles})")).ConfigureAwait(false);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        long bytes = 0;
        foreach (var address in Keyed)
        {
            var files = Files(targets[address]);
            var rows = await CountAsync(connection, files, "TRUE").ConfigureAwait(false);
            var left = await CountAsync(connection, files, Match(subject)).ConfigureAwait(false);
            Expect(left == 0 && rows == before[address].Rows - before[address].SubjectRows, $"full rewrite of {address}: {rows} rows, {left} of the subject");
            bytes += files.Sum(f => new FileInfo(f).Length);
        }

        return new FullRun(seconds, bytes);
    }

    /// <summary>
    /// The erasure's parts, each timed on its own (not during the erasure): per dataset, the engine's
    /// <see cref="DuckDbEngine.RewriteSnapshotAsync"/> whole, then its steps as its SQL does them (the per-file counts
    /// that find the files holding the subject, the rewrite of those, the copy of the others); and the check of each
    /// source file for the subject three ways: by keyed hash into a table (as <see cref="PrivacyJobs"/> did before 84e784c),
    /// counted by keyed hash, and counted by the value in clear (as it does now).
    /// </summary>
    private static async Task<Anatomy> TakeApartAsync(string repository, IReadOnlyDictionary<string, Dataset> before, long subject, string output)
    {
        var parts = new List<Part>();
        var remove = new FilterBinary(FilterOperator.Equal, new FilterColumn(SubjectKey), new FilterConstant(subject));
        var key = RandomNumberGenerator.GetBytes(32);
        using var connection = await OpenAsync().ConfigureAwait(false);
        foreach (var address in Keyed)
        {
            var old = before[address];
            double engineSeconds;
            SnapshotRewrite rewrite;
            await using (var engine = await DuckDbEngine.OpenAsync().ConfigureAwait(false))
            {
                var clock = Stopwatch.StartNew();
                rewrite = await engine.RewriteSnapshotAsync(old.Folder, remove, key, Path.Combine(output, address, "engine")).ConfigureAwait(false);
                engineSeconds = clock.Elapsed.TotalSeconds;
            }

            Expect(rewrite.Removed == old.SubjectRows, $"{address}: the engine's rewrite removed {rewrite.Removed} row(s), expected {old.SubjectRows}");

            var steps = Path.Combine(output, address, "steps");
            Directory.CreateDirectory(steps);
            var watch = Stopwatch.StartNew();
            var holding = new List<string>();
            foreach (var file in old.Files)
            {
                await CountAsync(connection, [file], "TRUE").ConfigureAwait(false);
                if (await CountAsync(connection, [file], Match(subject)).ConfigureAwait(false) > 0)
                {
                    holding.Add(file);
                }
            }

            var find = watch.Elapsed.TotalSeconds;
            watch.Restart();
            foreach (var file in holding)
            {
                await ExecuteAsync(connection, $"COPY (SELECT * FROM read_parquet({Literal(file)}) WHERE NOT coalesce({Match(subject)}, FALSE)) " +
                    $"TO {Literal(Path.Combine(steps, Path.GetFileName(file)))} (FORMAT parquet, COMPRESSION zstd)").ConfigureAwait(false);
            }

            var rewriteSeconds = watch.Elapsed.TotalSeconds;
            watch.Restart();
            foreach (var file in old.Files.Except(holding))
            {
                File.Copy(file, Path.Combine(steps, Path.GetFileName(file)));
            }

            var copySeconds = watch.Elapsed.TotalSeconds;
            parts.Add(new Part(address, engineSeconds, rewrite.FilesRewritten, rewrite.FilesCopied, find, rewriteSeconds, copySeconds));
        }

        // The source check: each source file loaded, and the rows whose customer_id hashes to the subject's hash taken out
        // into a table (as PrivacyJobs did before 84e784c); then the same rows only counted, by keyed hash, and by the value
        // in clear (as it does now: compared in the column's type, so Parquet statistics can skip row groups).
        var sources = new List<SourceCheck>();
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(subject.ToString(Inv))));
        var match = new FilterIn(new FilterKeyedHash(new FilterColumn(SubjectKey)), [new FilterConstant(hash)]);
        foreach (var (source, path, subjectRows) in new[]
        {
            ("customers.profiles (crm)", Path.Combine(repository, "domains/customers/profiles/data/customers.parquet"), before[Profiles].SubjectRows),
            ("sales.orders (shop)", Path.Combine(repository, "domains/sales/orders/data/orders.parquet"), before[Orders].SubjectRows),
        })
        {
            await using var engine = await DuckDbEngine.OpenAsync().ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            await engine.LoadAsync(new SourceFile(path, SourceFormat.Parquet), "__mw_source").ConfigureAwait(false);
            await engine.IntrospectAsync("__mw_source").ConfigureAwait(false);
            var found = await engine.RemoveRowsAsync("__mw_source", match, key, "__mw_source_rest").ConfigureAwait(false);
            var asDone = clock.Elapsed.TotalSeconds;
            Expect(found == subjectRows, $"the check of {source} found {found} row(s) of the subject, expected {subjectRows}");

            // The source's folder holds only the source file: counted as a snapshot folder is.
            clock.Restart();
            var hashed = await engine.CountSnapshotRowsAsync(Path.GetDirectoryName(path)!, match, key).ConfigureAwait(false);
            var countedByHash = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var clear = await engine.CountSnapshotRowsAsync(Path.GetDirectoryName(path)!, remove, key).ConfigureAwait(false);
            var countedInClear = clock.Elapsed.TotalSeconds;
            Expect(hashed == subjectRows && clear == subjectRows, $"the counts of {source} found {hashed} (keyed hash) and {clear} (in clear) row(s), expected {subjectRows}");
            sources.Add(new SourceCheck(source, asDone, countedByHash, countedInClear));
        }

        return new Anatomy(parts, sources);
    }

    /// <summary>Every dataset's current snapshot as applied: its files, rows, and the subject's rows (which must be there).</summary>
    private static async Task<IReadOnlyDictionary<string, Dataset>> DescribeAsync(MeshworkPlatform platform, string applied, long subject)
    {
        var datasets = new Dictionary<string, Dataset>(StringComparer.Ordinal);
        await using var store = await platform.OpenStoreAsync(applied).ConfigureAwait(false);
        using var connection = await OpenAsync().ConfigureAwait(false);
        foreach (var address in Keyed.Append(DailySales))
        {
            var record = await store.GetCurrentSnapshotAsync(address).ConfigureAwait(false) ?? throw new InvalidOperationException($"{address} is not published in {applied}.");
            var folder = record.FolderIn(applied);
            var files = Files(folder);
            var keyed = Keyed.Contains(address);
            var subjectRows = keyed ? await CountAsync(connection, files, Match(subject)).ConfigureAwait(false) : 0;
            var holding = 0;
            foreach (var file in keyed ? files : [])
            {
                holding += await CountAsync(connection, [file], Match(subject)).ConfigureAwait(false) > 0 ? 1 : 0;
            }

            Expect(!keyed || subjectRows > 0, $"{address} holds no row of customer {subject}: choose another subject");
            datasets[address] = new Dataset(address, record, folder, files, await CountAsync(connection, files, "TRUE").ConfigureAwait(false), subjectRows, holding,
                files.Sum(f => new FileInfo(f).Length));
        }

        return datasets;
    }

    private static void PrintBefore(IReadOnlyDictionary<string, Dataset> before, long subject, long published)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(Inv, $"{published:N0} rows published in all; subject: customer_id = {subject}."));
        Console.WriteLine();
        Console.WriteLine("| Dataset | Rows | Parquet files | Size | Subject's rows | Files holding them |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var d in before.Values)
        {
            Console.WriteLine(string.Create(Inv, $"| {d.Address} | {d.Rows:N0} | {d.Files.Count} | {Mb(d.Bytes)} | {d.SubjectRows} | {d.HoldingFiles} |"));
        }

        Console.WriteLine();
    }

    private static void Report(List<Round> rounds, IReadOnlyDictionary<string, Dataset> before)
    {
        var keyedBytes = Keyed.Sum(a => before[a].Bytes);
        Console.WriteLine();
        Console.WriteLine(string.Create(Inv, $"{rounds.Count} rounds after 1 warm-up round; the subject-keyed datasets hold {Mb(keyedBytes)} of Parquet as applied."));
        Console.WriteLine();
        Console.WriteLine("| Round | Order | Load (1/5/15 min) | Erasure | of which under leases | Full rewrite | Time ratio | Ratio under leases | Erasure writes (report) | on disk | of which re-encoded | Full rewrite writes | Bytes ratio (all) | Bytes ratio (re-encoded) |");
        Console.WriteLine("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rounds)
        {
            Console.WriteLine(string.Create(Inv,
                $"| {r.Number} | {(r.ErasureFirst ? "erasure, full" : "full, erasure")} | {r.Load} | {r.Erasure.Seconds:0.00} s | {r.Erasure.Leased:0.00} s | {r.Full.Seconds:0.00} s | " +
                $"{r.Erasure.Seconds / r.Full.Seconds:0.00}× | {r.Erasure.Leased / r.Full.Seconds:0.00}× | " +
                $"{Mb(r.Erasure.ReportBytes)} | {Mb(r.Erasure.DiskBytes)} | {Mb(r.Erasure.RewrittenBytes)} | {Mb(r.Full.Bytes)} | " +
                $"{(double)r.Erasure.DiskBytes / r.Full.Bytes:0.00}× | {(double)r.Erasure.RewrittenBytes / r.Full.Bytes:0.00}× |"));
        }

        Console.WriteLine(string.Create(Inv,
            $"| **median** | | | **{Median(rounds.Select(r => r.Erasure.Seconds)):0.00} s** | {Median(rounds.Select(r => r.Erasure.Leased)):0.00} s | " +
            $"**{Median(rounds.Select(r => r.Full.Seconds)):0.00} s** | **{Median(rounds.Select(r => r.Erasure.Seconds / r.Full.Seconds)):0.00}×** | " +
            $"**{Median(rounds.Select(r => r.Erasure.Leased / r.Full.Seconds)):0.00}×** | {Mb((long)Median(rounds.Select(r => (double)r.Erasure.ReportBytes)))} | " +
            $"{Mb((long)Median(rounds.Select(r => (double)r.Erasure.DiskBytes)))} | {Mb((long)Median(rounds.Select(r => (double)r.Erasure.RewrittenBytes)))} | " +
            $"{Mb((long)Median(rounds.Select(r => (double)r.Full.Bytes)))} | **{Median(rounds.Select(r => (double)r.Erasure.DiskBytes / r.Full.Bytes)):0.00}×** | " +
            $"**{Median(rounds.Select(r => (double)r.Erasure.RewrittenBytes / r.Full.Bytes)):0.00}×** |"));

        Console.WriteLine();
        Console.WriteLine("What the erasure did per dataset (round 1; every round did the same):");
        Console.WriteLine();
        Console.WriteLine("| Dataset | Rows removed | Files rewritten | Files kept (hard links) | Bytes (report) | Bytes re-encoded |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var d in rounds[0].Erasure.Datasets)
        {
            Console.WriteLine(string.Create(Inv, $"| {d.Address} | {d.Removed} | {d.Rewritten} | {d.Copied} | {Mb(d.ReportBytes)} | {Mb(d.RewrittenBytes)} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Where the erasure's time went, from its progress messages (seconds; \"before\" = since the previous product ended, or since the start):");
        Console.WriteLine();
        Console.WriteLine("| Round | Total | " + string.Join(" | ", Products.Take(3).Select(p => $"before {p} | {p} under lease")) + " | after |");
        Console.WriteLine("|---:|---:|" + string.Concat(Enumerable.Repeat("---:|---:|", 3)) + "---:|");
        foreach (var r in rounds)
        {
            var p = r.Erasure.Phases;
            Console.WriteLine(string.Create(Inv, $"| {r.Number} | {r.Erasure.Seconds:0.00} | ")
                + string.Join(" | ", Products.Take(3).Select(name => string.Create(Inv, $"{p.Before.GetValueOrDefault(name):0.00} | {p.Leased.GetValueOrDefault(name):0.00}")))
                + string.Create(Inv, $" | {p.After:0.00} |"));
        }

        Console.WriteLine();
        Console.WriteLine("The erasure's parts timed on their own (median over the rounds, seconds):");
        Console.WriteLine();
        Console.WriteLine("| Dataset | Engine rewrite (whole) | Files rewritten / kept | find (per-file counts) | rewrite | copy | erasure under lease | rest of it (lease, store, engine, delete, audit) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var address in Keyed)
        {
            var parts = rounds.Select(r => r.Anatomy.Parts.Single(p => p.Address == address)).ToList();
            var product = string.Join('.', address.Split('.').Take(2));
            var leased = Median(rounds.Select(r => r.Erasure.Phases.Leased.GetValueOrDefault(product)));
            var engine = Median(parts.Select(p => p.Engine));
            Console.WriteLine(string.Create(Inv,
                $"| {address} | {engine:0.00} | {parts[0].Rewritten} / {parts[0].Copied} | {Median(parts.Select(p => p.Find)):0.00} | {Median(parts.Select(p => p.Rewrite)):0.00} | " +
                $"{Median(parts.Select(p => p.Copy)):0.00} | {leased:0.00} | {leased - engine:0.00} |"));
        }

        Console.WriteLine();
        Console.WriteLine("The check of the source files for the subject, timed on its own (median over the rounds, seconds):");
        Console.WriteLine();
        Console.WriteLine("| Source | Keyed hash, other rows into a table (the check before 84e784c) | Counted by keyed hash | Counted in clear, typed (the check now) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var source in rounds[0].Anatomy.Sources.Select(s => s.Source))
        {
            var checks = rounds.Select(r => r.Anatomy.Sources.Single(s => s.Source == source)).ToList();
            Console.WriteLine(string.Create(Inv,
                $"| {source} | {Median(checks.Select(c => c.AsDone)):0.00} | {Median(checks.Select(c => c.CountedByHash)):0.00} | {Median(checks.Select(c => c.CountedInClear)):0.00} |"));
        }
    }

    /// <summary>
    /// The erasure's timeline cut at its progress messages: per product the time before it (since the previous product
    /// ended: the sources' check, the previous product's audit and report) and the time it was erased under its lease.
    /// </summary>
    private static Phases Cut(IReadOnlyList<(double At, string Message)> events, double total)
    {
        var before = new Dictionary<string, double>(StringComparer.Ordinal);
        var leased = new Dictionary<string, double>(StringComparer.Ordinal);
        var last = 0.0;
        foreach (var product in Products)
        {
            var start = events.FirstOrDefault(e => e.Message == product + ": erasing");
            if (start.Message is null)
            {
                continue;
            }

            var end = events.First(e => e.At >= start.At && e.Message.StartsWith(product + ": ", StringComparison.Ordinal)
                && !e.Message.Contains("erasing", StringComparison.Ordinal) && !e.Message.EndsWith("trying again", StringComparison.Ordinal));
            before[product] = start.At - last;
            leased[product] = end.At - start.At;
            last = end.At;
        }

        return new Phases(before, leased, total - last);
    }

    private static async Task WriteSourcesAsync(string repository, long customers, long orders)
    {
        var countries = $"[{string.Join(", ", Countries.Select(c => $"'{c}'"))}]";
        var channels = $"[{string.Join(", ", Channels.Select(c => $"'{c}'"))}]";
        var profiles = Path.Combine(repository, "domains/customers/profiles/data/customers.parquet");
        var shop = Path.Combine(repository, "domains/sales/orders/data/orders.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(profiles)!);
        Directory.CreateDirectory(Path.GetDirectoryName(shop)!);
        using var connection = await OpenAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, string.Create(Inv, $"""
            COPY (SELECT range + 1 AS customer_id,
                         'Customer ' || (range + 1) AS name,
                         'customer' || (range + 1) || '@example.com' AS email,
                         {countries}[1 + range % 10] AS country,
                         DATE '2020-01-01' + CAST(range % 1461 AS INTEGER) AS signup_date
                  FROM range({customers})) TO {Literal(profiles)} (FORMAT parquet, COMPRESSION zstd)
            """)).ConfigureAwait(false);
        // In order of time (order_ts grows with order_id over 730 days), each order to a pseudo-random customer.
        await ExecuteAsync(connection, string.Create(Inv, $"""
            COPY (SELECT range + 1 AS order_id,
                         CAST(hash(range) % {customers} AS BIGINT) + 1 AS customer_id,
                         TIMESTAMP '2024-01-01' + to_microseconds(CAST(range * ({Days}.0 * 86400000000 / {orders}) AS BIGINT)) AS order_ts,
                         {channels}[1 + CAST(hash(range + 1) % 3 AS INTEGER)] AS channel,
                         {countries}[1 + CAST(hash(range + 2) % 10 AS INTEGER)] AS ship_country,
                         ['placed', 'shipped', 'delivered', 'cancelled'][1 + CAST(hash(range + 3) % 4 AS INTEGER)] AS status,
                         CAST(1 + (hash(range + 4) % 50000) / 100.0 AS DECIMAL(12, 2)) AS amount
                  FROM range({orders})) TO {Literal(shop)} (FORMAT parquet, COMPRESSION zstd)
            """)).ConfigureAwait(false);
    }

    private static void Write(string repository)
    {
        Save(repository, "mesh.yaml", MeshGenerator.MeshYaml());
        Save(repository, "people.yaml", PeopleYaml);
        Save(repository, "policies/pipelines-read-upstream.policy.yaml", UpstreamPolicyYaml);
        Save(repository, "domains/sales/domain.yaml", MeshGenerator.DomainYaml(0));
        Save(repository, "domains/customers/domain.yaml", MeshGenerator.DomainYaml(5));

        Column[] profiles =
        [
            new("customer_id", "integer", "bigint", "internal", "Customer number.", Key: 1, Subject: true),
            new("name", "string", "varchar", "restricted", "Full name.", Pii: true),
            new("email", "string", "varchar", "confidential", "Contact e-mail address.", Pii: true),
            new("country", "string", "varchar", "internal", "ISO 3166-1 alpha-2 country of the customer."),
            new("signup_date", "date", "date", "internal", "Day the customer signed up."),
        ];
        Column[] orders =
        [
            new("order_id", "integer", "bigint", "internal", "Order number.", Key: 1),
            new("customer_id", "integer", "bigint", "internal", "Customer number of the buyer.", Subject: true),
            new("order_ts", "timestamp", "timestamp", "internal", "When the order was placed."),
            new("channel", "string", "varchar", "internal", "web, app or store."),
            new("ship_country", "string", "varchar", "internal", "ISO 3166-1 alpha-2 country the order ships to."),
            new("status", "string", "varchar", "internal", "placed, shipped, delivered or cancelled."),
            new("amount", "number", "decimal(12,2)", "internal", "Order total in EUR."),
        ];
        Column[] customerValue =
        [
            new("customer_id", "integer", "bigint", "internal", "Customer number (customers.profiles.profiles_v1).", Key: 1, Subject: true),
            new("country", "string", "varchar", "internal", "Country of the customer."),
            new("order_count", "integer", "bigint", "internal", "Orders placed."),
            new("total_spent", "number", "decimal(18,2)", "confidential", "Sum of the orders' totals in EUR."),
            new("first_order", "date", "date", "internal", "Day of the first order; null without orders.", Required: false),
            new("last_order", "date", "date", "internal", "Day of the latest order; null without orders.", Required: false),
        ];
        Column[] dailySales =
        [
            new("order_date", "date", "date", "internal", "Day of the orders.", Key: 1),
            new("ship_country", "string", "varchar", "internal", "Country the orders ship to.", Key: 2),
            new("channel", "string", "varchar", "internal", "web, app or store.", Key: 3),
            new("order_count", "integer", "bigint", "internal", "Orders placed."),
            new("revenue", "number", "decimal(18,2)", "internal", "Sum of the orders' totals in EUR."),
        ];

        Product(repository, "customers", "profiles", "Customer profiles", "The customer master, one row per customer.",
            [("crm", "customers.profiles.source.crm")]);
        Save(repository, "domains/customers/profiles/crm.source.odcs.yaml",
            SourceContract("customers.profiles.source.crm", "customers", "profiles", "The CRM's customer export.", "crm_customers", "customers.parquet", profiles));
        Save(repository, "domains/customers/profiles/profiles.odcs.yaml",
            OutputContract("customers.profiles.profiles.v1", "customers", "profiles", "Customer profiles", "One row per customer.", profiles));

        Product(repository, "sales", "orders", "Orders", "Every order of the shop, one row per order.", [("shop", "sales.orders.source.shop")]);
        Save(repository, "domains/sales/orders/shop.source.odcs.yaml",
            SourceContract("sales.orders.source.shop", "sales", "orders", "The shop's order export, in order of time.", "shop_orders", "orders.parquet", orders));
        Save(repository, "domains/sales/orders/orders.odcs.yaml", OutputContract("sales.orders.orders.v1", "sales", "orders", "Orders", "One row per order.", orders));

        Product(repository, "customers", "customer_value", "Customer value", "Orders and spend per customer.",
            [("profiles", "customers.profiles.profiles.v1"), ("orders", "sales.orders.orders.v1")]);
        Save(repository, "domains/customers/customer_value/customer_value.odcs.yaml",
            OutputContract("customers.customer_value.customer_value.v1", "customers", "customer_value", "Customer value", "One row per customer of customers.profiles.", customerValue));
        Save(repository, "domains/customers/customer_value/transform.sql", """
            -- One row per customer of the profiles, with or without orders.
            SELECT p.customer_id, p.country,
                   count(o.order_id) AS order_count,
                   coalesce(sum(o.amount), 0) AS total_spent,
                   CAST(min(o.order_ts) AS DATE) AS first_order,
                   CAST(max(o.order_ts) AS DATE) AS last_order
            FROM customers.profiles.profiles_v1 AS p
            LEFT JOIN sales.orders.orders_v1 AS o ON o.customer_id = p.customer_id
            GROUP BY p.customer_id, p.country

            """);

        Product(repository, "sales", "daily_sales", "Daily sales", "Orders and revenue per day, country and channel.", [("orders", "sales.orders.orders.v1")]);
        Save(repository, "domains/sales/daily_sales/daily_sales.odcs.yaml",
            OutputContract("sales.daily_sales.daily_sales.v1", "sales", "daily_sales", "Daily sales", "One row per day, country and channel.", dailySales));
        Save(repository, "domains/sales/daily_sales/transform.sql", """
            -- Orders and revenue per day, country and channel: nothing in it identifies a customer.
            SELECT CAST(order_ts AS DATE) AS order_date, ship_country, channel, count(*) AS order_count, sum(amount) AS revenue
            FROM sales.orders.orders_v1
            GROUP BY CAST(order_ts AS DATE), ship_country, channel

            """);
    }

    private static void Product(string repository, string domain, string name, string title, string purpose, (string Name, string ContractId)[] inputs)
    {
        var yaml = new StringBuilder().Append(Inv, $"""
            apiVersion: v1.0.0
            kind: DataProduct
            id: {domain}.{name}
            name: {title}
            domain: {domain}
            status: active
            version: 1.0.0
            description:
              purpose: {purpose}
              limitations: Synthetic data for the erasure benchmark.
              usage: Join on customer_id.
            tags: [{domain}, benchmark]
            team:
              name: team-{domain}
              members:
                - username: owner-{domain}
                  role: owner
            inputPorts:

            """);
        foreach (var (input, contractId) in inputs)
        {
            yaml.Append(Inv, $"""
                  - name: {input}
                    version: 1.0.0
                    contractId: {contractId}

                """);
        }

        yaml.Append(Inv, $"""
            outputPorts:
              - name: {name}
                description: Published as {domain}.{name}.{name}_v1.
                type: tables
                version: 1.0.0
                contractId: {domain}.{name}.{name}.v1
            support:
              - channel: "#{domain}-data"
                url: https://chat.example.com/channels/{domain}-data
                tool: slack
                scope: interactive

            """);
        Save(repository, $"domains/{domain}/{name}/product.odps.yaml", yaml.ToString());
    }

    private static string OutputContract(string id, string domain, string product, string title, string description, Column[] columns) =>
        new StringBuilder().Append(Inv, $"""
            apiVersion: v3.1.0
            kind: DataContract
            id: {id}
            name: {title}
            version: 1.0.0
            status: active
            domain: {domain}
            dataProduct: {product}
            description:
              purpose: {title} as published by {domain}.{product}.
            tags: [{domain}, benchmark]
            schema:
              - name: {product}
                physicalType: table
                description: {description}
                properties:

            """).Append(Properties(columns)).Append("""
                quality:
                  - metric: rowCount
                    mustBeGreaterThan: 0

            """).ToString();

    private static string SourceContract(string id, string domain, string product, string purpose, string name, string file, Column[] columns) =>
        new StringBuilder().Append(Inv, $"""
            apiVersion: v3.1.0
            kind: DataContract
            id: {id}
            name: {name}
            version: 1.0.0
            status: active
            domain: {domain}
            dataProduct: {product}
            description:
              purpose: {purpose}
            servers:
              - server: export
                type: local
                format: parquet
                path: ./data/{file}
            schema:
              - name: {name}
                physicalType: file
                properties:

            """).Append(Properties(columns)).ToString();

    private static string Properties(Column[] columns)
    {
        var yaml = new StringBuilder();
        foreach (var c in columns)
        {
            yaml.Append(Inv, $"""
                      - name: {c.Name}
                        logicalType: {c.Logical}
                        physicalType: {c.Physical}
                        required: {(c.Required ? "true" : "false")}
                        classification: {c.Classification}
                        description: {c.Description}

                """);
            if (c.Key > 0)
            {
                yaml.Append(Inv, $"        primaryKey: true\n        primaryKeyPosition: {c.Key}\n");
            }

            if (c.Subject)
            {
                yaml.Append("        tags: [subject-key]\n");
            }
            else if (c.Pii)
            {
                yaml.Append("        tags: [pii]\n");
            }
        }

        return yaml.ToString();
    }

    private static void Save(string repository, string relative, string content)
    {
        var path = Path.Combine(repository, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private const string PeopleYaml = """
        apiVersion: meshwork/v1
        kind: People
        teams:
          - id: team-sales
            name: Sales
            domain: sales
            channel: "#sales-data"
          - id: team-customers
            name: Customers
            domain: customers
            channel: "#customers-data"
        principals:
          - id: owner-sales
            name: Sales Owner
            email: owner.sales@example.com
            team: team-sales
            roles: [owner]
          - id: owner-customers
            name: Customers Owner
            email: owner.customers@example.com
            team: team-customers
            roles: [owner]
          - id: dpo
            name: Data Protection Officer
            email: dpo@example.com
            roles: [privacy]

        """;

    private const string UpstreamPolicyYaml = """
        apiVersion: meshwork/v1
        kind: Policy
        name: pipelines-read-upstream
        type: access
        description: Products read other domains' published datasets for their pipelines (their input ports' agreements are approved by this policy).
        when: principal.kind == 'product'
        effect: permit

        """;

    private static async Task<DuckDBConnection> OpenAsync()
    {
        var connection = new DuckDBConnection(Connection);
        await connection.OpenAsync().ConfigureAwait(false);
        return connection;
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>The rows of <paramref name="files"/> where <paramref name="condition"/> holds (0 for no files).</summary>
    private static async Task<long> CountAsync(DuckDBConnection connection, List<string> files, string condition, bool unionByName = false)
    {
        if (files.Count == 0)
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet([{string.Join(", ", files.Select(Literal))}]{(unionByName ? ", union_by_name = true" : string.Empty)}) WHERE {condition}";
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), Inv);
    }

    private static string Match(long subject) => string.Create(Inv, $"({SubjectKey} = {subject})");

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A snapshot's Parquet files in the order the engine lists them (<c>part-2</c> before <c>part-10</c>).</summary>
    private static List<string> Files(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*.parquet").OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal)];

    private static bool SameBytes(string a, string b)
    {
        if (new FileInfo(a).Length != new FileInfo(b).Length)
        {
            return false;
        }

        using var first = File.OpenRead(a);
        using var second = File.OpenRead(b);
        var (x, y) = (new byte[1 << 20], new byte[1 << 20]);
        while (true)
        {
            var n = first.ReadAtLeast(x, x.Length, throwOnEndOfStream: false);
            if (n != second.ReadAtLeast(y, y.Length, throwOnEndOfStream: false) || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, n)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }
        }
    }

    /// <summary>A data folder copied, but for the lease holders' lock files (this process holds its own open: <see cref="Platform.Pipelines.LeaseHolders"/>).</summary>
    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        }

        var locks = Path.Combine(source, Platform.Pipelines.LeaseHolders.LockFolder) + Path.DirectorySeparatorChar;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(locks, StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }
    }

    /// <summary>Writes dirty pages out, so what one measured step wrote is not flushed during the next.</summary>
    private static void Sync()
    {
        using var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false });
        sync?.WaitForExit();
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("privacy-erasure: check failed: " + what);
        }
    }

    private static string Mb(long bytes) => string.Create(Inv, $"{bytes / 1e6:0.0} MB");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The 1, 5 and 15 minute load averages (/proc/loadavg).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Progress(string line) => Console.WriteLine($"[{DateTimeOffset.UtcNow:HH:mm:ss}] {line}");

    /// <summary>A column of the generated contracts (<paramref name="Key"/>: its primary key position, 0 for none).</summary>
    private sealed record Column(string Name, string Logical, string Physical, string Classification, string Description, int Key = 0, bool Subject = false, bool Pii = false,
        bool Required = true);

    /// <summary>A dataset's current snapshot as applied.</summary>
    private sealed record Dataset(string Address, SnapshotRecord Record, string Folder, IReadOnlyList<string> Files, long Rows, long SubjectRows, int HoldingFiles, long Bytes);

    /// <summary>What the erasure did to one dataset: rows removed, files rewritten and copied, bytes by its report, on disk, and re-encoded.</summary>
    private sealed record DatasetErasure(string Address, long Removed, int Rewritten, int Copied, long ReportBytes, long DiskBytes, long RewrittenBytes);

    private sealed record ErasureRun(double Seconds, IReadOnlyList<DatasetErasure> Datasets, Phases Phases)
    {
        public long ReportBytes => Datasets.Sum(d => d.ReportBytes);

        public long DiskBytes => Datasets.Sum(d => d.DiskBytes);

        public long RewrittenBytes => Datasets.Sum(d => d.RewrittenBytes);

        /// <summary>Seconds the products were erased under their leases: the snapshots' rewrite, without the sources' check.</summary>
        public double Leased => Phases.Leased.Values.Sum();
    }

    private sealed record FullRun(double Seconds, long Bytes);

    /// <summary>Per product, seconds before it (since the previous one ended) and under its lease; seconds after the last.</summary>
    private sealed record Phases(IReadOnlyDictionary<string, double> Before, IReadOnlyDictionary<string, double> Leased, double After);

    /// <summary>One dataset's erasure taken apart: the engine's rewrite whole, its files, and its steps one by one.</summary>
    private sealed record Part(string Address, double Engine, int Rewritten, int Copied, double Find, double Rewrite, double Copy);

    private sealed record Anatomy(IReadOnlyList<Part> Parts, IReadOnlyList<SourceCheck> Sources);

    /// <summary>A source file checked for the subject: as the erasure does it (keyed hash, the other rows into a table), only counted by keyed hash, and counted in clear.</summary>
    private sealed record SourceCheck(string Source, double AsDone, double CountedByHash, double CountedInClear);

    private sealed record Round(int Number, bool ErasureFirst, string Load, ErasureRun Erasure, FullRun Full, Anatomy Anatomy);

    /// <summary>The erasure's progress messages with the time each came, as they come (not posted to another thread).</summary>
    private sealed class Timeline(Stopwatch clock) : IProgress<string>
    {
        private readonly List<(double At, string Message)> _events = [];

        public IReadOnlyList<(double At, string Message)> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void Report(string value)
        {
            lock (_events)
            {
                _events.Add((clock.Elapsed.TotalSeconds, value));
            }
        }
    }
}
