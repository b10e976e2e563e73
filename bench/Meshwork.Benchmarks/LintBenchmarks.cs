using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Meshwork.Linting;

namespace Meshwork.Benchmarks;

/// <summary>
/// <c>mesh lint</c> in process (<see cref="MeshLinter.Lint"/>) over generated meshes of 100, 250 and 1,000
/// products (4 lint input files each): the absolute time, how it scales, and what server GC changes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jobs))]
public class LintBenchmarks
{
    private string _root = string.Empty;

    [Params(100, 250, 1000)]
    public int Products { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"meshwork-bench-{Products}-{Guid.NewGuid():N}");
        MeshGenerator.Write(_root, Products);
        MeshAssert.LintsClean(_root);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public LintReport Lint() => MeshLinter.Lint(_root);

    /// <summary>
    /// A whole lint takes a second or more, so few iterations suffice and the run stays short. Lint allocates
    /// gigabytes on a 2-core machine, so the runtime's default (workstation) GC is compared with server GC.
    /// </summary>
    public sealed class Jobs : ManualConfig
    {
        public Jobs()
        {
            var job = Job.Default.WithWarmupCount(2).WithIterationCount(5);
            AddJob(job.WithId("WorkstationGC").AsBaseline());
            AddJob(job.WithGcServer(true).WithId("ServerGC"));
        }
    }
}
