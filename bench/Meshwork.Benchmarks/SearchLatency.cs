using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Meshwork.Platform;
using Meshwork.Platform.Store;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>search-latency</c>: catalog search over HTTP on a generated mesh of 10,000 products. The mesh is planned
/// and its plan recorded as applied without running any pipeline, then served by the real server. After
/// warm-up passes, ~50 varied queries (single words, prefixes, two words, product names, a domain filter, no
/// match) are each sent <c>rounds</c> times, one request at a time with an admin token; every request is timed
/// from send to the last byte of the body. Target: p95 &lt; 20 ms.
/// </summary>
public static class SearchLatency
{
    private const int WarmupPasses = 3;

    /// <summary>One search: its kind, the query string sent, and whether it must find products.</summary>
    private sealed record SearchQuery(string Kind, string Text, string? Domain, bool Matches)
    {
        public string Url => "api/v1/products?limit=20"
            + (Text.Length > 0 ? "&q=" + Uri.EscapeDataString(Text) : string.Empty)
            + (Domain is null ? string.Empty : "&domain=" + Uri.EscapeDataString(Domain));

        public override string ToString() => Domain is null ? $"q={Text}" : $"q={Text}&domain={Domain}";
    }

    private static List<SearchQuery> Queries() =>
    [
        .. Words("single word", "orders", "invoices", "refunds", "subscriptions", "email", "currency", "analytics", "shipments", "campaigns", "quantity"),
        .. Words("prefix", "ord", "inv", "cust", "pay", "ship", "sub", "camp", "ret", "sto", "pri"),
        .. Words("two words", "orders sales", "invoices finance", "customer email", "refunds payments", "shipments logistics", "campaigns marketing",
            "stock inventory", "tickets support", "model score", "gross amount"),
        .. Words("product name", MeshGenerator.Name(42), MeshGenerator.Name(777), MeshGenerator.Name(5003), MeshGenerator.Name(9999), "1234"),
        InDomain("orders", "sales"), InDomain("email", "finance"), InDomain("cust", "customers"), InDomain("", "hr"), InDomain("payments", "payments"),
        InDomain("invoices", "billing"), InDomain("analytics", "web"), InDomain("stock", "inventory"), InDomain("sub", "mobile"), InDomain("refunds", "risk"),
        .. Words("no match", "zebra", "xylophone", "qqq", "orders zebra", "nonexistent product"),
    ];

    private static IEnumerable<SearchQuery> Words(string kind, params string[] texts) =>
        texts.Select(text => new SearchQuery(kind, text, null, kind != "no match"));

    private static SearchQuery InDomain(string text, string domain) => new("domain filter", text, domain, true);

    public static async Task<int> RunAsync(int products, int rounds)
    {
        var root = Path.Combine(Path.GetTempPath(), $"meshwork-bench-search-{Guid.NewGuid():N}");
        var repository = Path.Combine(root, "repo");
        try
        {
            var clock = Stopwatch.StartNew();
            var mesh = MeshGenerator.Write(repository, products);
            Console.WriteLine($"Generated {mesh.Products:N0} products ({mesh.LintFiles:N0} files) in {clock.Elapsed.TotalSeconds:0.0} s.");

            clock.Restart();
            var platform = MeshworkPlatform.Create();
            var planned = await platform.PlanAsync(repository, dataFolder: null).ConfigureAwait(false);
            if (planned.Lint.Errors > 0 || planned.Plan is not { HasRefusals: false } plan)
            {
                throw new InvalidOperationException($"Planning {repository} failed: {planned.Lint.Errors} lint errors, plan {(planned.Plan is null ? "missing" : "refused")}.");
            }

            // Applied without running any pipeline: the catalog lists every product; none has a snapshot yet.
            await using (var store = await platform.OpenStoreAsync(planned.DataFolder).ConfigureAwait(false))
            {
                await store.RecordPlanAsync(plan).ConfigureAwait(false);
                await store.SetMetaAsync(MetaKeys.Repository, Path.GetFullPath(repository)).ConfigureAwait(false);
                await store.SetMetaAsync(MetaKeys.Applied, $"bench {DateTimeOffset.UtcNow:O}").ConfigureAwait(false);
            }

            Console.WriteLine($"Planned and recorded as applied in {clock.Elapsed.TotalSeconds:0.0} s.");

            clock.Restart();
            // The generated products are scheduled daily (meshwork.schedule); a day-long tick keeps their grains
            // from running pipelines during the measurement. The scheduler still wakes every grain at start and
            // every 30 s, as it does in production.
            var settings = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Meshwork:Schedule:Tick"] = "1.00:00:00" };
            await using var server = await ServerHost.StartAsync(planned.DataFolder, "admin", settings).ConfigureAwait(false);
            Console.WriteLine($"Server started at {server.Address} in {clock.Elapsed.TotalSeconds:0.0} s.");

            var queries = Queries();
            var totals = new Dictionary<SearchQuery, int>();
            clock.Restart();
            for (var pass = 0; pass < WarmupPasses; pass++)
            {
                foreach (var query in queries)
                {
                    var (_, total) = await SearchAsync(server.Client, query).ConfigureAwait(false);
                    totals[query] = total;
                }
            }

            Console.WriteLine($"Warm-up: {WarmupPasses} passes of {queries.Count} queries in {clock.Elapsed.TotalSeconds:0.0} s.");
            var all = await SearchAsync(server.Client, new SearchQuery("all", string.Empty, null, true)).ConfigureAwait(false);
            if (all.Total != products)
            {
                throw new InvalidOperationException($"The catalog lists {all.Total} products, expected {products}.");
            }

            foreach (var (query, total) in totals)
            {
                if (query.Matches != total > 0)
                {
                    throw new InvalidOperationException($"{query} found {total} products; expected {(query.Matches ? "some" : "none")}.");
                }
            }

            var byQuery = queries.ToDictionary(q => q, _ => new Latencies());
            var byRound = new List<Latencies>();
            clock.Restart();
            for (var round = 0; round < rounds; round++)
            {
                var latencies = new Latencies();
                foreach (var query in queries)
                {
                    var (elapsed, _) = await SearchAsync(server.Client, query).ConfigureAwait(false);
                    latencies.Add(elapsed);
                    byQuery[query].Add(elapsed);
                }

                byRound.Add(latencies);
            }

            var overall = new Latencies();
            byRound.ForEach(overall.AddRange);
            Report(products, rounds, queries, totals, byQuery, byRound, overall, clock.Elapsed);
            return overall.Percentile(95) < 20 ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static void Report(int products, int rounds, List<SearchQuery> queries, Dictionary<SearchQuery, int> totals,
        Dictionary<SearchQuery, Latencies> byQuery, List<Latencies> byRound, Latencies overall, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"{overall.Count} searches ({queries.Count} queries × {rounds} rounds) over {products:N0} products in {elapsed.TotalSeconds:0.0} s."));
        Console.WriteLine($"All: {overall.Summary()}");
        Console.WriteLine(overall.Percentile(95) < 20 ? "Target p95 < 20 ms: met." : "Target p95 < 20 ms: NOT met.");
        Console.WriteLine();
        Console.WriteLine("| Kind | Queries | Products found (median) | p50 | p95 | p99 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var kind in queries.GroupBy(q => q.Kind))
        {
            var latencies = new Latencies();
            foreach (var query in kind)
            {
                latencies.AddRange(byQuery[query]);
            }

            var found = kind.Select(q => totals[q]).Order().ToArray();
            Console.WriteLine(string.Create(inv,
                $"| {kind.Key} | {found.Length} | {found[found.Length / 2]:N0} | {latencies.Percentile(50):0.00} ms | {latencies.Percentile(95):0.00} ms | {latencies.Percentile(99):0.00} ms |"));
        }

        Console.WriteLine();
        Console.WriteLine("Slowest queries by p95:");
        foreach (var (query, latencies) in byQuery.OrderByDescending(q => q.Value.Percentile(95)).Take(5))
        {
            Console.WriteLine(string.Create(inv, $"  {query,-40} {totals[query],6:N0} found  {latencies.Summary()}"));
        }

        Console.WriteLine();
        Console.WriteLine("Per round (p50 / p95 / max, ms): " + string.Join("  ", byRound.Select(r =>
            string.Create(inv, $"{r.Percentile(50):0.0}/{r.Percentile(95):0.0}/{r.Max:0.0}"))));
    }

    private static async Task<(TimeSpan Elapsed, int Total)> SearchAsync(HttpClient client, SearchQuery query)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(query.Url).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {query.Url}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        }

        using var json = JsonDocument.Parse(body);
        return (elapsed, json.RootElement.GetProperty("total").GetInt32());
    }
}
