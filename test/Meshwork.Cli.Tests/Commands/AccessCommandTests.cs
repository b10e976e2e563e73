using System.Text.Json;
using Meshwork.Platform;
using Meshwork.Platform.Store;
using Microsoft.Data.Sqlite;

namespace Meshwork.Cli.Tests.Commands;

/// <summary><c>mesh audit head</c> and <c>mesh audit verify --head</c>: a head exported for anchoring elsewhere, checked later.</summary>
public sealed class AccessCommandTests : IAsyncLifetime
{
    private readonly string _mesh = CliRunner.NewTempPath();

    private string Data => Path.Combine(_mesh, ".mesh");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        CliRunner.CopyTree(CliRunner.BaseMesh, _mesh);
        var apply = CliRunner.Run("apply", _mesh, "--yes");
        Assert.True(apply.ExitCode == 0, apply.Error + apply.Output);

        // Appended as the platform does, keyed with the data folder's audit key.
        await using var store = await MeshworkPlatform.Create().OpenStoreAsync(Data, Cancel);
        for (var i = 0; i < 3; i++)
        {
            await store.AppendAuditAsync(new AuditEntry("olivia", "read", "sales.orders.orders_v1", "testing", null, i, "allowed", null), Cancel);
        }
    }

    [Fact]
    public async Task AuditHead_Json_IsTheNewestRecordsSeqTimeHashAndScheme()
    {
        var (exitCode, output, error) = CliRunner.Run("audit", "head", "--data", Data, "--format", "json");

        Assert.True(exitCode == 0, error);
        await using var store = await MeshworkPlatform.Create().OpenStoreAsync(Data, Cancel);
        var newest = (await store.GetAuditAsync(1, Cancel))[0];
        using var head = JsonDocument.Parse(output);
        Assert.Equal(newest.Seq, head.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(newest.At, head.RootElement.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(newest.Hash, head.RootElement.GetProperty("hash").GetString());
        Assert.Equal(AuditSchemes.HmacSha256, head.RootElement.GetProperty("scheme").GetString());
    }

    [Fact]
    public void AuditHead_Text_NamesSeqAndHash()
    {
        var hash = HeadHash();

        var (exitCode, output, _) = CliRunner.Run("audit", "head", "--data", Data);

        Assert.Equal(0, exitCode);
        Assert.Contains($"hash   {hash}", output, StringComparison.Ordinal);
        Assert.Contains("scheme hmac-sha256", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_WithTheExportedHeadAfterMoreAppends_IsIntact()
    {
        var hash = HeadHash();
        await using (var store = await MeshworkPlatform.Create().OpenStoreAsync(Data, Cancel))
        {
            await store.AppendAuditAsync(new AuditEntry("olivia", "read", "sales.orders.orders_v1", "testing", null, 9, "allowed", null), Cancel);
        }

        var (exitCode, output, error) = CliRunner.Run("audit", "verify", "--data", Data, "--head", hash);

        Assert.True(exitCode == 0, error + output);
        Assert.Contains($"still holds the anchored head {hash}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditVerify_AnchoredHeadCutOffWithTheStoredHeadMovedBack_ExitsOneNamingIt()
    {
        var hash = HeadHash();
        // Someone who can write the database deletes the newest record and points the store's head at the one before:
        // the chain left is consistent, only the anchored head shows what is gone.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(Data, "meshwork.db")};Pooling=false"))
        {
            await connection.OpenAsync(Cancel);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log);
                UPDATE meta SET value = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) WHERE key = 'audit_head';
                """;
            await command.ExecuteNonQueryAsync(Cancel);
        }

        var withoutAnchor = CliRunner.Run("audit", "verify", "--data", Data);
        var (exitCode, output, _) = CliRunner.Run("audit", "verify", "--data", Data, "--head", hash);

        Assert.Equal(0, withoutAnchor.ExitCode);
        Assert.Equal(1, exitCode);
        Assert.Contains($"tampered: the anchored head {hash} is not in the chain", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void AuditVerify_WithAHeadThatIsNoHash_IsAUsageErrorNamingIt(string head)
    {
        var (exitCode, _, error) = CliRunner.Run("audit", "verify", "--data", Data, "--head", head);

        Assert.Equal(2, exitCode);
        Assert.Contains($"--head '{head}' is not an audit hash", error, StringComparison.Ordinal);
    }

    private string HeadHash()
    {
        var (exitCode, output, error) = CliRunner.Run("audit", "head", "--data", Data, "--format", "json");
        Assert.True(exitCode == 0, error);
        using var head = JsonDocument.Parse(output);
        return head.RootElement.GetProperty("hash").GetString()!;
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_mesh))
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_mesh, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
