using BenchmarkDotNet.Attributes;
using Meshwork.Diagnostics;
using Meshwork.Documents;
using Meshwork.Loading;

namespace Meshwork.Benchmarks;

/// <summary>
/// One generated output contract (15 columns): YAML to JSON with positions alone, then with the ODCS
/// migration and the official schema check that every contract gets during lint.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ContractParseBenchmarks
{
    // Product 7: 15 columns, consumes an upstream product, so the contract has every generated feature.
    private const int ProductIndex = 7;

    private string _folder = string.Empty;
    private string _path = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"meshwork-bench-contract-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _path = Path.Combine(_folder, "contract.odcs.yaml");
        File.WriteAllText(_path, MeshGenerator.OutputContractYaml(ProductIndex));
        var diagnostics = new DiagnosticBag();
        if (DocumentKinds.Read(_path, "contract.odcs.yaml", DocumentKind.Contract, diagnostics) is null || diagnostics.ToSortedList().Count > 0)
        {
            throw new InvalidOperationException("The generated contract does not read clean.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public SourceDocument? ParseYaml() => YamlDocumentReader.ReadFile(_path, "contract.odcs.yaml", new DiagnosticBag());

    [Benchmark]
    public SourceDocument? ParseAndValidate() => DocumentKinds.Read(_path, "contract.odcs.yaml", DocumentKind.Contract, new DiagnosticBag());
}
