using System.Net;
using Meshwork.Platform.Cluster;

namespace Meshwork.Platform.Tests.Cluster;

public sealed class StoreMembershipTableTests : StoreMembershipTableTests<SqliteTestStore>;

/// <summary>The same tests on the PostgreSQL store.</summary>
public sealed class StoreMembershipTableOnPostgresTests : StoreMembershipTableTests<PostgresTestStore>;

/// <summary>
/// Orleans' membership table on the metadata store, through Orleans' own types: an entry comes back as it went in, and
/// the table's versions and etags refuse a write made from a stale view, as Orleans' membership protocol relies on.
/// </summary>
public abstract class StoreMembershipTableTests<TStore> : PlatformTestBase<TStore>
    where TStore : ITestStore
{
    private static readonly DateTime Start = new(2026, 11, 25, 11, 0, 0, DateTimeKind.Utc);

    private static MembershipEntry Entry(int port, SiloStatus status = SiloStatus.Active) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 7),
        Status = status,
        SuspectTimes = [Tuple.Create(SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 22222), 3), Start.AddMinutes(5))],
        ProxyPort = port + 1,
        HostName = "node-" + port,
        SiloName = "silo-" + port,
        RoleName = "meshwork",
        UpdateZone = 1,
        FaultZone = 2,
        StartTime = Start,
        IAmAliveTime = Start.AddMinutes(1),
    };

    private async Task<StoreMembershipTable> TableAsync()
    {
        var table = new StoreMembershipTable(await Platform.OpenStoreAsync(Repo.DataFolder, TestContext.Current.CancellationToken), "mesh-" + Guid.NewGuid().ToString("N")[..8]);
        await table.InitializeMembershipTable(true);
        return table;
    }

    [Fact]
    public async Task InsertRow_ThenReadAll_GivesTheEntryBackWithANewVersion()
    {
        var table = await TableAsync();
        var empty = await table.ReadAll();

        Assert.True(await table.InsertRow(Entry(11111), empty.Version.Next()));

        var data = await table.ReadAll();
        var (entry, etag) = Assert.Single(data.Members);
        var expected = Entry(11111);
        Assert.Equal(expected.SiloAddress, entry.SiloAddress);
        Assert.Equal((expected.Status, expected.ProxyPort, expected.HostName, expected.SiloName, expected.RoleName, expected.UpdateZone, expected.FaultZone),
            (entry.Status, entry.ProxyPort, entry.HostName, entry.SiloName, entry.RoleName, entry.UpdateZone, entry.FaultZone));
        Assert.Equal((expected.StartTime, expected.IAmAliveTime), (entry.StartTime, entry.IAmAliveTime));
        var suspicion = Assert.Single(entry.SuspectTimes!);
        Assert.Equal((expected.SuspectTimes![0].Item1, expected.SuspectTimes[0].Item2), (suspicion.Item1, suspicion.Item2));
        Assert.NotEmpty(etag);
        Assert.Equal(empty.Version.Version + 1, data.Version.Version);
        Assert.Equal(expected.SiloAddress, Assert.Single((await table.ReadRow(expected.SiloAddress)).Members).Item1.SiloAddress);
    }

    [Fact]
    public async Task Writes_FromAStaleView_AreRefused()
    {
        var table = await TableAsync();
        var stale = await table.ReadAll();
        Assert.True(await table.InsertRow(Entry(11111), stale.Version.Next()));

        Assert.False(await table.InsertRow(Entry(11112), stale.Version.Next()));
        var current = await table.ReadAll();
        var (entry, etag) = current.Members[0];
        entry.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRow(entry, etag, stale.Version.Next()));
        Assert.False(await table.UpdateRow(entry, "stale-etag", current.Version.Next()));
        Assert.True(await table.UpdateRow(entry, etag, current.Version.Next()));

        Assert.Equal(SiloStatus.Dead, (await table.ReadAll()).Members[0].Item1.Status);
    }

    [Fact]
    public async Task UpdateIAmAlive_IsReadBack_WithoutChangingTheView_AndDeadSilosAreCleanedUp()
    {
        var table = await TableAsync();
        Assert.True(await table.InsertRow(Entry(11111), (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(Entry(11112, SiloStatus.Dead), (await table.ReadAll()).Version.Next()));
        var before = await table.ReadAll();

        var alive = Entry(11111);
        alive.IAmAliveTime = Start.AddHours(1);
        await table.UpdateIAmAlive(alive);
        var after = await table.ReadAll();

        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Members.Select(m => m.Item2), after.Members.Select(m => m.Item2));
        Assert.Equal(Start.AddHours(1), after.Members.Single(m => m.Item1.SiloAddress.Endpoint.Port == 11111).Item1.IAmAliveTime);

        await table.CleanupDefunctSiloEntries(new DateTimeOffset(Start.AddMinutes(30)));
        Assert.Equal([11111], (await table.ReadAll()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port));
    }
}
