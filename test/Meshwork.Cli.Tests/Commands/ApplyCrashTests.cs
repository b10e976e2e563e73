using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Meshwork.Engines.DuckDb;

namespace Meshwork.Cli.Tests.Commands;

/// <summary>
/// <c>kill -9</c> of <c>mesh apply</c> at several moments: the next apply runs at once (the killed holder's lease
/// is taken over, its run ended as failed), converges to what an uninterrupted run publishes, and every dataset
/// pointer always names a complete snapshot.
/// </summary>
public sealed class ApplyCrashTests
{
    private static readonly int[] KillAfterMilliseconds = [150, 400, 700, 1000, 1400, 2000, 3000];

    [Fact]
    public async Task Apply_KilledAtAnyMoment_ConvergesOnTheNextApply()
    {
        var reference = NewMesh();
        var crashed = NewMesh();
        try
        {
            var expected = Published(RunToEnd(reference));

            foreach (var delay in KillAfterMilliseconds)
            {
                using var child = Start(crashed);
                await Task.Delay(delay);
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true); // SIGKILL: no cleanup of any kind
                }

                await child.WaitForExitAsync();
                await AssertPointersNameCompleteSnapshotsAsync(crashed);
            }

            var converged = RunToEnd(crashed);
            Assert.Equal(expected, Published(converged));
            await AssertPointersNameCompleteSnapshotsAsync(crashed);
            AssertKilledRunsEndedAsFailed(crashed);
        }
        finally
        {
            Directory.Delete(reference, recursive: true);
            Directory.Delete(crashed, recursive: true);
        }
    }

    /// <summary>The base mesh with a larger source, so a run lasts long enough to be killed in the middle.</summary>
    private static string NewMesh()
    {
        var target = CliRunner.NewTempPath();
        CliRunner.CopyTree(CliRunner.BaseMesh, target);

        var csv = new StringBuilder("order_id,customer_id,amount\n");
        for (var i = 1; i <= 300_000; i++)
        {
            csv.Append(i).Append(',').Append(1 + (i % 2)).Append(',').Append((i % 1000 / 10.0).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        csv.Append("oops,1,1\n"); // one invalid row: quarantine is part of what must converge
        File.WriteAllText(Path.Combine(target, "domains/sales/orders/data/orders.csv"), csv.ToString());
        return target;
    }

    private static Process Start(string mesh)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Meshwork.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { cli, "apply", mesh, "--yes", "--format", "json" })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static JsonElement RunToEnd(string mesh)
    {
        using var child = Start(mesh);
        var output = child.StandardOutput.ReadToEnd();
        var error = child.StandardError.ReadToEnd();
        child.WaitForExit();
        Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {error}\n{output}");
        using var json = JsonDocument.Parse(output);
        return json.RootElement.Clone();
    }

    private static List<string> Published(JsonElement result) =>
        [.. result.GetProperty("datasets").EnumerateArray()
            .Select(d => $"{d.GetProperty("address").GetString()}: {d.GetProperty("published").GetInt64()} + {d.GetProperty("quarantined").GetInt64()}")
            .Order(StringComparer.Ordinal)];

    /// <summary>No run of a killed process stays <c>running</c>: each was ended as failed when the next apply found its holder dead.</summary>
    private static void AssertKilledRunsEndedAsFailed(string mesh)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(mesh, ".mesh", "meshwork.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, coalesce(failure, '') FROM runs";
        using var reader = command.ExecuteReader();
        var runs = new List<string>();
        while (reader.Read())
        {
            runs.Add($"{reader.GetString(0)}: {reader.GetString(1)}");
        }

        Assert.Contains(runs, r => r.StartsWith("succeeded", StringComparison.Ordinal));
        Assert.All(runs, r => Assert.True(r is "succeeded: " or $"failed: {Meshwork.Platform.Store.Lease.LapsedFailure}", r));
    }

    /// <summary>Every pointer in the store names a snapshot folder that is complete: its Parquet reads in full.</summary>
    private static async Task AssertPointersNameCompleteSnapshotsAsync(string mesh)
    {
        var data = Path.Combine(mesh, ".mesh");
        if (!File.Exists(Path.Combine(data, "meshwork.db")))
        {
            return; // killed before anything was recorded
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(data, "meshwork.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using (var exists = connection.CreateCommand())
        {
            exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'datasets'";
            if ((long)exists.ExecuteScalar()! == 0)
            {
                return; // killed before the first migration committed: nothing recorded
            }
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT d.address, s.snapshot, s.rows FROM datasets d JOIN snapshots s ON s.address = d.address AND s.snapshot = d.current_snapshot";
        using var reader = command.ExecuteReader();
        await using var engine = await DuckDbEngine.OpenAsync();
        while (reader.Read())
        {
            var folder = Path.Combine(data, reader.GetString(1));
            Assert.True(Directory.Exists(folder), $"{reader.GetString(0)} points at missing {folder}");
            await using var rows = await engine.ReadAsync($"SELECT count(*) FROM read_parquet('{Path.Combine(folder, "*.parquet")}')");
            Assert.True(await rows.ReadAsync());
            Assert.Equal(reader.GetInt64(2), Convert.ToInt64(rows.GetValue(0), CultureInfo.InvariantCulture));
        }
    }
}
