using System.Globalization;
using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>
/// The keyed audit chain against someone who can write the database but has not the audit key: rewritten records,
/// a wrong key, records from before the chain was keyed, a downgrade, an anchored head, and appends from several instances.
/// </summary>
public abstract partial class MetadataStoreConformanceTests
{
    private static string TimeText(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string Sql(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static byte[] NoKey() => throw new InvalidOperationException("an unkeyed record needs no key");

    /// <summary>Rewrites the records from <paramref name="fromSeq"/> on behind the store, re-chained with plain SHA-256 as someone without the key can.</summary>
    private async Task RewriteWithPlainSha256Async(IReadOnlyList<AuditRecord> oldestFirst, long fromSeq, Func<AuditEntry, AuditEntry> edit, bool markUnkeyed)
    {
        var previous = oldestFirst.Single(r => r.Seq == fromSeq).PreviousHash;
        foreach (var record in oldestFirst.Where(r => r.Seq >= fromSeq))
        {
            var entry = record.Seq == fromSeq ? edit(record.Entry) : record.Entry;
            var hash = AuditChain.Hash(AuditSchemes.Sha256, NoKey, previous, TimeText(record.At), entry);
            var scheme = markUnkeyed ? $", scheme = '{AuditSchemes.Sha256}'" : string.Empty;
            Assert.Equal(1, await ExecuteBehindTheStoreAsync(string.Create(CultureInfo.InvariantCulture,
                $"UPDATE audit_log SET principal = {Sql(entry.Principal)}, prev_hash = '{previous}', hash = '{hash}'{scheme} WHERE seq = {record.Seq}"), Cancel));
            previous = hash;
        }

        Assert.Equal(1, await ExecuteBehindTheStoreAsync($"UPDATE meta SET value = '{previous}' WHERE key = '{MetaKeys.AuditHead}'", Cancel));
    }

    /// <summary>Inserts a record behind the store the way an older Meshwork did: a plain SHA-256, no scheme given (the column's default).</summary>
    private async Task<string> InsertUnkeyedAsync(long seq, string previous, AuditEntry entry)
    {
        var at = Time.GetUtcNow();
        var hash = AuditChain.Hash(AuditSchemes.Sha256, NoKey, previous, TimeText(at), entry);
        Assert.Equal(1, await ExecuteBehindTheStoreAsync(string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO audit_log (seq, at, principal, action, resource, purpose, plan_digest, rows, outcome, detail, prev_hash, hash)
            VALUES ({seq}, '{TimeText(at)}', {Sql(entry.Principal)}, {Sql(entry.Action)}, {Sql(entry.Resource)}, {Sql(entry.Purpose)}, {Sql(entry.PlanDigest)},
                {(entry.Rows is { } rows ? rows.ToString(CultureInfo.InvariantCulture) : "NULL")}, {Sql(entry.Outcome)}, {Sql(entry.Detail)}, '{previous}', '{hash}')
            """), Cancel));
        await ExecuteBehindTheStoreAsync($"DELETE FROM meta WHERE key = '{MetaKeys.AuditHead}'", Cancel);
        Assert.Equal(1, await ExecuteBehindTheStoreAsync($"INSERT INTO meta (key, value) VALUES ('{MetaKeys.AuditHead}', '{hash}')", Cancel));
        return hash;
    }

    private static async Task<IReadOnlyList<AuditRecord>> OldestFirstAsync(IMetadataStore store) => [.. (await store.GetAuditAsync(1000, Cancel)).Reverse()];

    [Fact]
    public async Task AppendAudit_KeyedChain_IsAnHmacOfEachRecordWithTheKey()
    {
        var store = await OpenAsync();
        await WriteAuditAsync(store, 3);

        var records = await OldestFirstAsync(store);

        Assert.All(records, r => Assert.Equal(AuditSchemes.HmacSha256, r.Scheme));
        Assert.All(records, r => Assert.Equal(AuditChain.Hash(AuditSchemes.HmacSha256, () => AuditKey, r.PreviousHash, TimeText(r.At), r.Entry), r.Hash));
        Assert.All(records, r => Assert.NotEqual(AuditChain.Hash(AuditSchemes.Sha256, NoKey, r.PreviousHash, TimeText(r.At), r.Entry), r.Hash));
        Assert.Empty(await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task VerifyAudit_RecordRewrittenWithARecomputedPlainHash_IsDetected()
    {
        var store = await OpenAsync();
        await WriteAuditAsync(store, 5);

        await RewriteWithPlainSha256Async(await OldestFirstAsync(store), 3, e => e with { Principal = "eve" }, markUnkeyed: false);

        var problems = await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel);
        Assert.Contains(problems, p => p.StartsWith("record 3 was changed", StringComparison.Ordinal) && p.Contains("2 later record(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAudit_RecordsRewrittenAndMarkedUnkeyed_IsADowngrade()
    {
        var store = await OpenAsync();
        await WriteAuditAsync(store, 5);

        await RewriteWithPlainSha256Async(await OldestFirstAsync(store), 4, e => e with { Principal = "eve" }, markUnkeyed: true);

        var problem = Assert.Single(await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel));
        Assert.StartsWith("record 4 is unkeyed (plain SHA-256) after the keyed record 1: a downgrade", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAudit_UnkeyedRecordAppendedAfterKeyedOnes_IsADowngrade()
    {
        var store = await OpenAsync();
        await WriteAuditAsync(store, 2);
        var head = (await store.GetAuditAsync(1, Cancel))[0];

        await InsertUnkeyedAsync(head.Seq + 1, head.Hash, Entry(9));

        var problem = Assert.Single(await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel));
        Assert.Contains("record 3 is unkeyed", problem, StringComparison.Ordinal);
        Assert.Contains("downgrade", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAudit_WithAnotherKey_NamesTheFirstRecordThatDoesNotMatch()
    {
        await WriteAuditAsync(await OpenAsync(), 4);

        AuditKey = [.. Enumerable.Repeat((byte)7, 32)];
        var problem = Assert.Single(await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel));

        Assert.Equal("record 1 was changed after it was written, or the audit key is not the one it was written with (3 later record(s) do not match their hash too)", problem);
    }

    [Fact]
    public async Task VerifyAudit_UnkeyedRecordsFromBeforeTheKeyThenKeyedOnes_IsIntact()
    {
        var store = await OpenAsync();
        var previous = AuditChain.Genesis;
        for (var seq = 1; seq <= 3; seq++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            previous = await InsertUnkeyedAsync(seq, previous, Entry(seq));
        }

        Time.Advance(TimeSpan.FromSeconds(1));
        var keyed = await store.AppendAuditAsync(Entry(4), Cancel);
        await WriteAuditAsync(store, 2);

        Assert.Equal((4L, previous), (keyed.Seq, keyed.PreviousHash));
        Assert.Equal([AuditSchemes.Sha256, AuditSchemes.Sha256, AuditSchemes.Sha256, AuditSchemes.HmacSha256, AuditSchemes.HmacSha256, AuditSchemes.HmacSha256],
            (await OldestFirstAsync(store)).Select(r => r.Scheme));
        Assert.Empty(await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task VerifyAudit_AnchoredHeadStillInTheChain_IsIntact()
    {
        var store = await OpenAsync();
        await WriteAuditAsync(store, 3);
        var anchored = (await store.GetAuditAsync(1, Cancel))[0].Hash;
        await WriteAuditAsync(store, 2);

        Assert.Empty(await (await OpenAsync()).VerifyAuditAsync(anchored, Cancel));
    }

    [Fact]
    public async Task VerifyAudit_WholeChainRewrittenUnkeyed_OnlyTheAnchoredHeadCatchesIt()
    {
        var store = await OpenAsync();
        await WriteAuditAsync(store, 4);
        var anchored = (await store.GetAuditAsync(1, Cancel))[0].Hash;

        await RewriteWithPlainSha256Async(await OldestFirstAsync(store), 1, e => e with { Principal = "eve" }, markUnkeyed: true);

        var verifier = await OpenAsync();
        Assert.Empty(await verifier.VerifyAuditAsync(cancellationToken: Cancel)); // it looks like a log from before the key
        var problem = Assert.Single(await verifier.VerifyAuditAsync(anchored, Cancel));
        Assert.Equal($"the anchored head {anchored} is not in the chain: the records up to it were rewritten or deleted", problem);
    }

    [Fact]
    public async Task AppendAudit_FromTwoInstancesInParallel_KeepsOneKeyedChain()
    {
        const int PerInstance = 25;
        var (first, second) = (await OpenAsync(), await OpenAsync());

        await Task.WhenAll(new[] { first, second }.Select((store, n) => Task.Run(async () =>
        {
            for (var i = 0; i < PerInstance; i++)
            {
                await store.AppendAuditAsync(Entry((n * PerInstance) + i), Cancel);
            }
        }, Cancel)));

        var records = await OldestFirstAsync(first);
        Assert.Equal(Enumerable.Range(1, 2 * PerInstance).Select(i => (long)i), records.Select(r => r.Seq));
        Assert.All(records.Skip(1).Zip(records), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        Assert.All(records, r => Assert.Equal(AuditSchemes.HmacSha256, r.Scheme));
        Assert.Empty(await second.VerifyAuditAsync(cancellationToken: Cancel));
    }
}
