using DuckDB.NET.Data;
using Meshwork.Platform.Privacy;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Tests.Privacy;

/// <summary>
/// Erasure of a data subject along lineage on the example mesh: gone from every current and earlier version and from
/// the quarantine, kept gone when sources are read again, reported per product, audited without the value in clear.
/// </summary>
public sealed class ErasureTests : IDisposable
{
    private const string Customers = "domains/customers/profiles/data/customers.csv";

    private readonly TestMesh _mesh = TestMesh.Example();
    private readonly MeshworkPlatform _platform = MeshworkPlatform.Create();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Erase_SubjectInProfilesAndDownstream_LeavesNoVersionOrQuarantineHoldingIt_AndReadingSourcesAgainDoesNotBringItBack()
    {
        await ApplyAsync();
        // A second version of the profiles, where the subject's rows are quarantined (a duplicated key): the first
        // version (earlier, still kept) holds the subject as a valid row, the second in its quarantine.
        File.AppendAllText(Path.Combine(_mesh.Root, Customers), "1003,Dup,Licate,dup@example.com,,NL,Utrecht,1990-01-01,2024-01-01\n");
        await ApplyAsync();
        await using (var before = await ServeAsync())
        {
            var listed = await before.Store.GetSnapshotsAsync("customers.profiles", Cancel);
            Assert.Equal(2, listed.Count(l => l.Snapshot.Address == "customers.profiles.profiles_v1"));
            Assert.NotNull(listed.Single(l => l.SupersededAt is null && l.Snapshot.Address == "customers.profiles.profiles_v1").Snapshot.QuarantineSnapshot);
        }

        Assert.True(await RowsOfAsync("1003", quarantine: false) > 0);
        Assert.True(await RowsOfAsync("1003", quarantine: true) > 0);
        var otherBefore = await RowsOfAsync("1004", quarantine: false);

        await using var served = await ServeAsync();
        var dpo = (await served.FindPrincipalAsync("dpo", Cancel))!;
        var erasure = await served.EraseAsync(dpo, "1003", "GDPR Art. 17 request #7", cancellationToken: Cancel);

        Assert.Equal(ErasureStatus.Completed, erasure.Status);
        Assert.NotNull(erasure.CompletedAt);
        Assert.Equal(0, await RowsOfAsync("1003", quarantine: false));
        Assert.Equal(0, await RowsOfAsync("1003", quarantine: true));
        Assert.Equal(otherBefore, await RowsOfAsync("1004", quarantine: false));

        var report = PrivacyJobs.ReportOf(erasure);
        var mesh = (await served.StateAsync(Cancel)).Mesh;
        Assert.Equal(mesh.Products.Select(p => p.Key).Order(StringComparer.Ordinal), report.Products.Select(p => p.Product).Order(StringComparer.Ordinal));
        var profiles = Assert.Single(report.Products.Single(p => p.Product == "customers.profiles").Datasets);
        Assert.Equal((0, 1, 2, 2), (profiles.Current, profiles.Earlier, profiles.Quarantined, profiles.Versions));
        Assert.Equal(ProductErasure.Erased, report.Products.Single(p => p.Product == "sales.orders").Status);
        Assert.Equal(ProductErasure.NotSearchable, report.Products.Single(p => p.Product == "sales.products").Status);
        Assert.Contains(report.Products.Single(p => p.Product == "customers.profiles").Sources, s => s.Location.EndsWith("customers.csv", StringComparison.Ordinal) && s.Rows == 2);

        // Read the sources again: unchanged (the run is skipped), then changed (the run publishes, leaving the subject out).
        await ApplyAsync();
        Assert.Equal(0, await RowsOfAsync("1003", quarantine: false) + await RowsOfAsync("1003", quarantine: true));
        File.AppendAllText(Path.Combine(_mesh.Root, Customers), "1099,Ann,Lee,ann.lee@example.com,,NL,Utrecht,1990-01-01,2024-01-01\n");
        var sales = Path.Combine(_mesh.Root, "domains/sales/orders/data/pos_sales.parquet");
        File.SetLastWriteTimeUtc(sales, File.GetLastWriteTimeUtc(sales).AddMinutes(1));
        var again = await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel);
        Assert.Contains(again.Datasets, d => d.Address == "customers.profiles.profiles_v1" && !d.Unchanged);
        Assert.Contains(again.Datasets, d => d.Address == "sales.orders.orders_v1" && !d.Unchanged);
        Assert.Equal(0, await RowsOfAsync("1003", quarantine: false) + await RowsOfAsync("1003", quarantine: true));
        Assert.True(await RowsOfAsync("1099", quarantine: false) + await RowsOfAsync("1099", quarantine: true) > 0);

        Assert.Empty(await served.Store.VerifyAuditAsync(null, Cancel));
        var audit = await served.Store.GetAuditAsync(1000, Cancel);
        Assert.Contains(audit, a => a.Entry.Action == "erase" && a.Entry.Resource == "customers.profiles.profiles_v1");
        Assert.Contains(audit, a => a.Entry.Action == "suppression" && a.Entry.Resource == "customers.profiles.profiles_v1");
        Assert.Contains(audit, a => a.Entry.Action == "suppression" && a.Entry.Resource == "sales.orders.orders_v1" && a.Entry.Rows > 0);
        Assert.DoesNotContain(audit, a => (a.Entry.Detail ?? string.Empty).Contains("subject 1003", StringComparison.Ordinal) || a.Entry.Resource.Contains("1003", StringComparison.Ordinal));
        Assert.DoesNotContain((await served.Store.ListErasuresAsync(10, Cancel)).Select(e => e.SubjectHash), h => h == "1003");
    }

    [Fact]
    public async Task Erase_AsAPrincipalWithoutThePrivacyRole_IsRefused_AndRecordsNothing()
    {
        await ApplyAsync();
        await using var served = await ServeAsync();
        var mallory = (await served.FindPrincipalAsync("mallory", Cancel))!;

        var refused = await Assert.ThrowsAsync<ServingException>(() => served.EraseAsync(mallory, "1003", "curious", cancellationToken: Cancel));

        Assert.Equal(ServingError.Forbidden, refused.Error);
        Assert.Empty(await served.Store.ListErasuresAsync(10, Cancel));
        Assert.True(await RowsOfAsync("1003", quarantine: false) > 0);
    }

    [Fact]
    public async Task Erase_WithoutAReason_IsABadRequest()
    {
        await ApplyAsync();
        await using var served = await ServeAsync();
        var admin = (await served.FindPrincipalAsync("admin", Cancel))!;

        var refused = await Assert.ThrowsAsync<ServingException>(() => served.EraseAsync(admin, "1003", " ", cancellationToken: Cancel));

        Assert.Equal(ServingError.BadRequest, refused.Error);
        Assert.Contains("reason", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_SameSubjectAgainAfterAFailure_ResumesTheRequest_SkippingTheProductsDone()
    {
        await ApplyAsync();
        await using var served = await ServeAsync();
        var admin = (await served.FindPrincipalAsync("admin", Cancel))!;
        // The orders product's snapshots cannot be read (damaged files): it fails after its attempts, the others go on.
        var damaged = Directory.EnumerateFiles(Path.Combine(_mesh.DataFolder, "data", "sales", "orders"), "*.parquet", SearchOption.AllDirectories)
            .ToDictionary(f => f, File.ReadAllBytes);
        foreach (var file in damaged.Keys)
        {
            File.WriteAllText(file, "not parquet");
        }

        var failed = await served.EraseAsync(admin, "1003", "GDPR Art. 17 request #8", cancellationToken: Cancel);
        foreach (var (file, bytes) in damaged)
        {
            File.WriteAllBytes(file, bytes);
        }

        var failedOrders = PrivacyJobs.ReportOf(failed).Products.Single(p => p.Product == "sales.orders");
        Assert.Equal(ErasureStatus.Failed, failed.Status);
        Assert.Null(failed.CompletedAt);
        Assert.Equal((ProductErasure.Failed, PrivacyJobs.Attempts), (failedOrders.Status, failedOrders.Attempts));
        Assert.Contains("sales.orders", failedOrders.Error, StringComparison.Ordinal);
        Assert.Equal(ProductErasure.Erased, PrivacyJobs.ReportOf(failed).Products.Single(p => p.Product == "customers.profiles").Status);
        Assert.True(await RowsOfAsync("1003", quarantine: false) > 0);

        var completed = await served.EraseAsync(admin, "1003", "GDPR Art. 17 request #8", cancellationToken: Cancel);

        Assert.Equal(failed.Id, completed.Id);
        Assert.Equal(ErasureStatus.Completed, completed.Status);
        Assert.Equal(ProductErasure.Erased, PrivacyJobs.ReportOf(completed).Products.Single(p => p.Product == "sales.orders").Status);
        Assert.Equal(0, await RowsOfAsync("1003", quarantine: false));
    }

    [Fact]
    public async Task Erase_DomainOnPostgres_RemovesTheSubjectFromItsVersionTablesToo_AndPushedDownReadsDoNotSeeIt()
    {
        var variable = "MESHWORK_PG_ERASURE_TESTS_" + Guid.NewGuid().ToString("N");
        var database = await (await Testing.PostgresServer.SharedAsync()).CreateDatabaseAsync("erasure_" + Guid.NewGuid().ToString("N"), Cancel);
        Environment.SetEnvironmentVariable(variable, database);
        try
        {
            File.AppendAllText(Path.Combine(_mesh.Root, "mesh.yaml"), $"engines:\n  - name: warehouse\n    type: postgres\n    connection: \"${{{variable}}}\"\n");
            File.AppendAllText(Path.Combine(_mesh.Root, "domains", "customers", "domain.yaml"), "engine: warehouse\n");
            await ApplyAsync();
            Assert.True(await PostgresRowsOfAsync(database, "1003") > 0);

            await using var served = await ServeAsync();
            var dpo = (await served.FindPrincipalAsync("dpo", Cancel))!;
            var erasure = await served.EraseAsync(dpo, "1003", "GDPR Art. 17 request #9", cancellationToken: Cancel);

            Assert.Equal(ErasureStatus.Completed, erasure.Status);
            Assert.Equal(0, await PostgresRowsOfAsync(database, "1003"));
            Assert.Equal(0, await RowsOfAsync("1003", quarantine: false) + await RowsOfAsync("1003", quarantine: true));
            var olivia = (await served.FindPrincipalAsync("olivia", Cancel))!;
            await using var result = await served.QueryAsync(olivia, "SELECT CAST(count(*) AS VARCHAR) AS n FROM customers.profiles.profiles_v1 WHERE customer_id IN (1003, 1004)", null, Cancel);
            await result.StartAsync(Cancel);
            await foreach (var batch in result.ReadAsync(Cancel))
            {
                Assert.Equal("1", ((Apache.Arrow.StringArray)batch.Column(0)).GetString(0));
            }

            // A second erasure rewrites the rewritten versions again: the newest copy becomes current in the database.
            Assert.Equal(ErasureStatus.Completed, (await served.EraseAsync(dpo, "1004", "GDPR Art. 17 request #10", cancellationToken: Cancel)).Status);
            Assert.Equal(0, await PostgresRowsOfAsync(database, "1004"));
            Assert.True(await PostgresRowsOfAsync(database, "1005") > 0);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>Rows holding the subject in any table or view of the domain's PostgreSQL database with a customer_id column.</summary>
    private static async Task<long> PostgresRowsOfAsync(string database, string subject)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(Cancel);
        var relations = new List<(string Schema, string Name)>();
        await using (var list = new Npgsql.NpgsqlCommand(
            "SELECT table_schema, table_name FROM information_schema.columns WHERE column_name = 'customer_id' AND table_schema NOT IN ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync(Cancel))
        {
            while (await reader.ReadAsync(Cancel))
            {
                relations.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.NotEmpty(relations);
        long rows = 0;
        foreach (var (schema, name) in relations)
        {
            await using var count = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".\"{name}\" WHERE customer_id::text = '{subject}'", connection);
            rows += (long)(await count.ExecuteScalarAsync(Cancel))!;
        }

        return rows;
    }

    private async Task ApplyAsync() => Assert.Empty((await _platform.ApplyAsync(_mesh.Root, null, cancellationToken: Cancel)).Errors);

    private Task<ServedMesh> ServeAsync() => _platform.ServeAsync(new ServeOptions { DataFolder = _mesh.DataFolder }, Cancel);

    /// <summary>Rows holding the subject in any Parquet file under the data folder: published data, or quarantines.</summary>
    private async Task<long> RowsOfAsync(string subject, bool quarantine)
    {
        var files = Directory.EnumerateFiles(Path.Combine(_mesh.DataFolder, "data"), "*.parquet", SearchOption.AllDirectories)
            .Where(f => f.Contains("_quarantine", StringComparison.Ordinal) == quarantine).ToList();
        long rows = 0;
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(Cancel);
        foreach (var file in files)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM read_parquet('{file}') WHERE list_contains(['{subject}'], CAST(COLUMNS(c -> c = 'customer_id') AS VARCHAR))";
            rows += await SingleAsync(command);
        }

        return rows;
    }

    private static async Task<long> SingleAsync(System.Data.Common.DbCommand command)
    {
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DuckDBException)
        {
            return 0; // a file without a customer_id column
        }
    }
}
