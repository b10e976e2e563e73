using System.Globalization;
using BenchmarkDotNet.Running;
using Meshwork.Benchmarks;

// generate <DIR> [--products N]: write a mesh for the e2e script; anything else goes to BenchmarkDotNet.
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
