using Meshwork.Engines.Conformance;

namespace Meshwork.Engines.DuckDb.Tests;

/// <summary>The engine conformance suite against the embedded DuckDB engine.</summary>
public sealed class DuckDbEngineConformanceTests : EngineConformanceTests
{
    protected override async Task<IEngine> OpenEngineAsync() => await DuckDbEngine.OpenAsync();
}
