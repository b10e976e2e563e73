using Meshwork.Engines.Conformance;
using Meshwork.Testing;

namespace Meshwork.Engines.Postgres.Tests;

/// <summary>The engine conformance suite, pipeline role, against PostgreSQL (the test run's throwaway server).</summary>
public sealed class PostgresEngineConformanceTests : EngineConformanceTests
{
    protected override async Task<IComputeEngine> OpenEngineAsync() =>
        await PostgresEngine.OpenAsync((await PostgresServer.SharedAsync()).ConnectionString, cancellationToken: TestContext.Current.CancellationToken);
}
