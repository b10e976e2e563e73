using Meshwork.Engines.Conformance;

namespace Meshwork.Engines.DuckDb.Tests;

/// <summary>
/// The engine conformance suite, both roles, against the embedded DuckDB engine; and what locks DuckDB's consumer
/// session down: it opens exactly the snapshot files its views read, and its settings cannot change. Queries in
/// these go to the engine directly, as if the resolver had missed them (defence in depth, the second layer).
/// </summary>
public sealed class DuckDbEngineConformanceTests : EngineQueryConformanceTests
{
    protected override async Task<IComputeEngine> OpenEngineAsync() => await DuckDbEngine.OpenAsync(new DuckDbEngineOptions { SnapshotFileRows = SnapshotFileRows });

    protected override async Task<IQueryEngine> OpenQueryEngineAsync() => await DuckDbEngine.OpenAsync();

    protected override string EndlessQuery => "SELECT sum(hash(i)) FROM range(1000000000000) t(i)";

    [Fact]
    public async Task Publish_ClusterBy_RowsAreInOrderWithinEveryFile()
    {
        // Rows enough for DuckDB to write row groups on parallel threads, which is where an order would break.
        await using var engine = await DuckDbEngine.OpenAsync(new DuckDbEngineOptions { SnapshotFileRows = 250_000, Threads = 4 });
        await engine.TransformAsync("SELECT (g * 7919) % 1000003 AS k, g AS id FROM range(1000000) AS t(g)", "scrambled");

        var snapshot = await engine.PublishAsync("scrambled", Path.Combine(Folder, "clustered"), ["k"]);

        Assert.True(snapshot.Files.Count > 1, $"{snapshot.Files.Count} file(s)");
        foreach (var file in snapshot.Files)
        {
            var backwards = await RowsAsync(engine,
                $"SELECT count(*) FROM (SELECT k < lag(k) OVER (ORDER BY file_row_number) AS back FROM read_parquet('{file}', file_row_number = true)) AS r WHERE back");
            Assert.Equal(0L, ToLong(backwards[0][0]));
        }
    }

    [Fact]
    public async Task Serve_ConsumerQuery_CannotReadFilesOutsideTheDataFolder()
    {
        var served = Path.Combine(Folder, "served");
        var people = await PublishPeopleAsync(Path.Combine(served, "people-1"));
        var secret = await PublishedAsync("people", Path.Combine(Folder, "private", "people-1"));
        var csv = Write("secret.csv", "a,b\n1,2\n");
        // Before serving, an engine reads these files.
        Assert.Single(await RowsAsync($"SELECT * FROM read_csv('{csv}')"));
        Assert.Equal(4, (await RowsAsync($"SELECT * FROM read_parquet('{Path.Combine(secret, "*.parquet")}')")).Count);

        await using var consumer = await ServeAsync(people, [new GovernedColumn("id")]);

        Assert.Equal(4, (await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress}")).Count);
        await QueryFailsAsync(consumer, $"SELECT * FROM read_csv('{csv}')");
        await QueryFailsAsync(consumer, $"SELECT * FROM read_parquet('{Path.Combine(secret, "*.parquet")}')");
        await QueryFailsAsync(consumer, "SELECT * FROM read_csv('/etc/passwd')");
    }

    [Fact]
    public async Task Serve_Configuration_IsLocked()
    {
        var people = await PublishPeopleAsync();
        // Before serving, the settings can change.
        await RowsAsync("SET threads = 2");

        await using var consumer = await ServeAsync(people, [new GovernedColumn("id")]);

        await QueryFailsAsync(consumer, "SET threads = 1");
        await QueryFailsAsync(consumer, "SET enable_external_access = true");
        await QueryFailsAsync(consumer, "SET lock_configuration = false");
        Assert.Equal(4, (await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress}")).Count);
    }

    [Fact]
    public async Task Serve_FilesBesideTheViewsSnapshot_CannotBeOpenedEvenUnchecked()
    {
        var people = await PublishPeopleAsync(Path.Combine(Folder, "data", "people", "v1"));
        var older = await PublishPeopleAsync(Path.Combine(Folder, "data", "people", "v0"));
        var quarantine = Write(Path.Combine("data", "people", "v1", "quarantine.csv"), "id,email\n9,zed@example.org\n");

        await using var consumer = await ServeAsync(people, [new GovernedColumn("id")]);

        Assert.Equal(4, (await RowsAsync(consumer, $"SELECT id FROM {PeopleAddress}")).Count);
        await QueryFailsAsync(consumer, $"SELECT * FROM '{quarantine}'");
        await QueryFailsAsync(consumer, $"SELECT * FROM '{Path.Combine(older, "*.parquet")}'");
        await QueryFailsAsync(consumer, $"SELECT * FROM '{Path.Combine(people, "*.parquet")}'");
        await QueryFailsAsync(consumer, $"SELECT * FROM '{Path.Combine(Folder, "data", "**", "*.parquet")}'");
    }

    [Fact]
    public async Task Serve_SessionLimits_AreSetAndLocked()
    {
        await using var consumer = await ServeAsync(await PublishPeopleAsync(), [new GovernedColumn("id")], limits: new ConsumerLimits { Threads = 1, MemoryBytes = 256L << 20 });

        Assert.Equal("1", (await RowsAsync(consumer, "SELECT current_setting('threads')::VARCHAR"))[0][0]?.ToString());
        Assert.StartsWith("256", (await RowsAsync(consumer, "SELECT current_setting('memory_limit')::VARCHAR"))[0][0]?.ToString(), StringComparison.Ordinal);
        await QueryFailsAsync(consumer, "SET threads = 2");
    }
}
