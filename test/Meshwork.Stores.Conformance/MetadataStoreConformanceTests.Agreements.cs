using Meshwork.Platform.Store;

namespace Meshwork.Stores.Conformance;

/// <summary>Access agreements and the audit log's hash chain.</summary>
public abstract partial class MetadataStoreConformanceTests
{
    private Agreement NewAgreement(string id, string consumer = "alice", string dataset = "sales.orders.orders_v1", AgreementStatus status = AgreementStatus.Pending) =>
        new(id, consumer, dataset, "analytics", null, null, status, Time.GetUtcNow(), null, null, null);

    [Fact]
    public async Task Agreement_Added_ReadsBackAsWritten()
    {
        var store = await OpenAsync();
        var full = new Agreement("a1", "alice", "sales.orders.orders_v1", "fraud", ["order_id", "amount"], new DateOnly(2027, 1, 31), AgreementStatus.Active,
            Time.GetUtcNow(), "auto: policy x", Time.GetUtcNow(), "why");
        var bare = NewAgreement("a2");

        await store.AddAgreementAsync(full, Cancel);
        await store.AddAgreementAsync(bare, Cancel);

        var (readFull, readBare) = (await store.GetAgreementAsync("a1", Cancel), await store.GetAgreementAsync("a2", Cancel));
        Assert.Equal(full with { Columns = null }, readFull! with { Columns = null });
        Assert.Equal(["order_id", "amount"], readFull.Columns!);
        Assert.Equal(bare, readBare);
        Assert.Null(await store.GetAgreementAsync("nope", Cancel));
    }

    [Fact]
    public async Task ListAgreements_FiltersByConsumerAndDataset_NewestFirst()
    {
        var store = await OpenAsync();
        await store.AddAgreementAsync(NewAgreement("a1"), Cancel);
        await store.AddAgreementAsync(NewAgreement("a2", dataset: "customers.profiles.profiles_v1"), Cancel); // same instant: still newest first
        Time.Advance(TimeSpan.FromMinutes(1));
        await store.AddAgreementAsync(NewAgreement("a3", consumer: "bob"), Cancel);

        Assert.Equal(["a3", "a2", "a1"], (await store.ListAgreementsAsync(null, null, Cancel)).Select(a => a.Id));
        Assert.Equal(["a2", "a1"], (await store.ListAgreementsAsync("alice", null, Cancel)).Select(a => a.Id));
        Assert.Equal(["a3", "a1"], (await store.ListAgreementsAsync(null, "sales.orders.orders_v1", Cancel)).Select(a => a.Id));
        Assert.Equal(["a1"], (await store.ListAgreementsAsync("alice", "sales.orders.orders_v1", Cancel)).Select(a => a.Id));
    }

    [Fact]
    public async Task DecideAgreement_FromTheCurrentStatus_MovesItOnce()
    {
        var store = await OpenAsync();
        await store.AddAgreementAsync(NewAgreement("a1") with { Reason = "asked" }, Cancel);
        Time.Advance(TimeSpan.FromHours(1));

        Assert.True(await store.DecideAgreementAsync("a1", AgreementStatus.Pending, AgreementStatus.Active, "team-sales", null, Cancel));
        Assert.False(await store.DecideAgreementAsync("a1", AgreementStatus.Pending, AgreementStatus.Rejected, "team-sales", "too late", Cancel));

        var decided = await store.GetAgreementAsync("a1", Cancel);
        Assert.Equal((AgreementStatus.Active, "team-sales", Time.GetUtcNow(), "asked"), (decided!.Status, decided.DecidedBy, decided.DecidedAt, decided.Reason));
        Assert.True(await store.DecideAgreementAsync("a1", AgreementStatus.Active, AgreementStatus.Revoked, "alice", "done", Cancel));
        Assert.Equal((AgreementStatus.Revoked, "done"), (await store.GetAgreementAsync("a1", Cancel)) is { } r ? (r.Status, r.Reason) : default);
        Assert.False(await store.DecideAgreementAsync("nope", AgreementStatus.Pending, AgreementStatus.Active, "x", null, Cancel));
    }

    [Fact]
    public async Task DecideAgreement_RacedByTwoInstances_ExactlyOneWins()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();

        for (var round = 0; round < 10; round++)
        {
            var id = $"a{round}";
            await first.AddAgreementAsync(NewAgreement(id), Cancel);

            var results = await Task.WhenAll(
                Task.Run(() => first.DecideAgreementAsync(id, AgreementStatus.Pending, AgreementStatus.Active, "approver", null, Cancel), Cancel),
                Task.Run(() => second.DecideAgreementAsync(id, AgreementStatus.Pending, AgreementStatus.Rejected, "rejecter", "no", Cancel), Cancel));

            Assert.Single(results, won => won);
            var decided = await second.GetAgreementAsync(id, Cancel);
            Assert.Equal(results[0] ? (AgreementStatus.Active, "approver") : (AgreementStatus.Rejected, "rejecter"), (decided!.Status, decided.DecidedBy!));
        }
    }

    // ---- audit ---------------------------------------------------------------------------------------------

    private static AuditEntry Entry(int i) => new($"p{i}", "read", "a.b.c_v1", i % 2 == 0 ? "testing" : null, i % 3 == 0 ? null : "digest", i % 4 == 0 ? null : i,
        "allowed", i % 2 == 0 ? null : "detail");

    private async Task WriteAuditAsync(IMetadataStore store, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await store.AppendAuditAsync(Entry(i), Cancel);
        }
    }

    [Fact]
    public async Task AppendAudit_ChainsEachRecordToThePreviousOne()
    {
        var store = await OpenAsync();

        var first = await store.AppendAuditAsync(Entry(1), Cancel);
        var second = await store.AppendAuditAsync(Entry(2), Cancel);

        Assert.Equal(AuditChain.Genesis, first.PreviousHash);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.Equal(first.Seq + 1, second.Seq);
        Assert.NotEqual(first.Hash, second.Hash);
        Assert.Equal(second.Hash, await store.GetMetaAsync(MetaKeys.AuditHead, Cancel));
    }

    [Fact]
    public async Task GetAudit_ReadsTheNewestRecordsNewestFirst_AsAppended()
    {
        var store = await OpenAsync();
        var appended = new List<AuditRecord>();
        for (var i = 1; i <= 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            appended.Add(await store.AppendAuditAsync(Entry(i), Cancel));
        }

        var newest = await store.GetAuditAsync(3, Cancel);

        Assert.Equal(appended.AsEnumerable().Reverse().Take(3), newest);
        Assert.Empty(await store.VerifyAuditAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task VerifyAudit_EmptyOrUntouchedLog_IsIntact()
    {
        var store = await OpenAsync();
        Assert.Empty(await store.VerifyAuditAsync(cancellationToken: Cancel));

        await WriteAuditAsync(store, 5);

        Assert.Empty(await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel));
    }

    [Theory]
    [InlineData("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3", "record 3 was changed")]
    [InlineData("UPDATE audit_log SET rows = 999999 WHERE seq = 1", "record 1 was changed")]
    [InlineData("DELETE FROM audit_log WHERE seq = 2", "missing")]
    [InlineData("DELETE FROM audit_log WHERE seq = 5", "newest records were deleted")]
    [InlineData("UPDATE audit_log SET principal = 'eve', hash = 'x' WHERE seq = 4", "does not follow")]
    public async Task VerifyAudit_TamperedLog_NamesWhatWasTampered(string tamper, string expected)
    {
        await WriteAuditAsync(await OpenAsync(), 5);

        Assert.Equal(1, await ExecuteBehindTheStoreAsync(tamper, Cancel));

        var problems = await (await OpenAsync()).VerifyAuditAsync(cancellationToken: Cancel);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AppendAudit_FromEightInstancesAtOnce_KeepsOneChainLongerByExactlyEveryAppend()
    {
        const int Instances = 8, PerInstance = 10;
        var stores = new List<IMetadataStore>();
        for (var i = 0; i < Instances; i++)
        {
            stores.Add(await OpenAsync());
        }

        await WriteAuditAsync(stores[0], 3);
        var before = (await stores[0].GetAuditAsync(1, Cancel))[0].Seq;

        await Task.WhenAll(stores.Select((store, n) => Task.Run(async () =>
        {
            for (var i = 0; i < PerInstance; i++)
            {
                await store.AppendAuditAsync(Entry((n * PerInstance) + i), Cancel);
            }
        }, Cancel)));

        var records = await stores[1].GetAuditAsync(1000, Cancel);
        Assert.Equal(3 + (Instances * PerInstance), records.Count);
        Assert.Equal(before + (Instances * PerInstance), records[0].Seq);
        Assert.Empty(await stores[2].VerifyAuditAsync(cancellationToken: Cancel));
        Assert.Equal(records[0].Hash, await stores[3].GetMetaAsync(MetaKeys.AuditHead, Cancel));
    }
}
