using Apache.Arrow;
using Meshwork.Engines.Ir;
using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Engines.Postgres.Tests;

/// <summary>
/// What locks a PostgreSQL consumer session down, beyond the conformance suite: the read's own login role reaches its
/// governed views and nothing else (no version table, no key, no other session, no file, no other role), runs one
/// read-only statement within its time, and is gone when the session ends. Queries here go to the engine directly,
/// as if the resolver had missed them (the second layer).
/// </summary>
public sealed class PostgresQueryEngineTests : IAsyncLifetime
{
    private const string Address = "test.read.people_v1";
    private const string Version = "20261207T000000000-aaaaaaaa";
    private static readonly byte[] Key = "postgres-read-tests-key"u8.ToArray();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "meshwork-pg-read-" + Guid.NewGuid().ToString("N"));
    private string _database = string.Empty;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync("read_" + Guid.NewGuid().ToString("N"));
        await using var engine = await PostgresEngine.OpenAsync(_database, cancellationToken: Cancel);
        await engine.TransformAsync("SELECT * FROM (VALUES (1, 'anna@example.org', 'DE'), (2, 'ben@example.org', 'FR')) AS t(id, email, country)", "people", Cancel);
        await engine.PublishAsync("people", Path.Combine(_folder, Version), null, Cancel);
        await engine.PublishVersionAsync("people", Address, Version, Cancel);
        await engine.MakeCurrentAsync([new DatasetVersion(Address, Version)], Cancel);
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Serve_MaskedFilteredView_IsWhatTheRoleReads()
    {
        await using var consumer = await ServeAsync();

        var rows = await RowsAsync(consumer, $"SELECT id, email FROM {Address}");

        var row = Assert.Single(rows);
        Assert.Equal("1", row[0]);
        Assert.Equal(64, row[1]!.Length);
    }

    [Theory]
    // The version table and the view of the current one, around the governed view.
    [InlineData($"SELECT email FROM meshwork_data.\"{Address}@{Version}\"")]
    [InlineData($"SELECT email FROM meshwork_data.\"{Address}\"")]
    // The key of the keyed hash.
    [InlineData("SELECT inner_pad FROM \"_mask_key\"")]
    // Another role, by a setting or by SET.
    [InlineData("SELECT set_config('role', 'postgres', false)")]
    [InlineData("SET ROLE postgres")]
    [InlineData("SET SESSION AUTHORIZATION postgres")]
    // Files and directories of the server.
    [InlineData("SELECT pg_read_file('/etc/passwd')")]
    [InlineData("SELECT pg_ls_dir('.')")]
    [InlineData("SELECT lo_import('/etc/passwd')")]
    // SQL run by a function, as the reader.
    [InlineData($"SELECT query_to_xml('SELECT email FROM meshwork_data.\"{Address}@{Version}\"', true, false, '')")]
    // Writes, and more than one statement.
    [InlineData("CREATE TABLE leaked (a int)")]
    [InlineData($"SELECT id FROM {Address}; SELECT 1")]
    public async Task ReadRole_ReachesNothingButItsViews(string sql)
    {
        await using var consumer = await ServeAsync();

        var error = await Record.ExceptionAsync(() => RowsAsync(consumer, sql));

        Assert.True(error is EngineException, $"'{sql}' should have been refused, but {(error is null ? "it ran" : "threw " + error.GetType().Name + ": " + error.Message)}.");
    }

    [Fact]
    public async Task ReadRole_CannotReachAnotherSessionsViews()
    {
        await using var other = await ServeAsync(hashed: false);
        await using var consumer = await ServeAsync();

        // The other session shows the clear email; its views are in its own schema, for its own role.
        Assert.Contains("@", (await RowsAsync(other, $"SELECT email FROM {Address}"))[0][0], StringComparison.Ordinal);
        var error = await Record.ExceptionAsync(() => RowsAsync(consumer, $"SELECT email FROM \"{other.ReadRole}\".\"{Address}\""));

        Assert.IsType<EngineException>(error);
    }

    [Fact]
    public async Task Dispose_DropsTheRoleAndItsViews()
    {
        string role;
        await using (var consumer = await ServeAsync())
        {
            role = consumer.ReadRole!;
            Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));
        }

        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{role}'"));
    }

    [Fact]
    public async Task Serve_LeftoversOfADeadProcess_AreDroppedOnceTheirLoginWindowPassed()
    {
        // What a process killed while reading leaves: a role past its login window with no connection, and its schema.
        var dead = PostgresQueryEngine.ReadPrefix + "dead" + Guid.NewGuid().ToString("N")[..8];
        var young = PostgresQueryEngine.ReadPrefix + "young" + Guid.NewGuid().ToString("N")[..8];
        await ScalarAsync($"CREATE ROLE \"{dead}\" LOGIN VALID UNTIL '2020-01-01'; CREATE SCHEMA \"{dead}\"; GRANT USAGE ON SCHEMA \"{dead}\" TO \"{dead}\"; SELECT 0");
        await ScalarAsync($"CREATE ROLE \"{young}\" LOGIN VALID UNTIL 'infinity'; SELECT 0");

        await using (await ServeAsync())
        {
            Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pg_roles WHERE rolname = '{dead}'"));
            Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{dead}'"));
            // A role still within its window may be a read about to log in.
            Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM pg_roles WHERE rolname = '{young}'"));
        }

        await ScalarAsync($"DROP ROLE \"{young}\"; SELECT 0");
    }

    [Fact]
    public async Task Read_LongerThanTheTimeout_IsStoppedByTheServer()
    {
        await using var consumer = await ServeAsync(limits: new ConsumerLimits { Timeout = TimeSpan.FromMilliseconds(300) });

        var error = await Assert.ThrowsAsync<EngineException>(() => RowsAsync(consumer, "SELECT pg_sleep(30)"));

        Assert.Contains("statement timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_VersionTheDatabaseDoesNotHold_IsNotHeld()
    {
        await using var consumer = await PostgresQueryEngine.OpenAsync(_database, cancellationToken: Cancel);

        var error = await Assert.ThrowsAsync<VersionNotHeldException>(() => consumer.ServeAsync(
            [new GovernedView(Address, Path.Combine(_folder, "20200101T000000000-bbbbbbbb"), [new GovernedColumn("id")])], new ConsumerLimits(), Key, Cancel));

        Assert.Contains(Address, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InspectQuery_RunsTheConsumersOwnText()
    {
        await using var consumer = await ServeAsync();

        // DuckDB's parser rebuilds count(*) as count_star(), which PostgreSQL has not: the text as written runs.
        var inspection = await consumer.InspectQueryAsync($"SELECT count(*) AS n FROM {Address} -- a comment;", new ConsumerLimits(), Cancel);

        Assert.Equal([Address], inspection.Datasets);
        Assert.Equal("1", (await RowsAsync(consumer, inspection.Sql))[0][0]);
    }

    /// <summary>A session serving the people: email hashed (or clear), only DE rows.</summary>
    private async Task<PostgresQueryEngine> ServeAsync(bool hashed = true, ConsumerLimits? limits = null)
    {
        var consumer = await PostgresQueryEngine.OpenAsync(_database, cancellationToken: Cancel);
        try
        {
            await consumer.ServeAsync(
                [new GovernedView(Address, Path.Combine(_folder, Version), [new GovernedColumn("id"), new GovernedColumn("email", hashed ? new ColumnMask(MaskKind.Hash) : null)],
                    new FilterBinary(FilterOperator.Equal, new FilterColumn("country"), new FilterConstant("DE")))],
                limits ?? new ConsumerLimits(), Key, Cancel);
            return consumer;
        }
        catch
        {
            await consumer.DisposeAsync();
            throw;
        }
    }

    private static async Task<List<string?[]>> RowsAsync(PostgresQueryEngine consumer, string sql)
    {
        var rows = new List<string?[]>();
        using var stream = await consumer.ReadArrowAsync(sql, Cancel);
        while (await stream.ReadNextRecordBatchAsync(Cancel) is { } batch)
        {
            using (batch)
            {
                for (var r = 0; r < batch.Length; r++)
                {
                    rows.Add([.. batch.Arrays.Select(a => a.IsNull(r) ? null : a switch
                    {
                        StringArray s => s.GetString(r),
                        Int32Array i => i.GetValue(r)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Int64Array l => l.GetValue(r)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => a.Data.DataType.Name,
                    })]);
                }
            }
        }

        return rows;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }
}
