using Meshwork.Engines.Conformance;

namespace Meshwork.Engines.DuckDb.Tests;

/// <summary>The engine conformance suite, both roles, against the embedded DuckDB engine.</summary>
public sealed class DuckDbEngineConformanceTests : EngineQueryConformanceTests
{
    protected override async Task<IEngine> OpenQueryEngineAsync() => await DuckDbEngine.OpenAsync();
}
