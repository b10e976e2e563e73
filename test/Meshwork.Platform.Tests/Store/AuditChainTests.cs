using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Meshwork.Platform.Tests.Store;

/// <summary>The audit log's hash chain in the SQLite store: intact when untouched, and every kind of tampering found.</summary>
public sealed class AuditChainTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "meshwork-audit-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Verify_UntouchedLog_IsIntact()
    {
        await WriteRecordsAsync(5);

        await using var store = await SqliteMetadataStore.OpenAsync(_folder, _time);
        Assert.Empty(await store.VerifyAuditAsync());
    }

    [Fact]
    public async Task Append_ChainsEachRecordToThePreviousOne()
    {
        await using var store = await SqliteMetadataStore.OpenAsync(_folder, _time);

        var first = await store.AppendAuditAsync(Entry(1));
        var second = await store.AppendAuditAsync(Entry(2));

        Assert.Equal(AuditChain.Genesis, first.PreviousHash);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.NotEqual(first.Hash, second.Hash);
    }

    [Theory]
    [InlineData("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3", "record 3 was changed")]
    [InlineData("UPDATE audit_log SET rows = 999999 WHERE seq = 1", "record 1 was changed")]
    [InlineData("DELETE FROM audit_log WHERE seq = 2", "missing")]
    [InlineData("DELETE FROM audit_log WHERE seq = 5", "newest records were deleted")]
    [InlineData("UPDATE audit_log SET principal = 'eve', hash = 'x' WHERE seq = 4", "does not follow")]
    public async Task Verify_TamperedLog_NamesWhatWasTampered(string tamper, string expected)
    {
        await WriteRecordsAsync(5);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, SqliteMetadataStore.FileName)};Pooling=false"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = tamper;
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        await using var store = await SqliteMetadataStore.OpenAsync(_folder, _time);
        var problems = await store.VerifyAuditAsync();

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    private async Task WriteRecordsAsync(int count)
    {
        await using var store = await SqliteMetadataStore.OpenAsync(_folder, _time);
        for (var i = 1; i <= count; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await store.AppendAuditAsync(Entry(i));
        }
    }

    private static AuditEntry Entry(int i) => new($"p{i}", "read", "a.b.c_v1", "testing", "digest", i, "allowed", null);
}
