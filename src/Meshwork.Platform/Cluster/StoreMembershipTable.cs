using System.Text.Json;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Cluster;

/// <summary>
/// Orleans' membership table on the metadata store (<see cref="IClusterMembership"/>): a node is a silo, named by its
/// parsable address (<c>ip:port@generation</c>); its entry is kept as JSON of Meshwork's own shape, so nothing depends on
/// how Orleans serializes its types. The "I am alive" time lives in its own column (written without an etag) and is
/// put back into the entry as it is read.
/// </summary>
public sealed class StoreMembershipTable(IClusterMembership store, string clusterId) : IMembershipTable
{
    public Task InitializeMembershipTable(bool tryInitTableVersion) =>
        // Creating the version is idempotent: every node may try.
        store.InitializeClusterAsync(clusterId);

    public Task DeleteMembershipTableEntries(string clusterId) => store.DeleteClusterAsync(clusterId);

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => store.RemoveDefunctMembersAsync(clusterId, beforeDate);

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Data(await store.ReadClusterAsync(clusterId, key.ToParsableString()).ConfigureAwait(false));
    }

    public async Task<MembershipTableData> ReadAll() => Data(await store.ReadClusterAsync(clusterId).ConfigureAwait(false));

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(tableVersion);
        return store.InsertMemberAsync(clusterId, Member(entry), tableVersion.Version, tableVersion.VersionEtag);
    }

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(tableVersion);
        return store.UpdateMemberAsync(clusterId, Member(entry), etag, tableVersion.Version, tableVersion.VersionEtag);
    }

    public Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return store.UpdateIAmAliveAsync(clusterId, entry.SiloAddress.ToParsableString(), Utc(entry.IAmAliveTime));
    }

    private static MembershipTableData Data(ClusterView view) =>
        new([.. view.Members.Select(m => Tuple.Create(Entry(m), m.ETag))], new TableVersion(view.Version, view.VersionEtag));

    private static MembershipRow Member(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var stored = new StoredEntry(entry.Status.ToString(), [.. (entry.SuspectTimes ?? []).Select(s => new StoredSuspicion(s.Item1.ToParsableString(), Utc(s.Item2)))],
            entry.ProxyPort, entry.HostName, entry.SiloName, entry.RoleName, entry.UpdateZone, entry.FaultZone, Utc(entry.StartTime));
        return new MembershipRow(entry.SiloAddress.ToParsableString(), entry.Status == SiloStatus.Dead ? MembershipRow.Dead : entry.Status.ToString(),
            Utc(entry.IAmAliveTime), JsonSerializer.Serialize(stored, Json));
    }

    private static MembershipEntry Entry(MembershipRow member)
    {
        var stored = JsonSerializer.Deserialize<StoredEntry>(member.Entry, Json)
            ?? throw new InvalidOperationException($"The membership entry of {member.Node} is empty.");
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(member.Node),
            Status = Enum.Parse<SiloStatus>(stored.Status),
            SuspectTimes = [.. stored.Suspicions.Select(s => Tuple.Create(SiloAddress.FromParsableString(s.By), s.At.UtcDateTime))],
            ProxyPort = stored.ProxyPort,
            HostName = stored.HostName ?? string.Empty,
            SiloName = stored.SiloName ?? string.Empty,
            RoleName = stored.RoleName,
            UpdateZone = stored.UpdateZone,
            FaultZone = stored.FaultZone,
            StartTime = stored.StartTime.UtcDateTime,
            IAmAliveTime = member.IAmAlive.UtcDateTime,
        };
    }

    // Orleans' times are UTC DateTimes (a Local or Unspecified one is taken as UTC).
    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record StoredEntry(string Status, IReadOnlyList<StoredSuspicion> Suspicions, int ProxyPort, string? HostName, string? SiloName, string? RoleName,
        int UpdateZone, int FaultZone, DateTimeOffset StartTime);

    private sealed record StoredSuspicion(string By, DateTimeOffset At);
}
