using Meshwork.Engines.Conformance;
using Meshwork.Engines.DuckDb;
using Meshwork.Testing;

namespace Meshwork.Engines.Postgres.Tests;

/// <summary>
/// The engine conformance suite, both roles, against PostgreSQL (the test run's throwaway server): the pipeline engine
/// publishes each dataset as a snapshot and a version table, and a consumer session reads the version in PostgreSQL.
/// </summary>
public sealed class PostgresEngineConformanceTests : EngineQueryConformanceTests
{
    protected override async Task<IComputeEngine> OpenEngineAsync() =>
        await PostgresEngine.OpenAsync((await PostgresServer.SharedAsync()).ConnectionString, new DuckDbEngineOptions { SnapshotFileRows = SnapshotFileRows },
            TestContext.Current.CancellationToken);

    protected override async Task<IQueryEngine> OpenQueryEngineAsync() =>
        await PostgresQueryEngine.OpenAsync((await PostgresServer.SharedAsync()).ConnectionString, cancellationToken: TestContext.Current.CancellationToken);

    protected override string EndlessQuery => "SELECT pg_sleep(3600)";

    protected override async Task<string> PublishedAsync(string relation, string folder)
    {
        var published = await base.PublishedAsync(relation, folder);
        var address = TestAddresses.GetValueOrDefault(relation) ?? throw new InvalidOperationException($"No address for '{relation}' in this suite.");
        var engine = (PostgresEngine)Engine;
        var version = Path.GetFileName(published);
        await engine.PublishVersionAsync(relation, address, version, TestContext.Current.CancellationToken);
        await engine.MakeCurrentAsync([new DatasetVersion(address, version)], TestContext.Current.CancellationToken);
        return published;
    }

    /// <summary>The address each relation the suite publishes is served as.</summary>
    private static readonly Dictionary<string, string> TestAddresses = new(StringComparer.Ordinal)
    {
        ["people"] = PeopleAddress,
        ["names"] = PeopleAddress,
        ["orders"] = "test.governed.orders_v1",
        ["typed"] = "test.governed.typed_v1",
    };
}
