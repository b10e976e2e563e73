using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Tests.Pipelines;

public sealed class ApplyTests : ApplyTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store: snapshots, runs and leases are recorded there.</summary>
public sealed class ApplyOnPostgresTests : ApplyTests<PostgresTestStore>;

/// <summary><c>mesh apply</c> end to end on the base fixture mesh, with real DuckDB and the metadata store of <typeparamref name="TStore"/>.</summary>
public abstract class ApplyTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private const string Orders = "domains/sales/orders/data/orders.csv";

    private Task<Meshwork.Platform.Pipelines.ApplyResult> ApplyAsync()
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        return Platform.ApplyAsync(Repo.Root, null);
    }

    [Fact]
    public async Task Apply_PublishesEveryDatasetInLineageOrder()
    {
        var result = await ApplyAsync();

        Assert.Empty(result.Errors);
        Assert.Equal(["customers.profiles.profiles_v1", "sales.orders.orders_v1", "marketing.audience.audience_v2"], result.Datasets.Select(d => d.Address));
        Assert.All(result.Datasets, d => Assert.Equal(2, d.Published));
        await using var store = await Platform.OpenStoreAsync(result.DataFolder);
        var snapshot = await store.GetCurrentSnapshotAsync("marketing.audience.audience_v2");
        Assert.True(File.Exists(Path.Combine(result.DataFolder, snapshot!.Snapshot, "part-0.parquet")));
    }

    [Fact]
    public async Task Apply_Twice_IsANoOpTheSecondTime()
    {
        await ApplyAsync();

        var second = await ApplyAsync();

        Assert.Empty(second.Errors);
        Assert.True(second.Plan!.IsEmpty);
        Assert.All(second.Datasets, d => Assert.True(d.Unchanged));
    }

    [Fact]
    public async Task Apply_InvalidSourceRows_AreQuarantinedWithTheRunNotLost()
    {
        File.WriteAllText(Path.Combine(Repo.Root, Orders), "order_id,customer_id,amount\n1,1,10.5\n2,2,20.0\n2,1,3\nx,1,1\n3,,5\n");

        var result = await ApplyAsync();

        var orders = Assert.Single(result.Datasets, d => d.Address == "sales.orders.orders_v1");
        Assert.Equal((1L, 4L), (orders.Published, orders.Quarantined));
        await using var store = await Platform.OpenStoreAsync(result.DataFolder);
        var snapshot = await store.GetCurrentSnapshotAsync("sales.orders.orders_v1");
        Assert.Equal(4, snapshot!.Quarantined);
        Assert.True(File.Exists(Path.Combine(result.DataFolder, snapshot.QuarantineSnapshot!, "part-0.parquet")));
    }

    [Fact]
    public async Task Apply_MalformedSourceLine_FailsWithoutTheLinesValuesInTheRunLedgerOrTheOutput()
    {
        // Past the rows DuckDB sniffs (20,480), a line with a column too many fails the read, and DuckDB's error repeats it.
        var good = string.Concat(Enumerable.Range(1, 21_000).Select(i => $"{i},{i % 2 + 1},{i}.5\n"));
        File.WriteAllText(Path.Combine(Repo.Root, Orders), "order_id,customer_id,amount\n" + good + "99999,secret.person@mail.example,3,+49 171 5550101\n");

        var result = await ApplyAsync();

        var error = Assert.Single(result.Errors, e => e.StartsWith("sales.orders:", StringComparison.Ordinal));
        await using var store = await Platform.OpenStoreAsync(result.DataFolder);
        var failure = Assert.Single(await store.GetRunsAsync("sales.orders", 10), r => r.Status == "failed").Failure!;
        foreach (var text in new[] { error, failure })
        {
            Assert.DoesNotContain("secret.person", text, StringComparison.Ordinal);
            Assert.DoesNotContain("5550101", text, StringComparison.Ordinal);
            // Still says where and why.
            Assert.Contains("CSV Error on Line: 21002", text, StringComparison.Ordinal);
            Assert.Contains($"in {Orders}:", text, StringComparison.Ordinal);
            Assert.Contains("Expected Number of Columns: 3 Found: 4", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Apply_ChangedSource_RunsAgainAndMovesThePointer()
    {
        var first = await ApplyAsync();
        await using (var store = await Platform.OpenStoreAsync(first.DataFolder))
        {
            Assert.Equal(2, (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1"))!.Rows);
        }

        File.AppendAllText(Path.Combine(Repo.Root, Orders), "3,1,7.5\n");
        File.SetLastWriteTimeUtc(Path.Combine(Repo.Root, Orders), DateTime.UtcNow.AddMinutes(1));

        var second = await ApplyAsync();

        Assert.Equal(3, Assert.Single(second.Datasets, d => d.Address == "sales.orders.orders_v1").Published);
        Assert.False(Assert.Single(second.Datasets, d => d.Address == "marketing.audience.audience_v2").Unchanged);
        Assert.True(Assert.Single(second.Datasets, d => d.Address == "customers.profiles.profiles_v1").Unchanged);
    }

    [Fact]
    public async Task Apply_SupersededSnapshot_StaysReadableForTheGracePeriodThenIsDeleted()
    {
        var first = await ApplyAsync();
        string old;
        await using (var store = await Platform.OpenStoreAsync(first.DataFolder))
        {
            old = (await store.GetCurrentSnapshotAsync("sales.orders.orders_v1"))!.Snapshot;
        }

        File.AppendAllText(Path.Combine(Repo.Root, Orders), "3,1,7.5\n");
        File.SetLastWriteTimeUtc(Path.Combine(Repo.Root, Orders), DateTime.UtcNow.AddMinutes(1));
        await ApplyAsync();
        Assert.True(Directory.Exists(Path.Combine(first.DataFolder, old)), "a reader on the previous snapshot must still find it");

        Time.Advance(Meshwork.Platform.Pipelines.PipelineRunner.DefaultSnapshotGrace);
        var later = await ApplyAsync();

        Assert.All(later.Datasets, d => Assert.True(d.Unchanged));
        Assert.False(Directory.Exists(Path.Combine(first.DataFolder, old)));
        await using var after = await Platform.OpenStoreAsync(first.DataFolder);
        var current = await after.GetCurrentSnapshotAsync("sales.orders.orders_v1");
        Assert.True(File.Exists(Path.Combine(first.DataFolder, current!.Snapshot, "part-0.parquet")));
        Assert.DoesNotContain(await after.GetSnapshotsAsync("sales.orders"), s => s.Snapshot.Snapshot == old);
    }

    [Fact]
    public async Task Apply_FoldersLeftByAKilledRun_AreRemovedByTheNextRunOfTheProduct()
    {
        var first = await ApplyAsync();
        var dataset = Path.Combine(first.DataFolder, "data", "sales", "orders", "orders_v1");
        var unpublished = Directory.CreateDirectory(Path.Combine(dataset, "20261125T000000000-deadbeef")).FullName;
        var staging = Directory.CreateDirectory(Path.Combine(dataset, "20261125T000000000-deadbeef.writing-0123")).FullName;

        File.AppendAllText(Path.Combine(Repo.Root, Orders), "3,1,7.5\n");
        File.SetLastWriteTimeUtc(Path.Combine(Repo.Root, Orders), DateTime.UtcNow.AddMinutes(1));
        await ApplyAsync();

        Assert.False(Directory.Exists(unpublished));
        Assert.False(Directory.Exists(staging));
        Assert.Equal(2, Directory.GetDirectories(dataset).Length); // the current snapshot and the one in its grace period
    }

    [Fact]
    public async Task Apply_ProductViolatingAnEnforcedRule_IsRefusedAndItsConsumersSkipped()
    {
        Directory.CreateDirectory(Path.Combine(Repo.Root, "policies"));
        File.WriteAllText(Path.Combine(Repo.Root, "policies", "certified.policy.yaml"), """
            apiVersion: meshwork/v1
            kind: Policy
            name: certified-orders
            type: rule
            targets:
              products: [sales.orders]
            check: "'certified' in resource.tags"
            message: Orders must be certified.
            """);

        var result = await ApplyAsync();

        Assert.Contains(result.Errors, e => e.StartsWith("sales.orders: refused:", StringComparison.Ordinal) && e.Contains("certified-orders", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("marketing.audience: skipped", StringComparison.Ordinal));
        Assert.Equal(["customers.profiles.profiles_v1"], result.Datasets.Select(d => d.Address));
    }

    [Fact]
    public async Task Apply_RuleInItsGracePeriod_OnlyWarns()
    {
        Directory.CreateDirectory(Path.Combine(Repo.Root, "policies"));
        File.WriteAllText(Path.Combine(Repo.Root, "policies", "certified.policy.yaml"), """
            apiVersion: meshwork/v1
            kind: Policy
            name: certified-orders
            type: rule
            status: grace
            until: 2027-01-01
            targets:
              products: [sales.orders]
            check: "'certified' in resource.tags"
            message: Orders must be certified.
            """);

        var result = await ApplyAsync();

        Assert.Empty(result.Errors);
        Assert.Contains(result.Lint.Diagnostics, d => d.Rule == "policy-violation" && d.Severity == Diagnostics.Severity.Warning);
    }

    [Fact]
    public async Task Apply_UnreadableSourceFile_FailsThatProductAndItsConsumersOnly()
    {
        File.WriteAllText(Path.Combine(Repo.Root, "domains/customers/profiles/data/customers.json"), "{\"customer_id\": 1, \"email\": \n");

        var result = await ApplyAsync();

        Assert.Contains(result.Errors, e => e.StartsWith("customers.profiles: input port 'crm_customers' cannot read domains/customers/profiles/data/customers.json", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("marketing.audience: skipped", StringComparison.Ordinal));
        Assert.Equal(["sales.orders.orders_v1"], result.Datasets.Select(d => d.Address));
    }

    [Fact]
    public async Task Apply_TransformSqlError_NamesTheTransformFile()
    {
        File.WriteAllText(Path.Combine(Repo.Root, "domains/marketing/audience/transform.sql"), "SELECT customer_id,\n  no_such_column AS total\nFROM customers.profiles.profiles_v1\n");

        var result = await ApplyAsync();

        var error = Assert.Single(result.Errors);
        Assert.Contains("domains/marketing/audience/transform.sql:2:", error, StringComparison.Ordinal);
        Assert.Contains("no_such_column", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ProductLeasedByAnotherProcess_IsReportedAndNotRun()
    {
        var data = Path.Combine(Repo.Root, ".mesh");
        await using (var store = await Platform.OpenStoreAsync(data))
        {
            Assert.True(await store.TryAcquireLeaseAsync("sales.orders", new LeaseHolder(Guid.NewGuid().ToString("N"), "other-node", 1), "their-run", TimeSpan.FromHours(1)));
        }

        var result = await ApplyAsync();

        Assert.Contains(result.Errors, e => e.Contains("another process", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Datasets, d => d.Address == "sales.orders.orders_v1");
    }
    [Fact]
    public async Task Apply_LeaseOfADeadProcessWithThisPid_IsTakenAtOnceAndItsRunFails()
    {
        // What a kill -9 leaves in a container whose restarted process got the same PID: a lease of this machine
        // and PID held by another instance, whose lock file is there but free, and its run still marked running.
        var data = Path.Combine(Repo.Root, ".mesh");
        var killed = new LeaseHolder(Guid.NewGuid().ToString("N"), Environment.MachineName, Environment.ProcessId);
        await using (var store = await Platform.OpenStoreAsync(data))
        {
            Assert.True(await store.TryAcquireLeaseAsync("sales.orders", killed, "killed-run", TimeSpan.FromMinutes(30)));
            await store.StartRunAsync("killed-run", "sales.orders", "node-1");
        }

        Directory.CreateDirectory(Path.Combine(data, LeaseHolders.LockFolder));
        await File.WriteAllTextAsync(LeaseHolders.LockFile(data, killed.Instance), Environment.MachineName, TestContext.Current.CancellationToken);

        var result = await ApplyAsync();

        Assert.Empty(result.Errors);
        Assert.Contains(result.Datasets, d => d.Address == "sales.orders.orders_v1" && d.Published == 2);
        await using var after = await Platform.OpenStoreAsync(data);
        var run = Assert.Single(await after.GetRunsAsync("sales.orders", 10), r => r.RunId == "killed-run");
        Assert.Equal(("failed", Lease.LapsedFailure), (run.Status, run.Failure));
        Assert.Null(await after.GetLeaseAsync("sales.orders"));
    }

    [Fact]
    public async Task Apply_LeaseOfALiveProcessOnThisMachine_IsNotTaken()
    {
        var data = Path.Combine(Repo.Root, ".mesh");
        var living = new LeaseHolder(Guid.NewGuid().ToString("N"), Environment.MachineName, Environment.ProcessId);
        await using (var store = await Platform.OpenStoreAsync(data))
        {
            Assert.True(await store.TryAcquireLeaseAsync("sales.orders", living, "their-run", TimeSpan.FromMinutes(30)));
            await store.StartRunAsync("their-run", "sales.orders", "node-1");
        }

        // The living holder keeps its lock file locked, as every process running products does.
        Directory.CreateDirectory(Path.Combine(data, LeaseHolders.LockFolder));
        await using var lockFile = new FileStream(LeaseHolders.LockFile(data, living.Instance), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        var result = await ApplyAsync();

        Assert.Contains(result.Errors, e => e.StartsWith("sales.orders: another process", StringComparison.Ordinal));
        await using var after = await Platform.OpenStoreAsync(data);
        Assert.Equal("running", Assert.Single(await after.GetRunsAsync("sales.orders", 10)).Status);
    }
}
