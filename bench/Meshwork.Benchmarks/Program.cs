using System.Globalization;
using BenchmarkDotNet.Running;
using Meshwork.Benchmarks;

// generate <DIR> [--products N]: write a mesh for the e2e script.
// search-latency [--products N] [--rounds N]: catalog search latency over HTTP (percentiles).
// data-throughput [--rows N] [--rounds N]: the DataApiBenchmarks methods interleaved, ratios within rounds.
// port-throughput [--rows N] [--rounds N]: the reads over the PostgreSQL wire protocol and Arrow Flight, their splits, and the Arrow reads, interleaved.
// data-ttfb [--rows N] [--requests N]: time to first byte of governed reads over HTTP, PostgreSQL and Flight.
// policy-latency [--calls N] [--warmup N]: access plan and policy decision latency percentiles (p50, p99).
// cluster-failover [--kills N] [--products N] [--seconds S]: a 3-node cluster on PostgreSQL: failover after SIGKILL, schedule drift.
// privacy-erasure [--rows N] [--rounds N]: erasure of one subject along lineage against rewriting every dataset holding it in full.
// Anything else goes to BenchmarkDotNet.
if (args is ["search-latency", .. var searchOptions])
{
    return Option(searchOptions, "--products", 10_000, ["--rounds"]) is { } products && Option(searchOptions, "--rounds", 20, ["--products"]) is { } rounds
        ? await SearchLatency.RunAsync(products, rounds)
        : Usage("search-latency [--products N] [--rounds N]");
}

if (args is ["policy-latency", .. var latencyOptions])
{
    return Option(latencyOptions, "--calls", 100_000, ["--warmup"]) is { } calls && Option(latencyOptions, "--warmup", 20_000, ["--calls"]) is { } warmup
        ? PolicyLatency.Run(calls, warmup, Console.Out)
        : Usage("policy-latency [--calls N] [--warmup N]");
}

if (args is ["data-throughput", .. var throughputOptions])
{
    return Option(throughputOptions, "--rows", 10_000_000, ["--rounds"]) is { } rows && Option(throughputOptions, "--rounds", 3, ["--rows"]) is { } rounds
        ? await DataThroughput.RunAsync(rows, rounds)
        : Usage("data-throughput [--rows N] [--rounds N]");
}

if (args is ["port-throughput", .. var portOptions])
{
    return Option(portOptions, "--rows", 10_000_000, ["--rounds"]) is { } rows && Option(portOptions, "--rounds", 3, ["--rows"]) is { } rounds
        ? await DataThroughput.RunPortsAsync(rows, rounds)
        : Usage("port-throughput [--rows N] [--rounds N]");
}

if (args is ["data-ttfb", .. var ttfbOptions])
{
    return Option(ttfbOptions, "--rows", 10_000_000, ["--requests"]) is { } rows && Option(ttfbOptions, "--requests", 20, ["--rows"]) is { } requests
        ? await FirstByteLatency.RunAsync(rows, requests)
        : Usage("data-ttfb [--rows N] [--requests N]");
}

if (args is ["cluster-failover", .. var clusterOptions])
{
    return Option(clusterOptions, "--kills", 10, ["--products", "--seconds"]) is { } kills
        && Option(clusterOptions, "--products", 100, ["--kills", "--seconds"]) is { } products
        && Option(clusterOptions, "--seconds", 60, ["--kills", "--products"]) is { } seconds
        ? await ClusterFailover.RunAsync(kills, products, seconds)
        : Usage("cluster-failover [--kills N] [--products N] [--seconds S]");
}

if (args is ["privacy-erasure", .. var erasureOptions])
{
    return Option(erasureOptions, "--rows", 10_000_000, ["--rounds"]) is { } rows && Option(erasureOptions, "--rounds", 3, ["--rows"]) is { } rounds
        ? await PrivacyErasure.RunAsync(rows, rounds)
        : Usage("privacy-erasure [--rows N] [--rounds N]");
}

if (args is ["generate", var directory, .. var rest])
{
    var products = 1000;
    if (rest is ["--products", var n] && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
    {
        products = parsed;
    }
    else if (rest.Length > 0)
    {
        Console.Error.WriteLine("usage: generate <DIR> [--products N]");
        return 2;
    }

    try
    {
        var mesh = MeshGenerator.Write(directory, products);
        Console.WriteLine(
            $"Wrote {mesh.Products} products in {mesh.Domains} domains to {mesh.Root}: {mesh.LintFiles} lint input files " +
            $"({mesh.LintBytes / 1024} KiB) and {mesh.DataFiles} CSV data files.");
        return 0;
    }
    catch (IOException e)
    {
        Console.Error.WriteLine($"generate: {e.Message}");
        return 2;
    }
}

BenchmarkSwitcher.FromAssembly(typeof(LintBenchmarks).Assembly).Run(args);
return 0;

// The value of "--name N" (a positive integer) in options, or fallback when absent; null when options has
// anything but "--name N" and the other names allowed.
static int? Option(string[] options, string name, int fallback, string[] others)
{
    int? value = fallback;
    for (var i = 0; i < options.Length; i += 2)
    {
        if (i + 1 >= options.Length || !int.TryParse(options[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
        {
            return null;
        }

        if (options[i] == name)
        {
            value = parsed;
        }
        else if (!others.Contains(options[i]))
        {
            return null;
        }
    }

    return value;
}

static int Usage(string usage)
{
    Console.Error.WriteLine("usage: " + usage);
    return 2;
}
