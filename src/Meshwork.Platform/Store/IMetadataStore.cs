using Meshwork.Engines;
using Meshwork.Platform.Planning;

namespace Meshwork.Platform.Store;

/// <summary>
/// The platform's metadata, split by aggregate (one interface, one job each) and kept in one store: any number of
/// processes may use it at once (DESIGN.md §7). Every method is one transaction. SQLite is the embedded default
/// (<see cref="IMetadataStoreProvider"/> chooses the store); a service that needs one aggregate depends on its
/// interface only.
/// </summary>
public interface IMetadataStore : IAppliedStateStore, IRunLedger, ISnapshotPointers, IQualityHistory, IAgreementStore, IAuditLog, IClusterMembership, IReminderStore, IGrainStateStore,
    IErasureStore,
    IAsyncDisposable
{
    /// <summary>The schema registry's subjects and schemas, kept in the same store.</summary>
    IRegistryStore Registry { get; }
}

/// <summary>The applied mesh: products, ports, datasets, contract versions as applied, lineage and platform settings.</summary>
public interface IAppliedStateStore
{
    Task<AppliedState> GetAppliedStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Records a plan's allowed changes (products, ports, datasets, contract versions, lineage) in one transaction.</summary>
    Task RecordPlanAsync(Plan plan, CancellationToken cancellationToken = default);

    /// <summary>The ODCS document (JSON) of a contract version as applied, or null when it never was.</summary>
    Task<string?> GetContractDocumentAsync(string contractId, string version, CancellationToken cancellationToken = default);

    /// <summary>A platform setting (<see cref="MetaKeys"/>), or null when never set.</summary>
    Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken = default);

    Task SetMetaAsync(string key, string value, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LineageEdge>> GetLineageAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Records an apply's files and makes it the current applied mesh, in one transaction: <see cref="MetaKeys.Applied"/>
    /// becomes its stamp and <see cref="MetaKeys.Repository"/> its origin. A content already kept is kept once; the
    /// applied meshes older than the newest <see cref="AppliedMesh.Kept"/> are forgotten.
    /// </summary>
    Task RecordAppliedMeshAsync(AppliedMesh mesh, CancellationToken cancellationToken = default);

    /// <summary>The current applied mesh with its files (read in one snapshot), or null when the last apply recorded none.</summary>
    Task<AppliedMesh?> GetAppliedMeshAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Pipeline runs and their leases: one run per product at a time across every process, kept by a heartbeat, and
/// a publish fenced by the lease (a run that lost it never publishes).
/// </summary>
public interface IRunLedger
{
    /// <summary>
    /// Takes the run lease on a product for <paramref name="holder"/> unless another run holds it unexpired; false
    /// when it is held. <paramref name="replacing"/> names a run whose lease may be taken over (its holder is known
    /// to be dead). A run whose lease is taken over (lapsed or replaced) and is still running is ended as failed
    /// (<see cref="Lease.LapsedFailure"/>) in the same transaction.
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(string productKey, LeaseHolder holder, string runId, TimeSpan duration, string? replacing = null, CancellationToken cancellationToken = default);

    /// <summary>Moves a held lease's expiry to now + <paramref name="duration"/> (the heartbeat); false when the run no longer holds it.</summary>
    Task<bool> RenewLeaseAsync(string productKey, string runId, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Who holds a product's lease, if anyone.</summary>
    Task<Lease?> GetLeaseAsync(string productKey, CancellationToken cancellationToken = default);

    /// <summary>Every lease held now, lapsed or not.</summary>
    Task<IReadOnlyList<Lease>> GetLeasesAsync(CancellationToken cancellationToken = default);

    Task ReleaseLeaseAsync(string productKey, string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends the runs whose process is gone, in one transaction: deletes lapsed leases and those of
    /// <paramref name="deadRuns"/> (runs whose holder is known to be dead), then marks every run still running
    /// without a lease failed (<see cref="Lease.LapsedFailure"/>). Returns how many runs it ended.
    /// </summary>
    Task<int> EndAbandonedRunsAsync(IReadOnlyCollection<string> deadRuns, CancellationToken cancellationToken = default);

    /// <summary>Records a run as running, started now by <paramref name="node"/> (the cluster node or machine that runs it).</summary>
    Task StartRunAsync(string runId, string productKey, string node, CancellationToken cancellationToken = default);

    /// <summary>Ends a run that is still running; one already ended (taken over, its lease lapsed) keeps how and when it ended.</summary>
    Task FinishRunAsync(string runId, bool succeeded, string? failure, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes each snapshot its dataset's current version, all in one transaction (the pointer swap): readers
    /// see every dataset of a run old or every one new. Previous snapshots stay listed, superseded, for
    /// readers still on them. Fenced: throws <see cref="LeaseLostException"/>, publishing nothing, unless
    /// <paramref name="runId"/> holds <paramref name="productKey"/>'s lease inside that transaction.
    /// </summary>
    Task PublishAsync(string productKey, string runId, IReadOnlyList<SnapshotRecord> snapshots, CancellationToken cancellationToken = default);

    /// <summary>A product's pipeline runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> GetRunsAsync(string productKey, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many runs each product has, by status.</summary>
    Task<IReadOnlyList<(string Product, string Status, long Count)>> GetRunCountsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Each dataset's published snapshots and which one is current (the pointer).</summary>
public interface ISnapshotPointers
{
    Task<SnapshotRecord?> GetCurrentSnapshotAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every snapshot listed for a product's datasets, current or superseded, with when it was superseded:
    /// a folder under the product's data that is not listed was left by a run that never published.
    /// </summary>
    Task<IReadOnlyList<(SnapshotRecord Snapshot, DateTimeOffset? SupersededAt)>> GetSnapshotsAsync(string productKey, CancellationToken cancellationToken = default);

    /// <summary>Removes superseded snapshots from the list, once their folders are deleted; current ones are never removed.</summary>
    Task ForgetSnapshotsAsync(IReadOnlyList<SnapshotRecord> snapshots, CancellationToken cancellationToken = default);

    /// <summary>
    /// Points listed snapshots at rewritten copies (privacy: rows past retention or of an erased subject removed), all in
    /// one transaction: each keeps its place (the current one stays current, a superseded one keeps when it was
    /// superseded), its run and its input hash. Fenced like <see cref="IRunLedger.PublishAsync"/>: throws
    /// <see cref="LeaseLostException"/>, changing nothing, unless <paramref name="runId"/> holds the product's lease; a
    /// snapshot no longer listed rolls everything back (<see cref="InvalidOperationException"/>).
    /// </summary>
    Task ReplaceSnapshotsAsync(string productKey, string runId, IReadOnlyList<SnapshotReplacement> replacements, CancellationToken cancellationToken = default);
}

/// <summary>A listed snapshot (<see cref="Address"/>, <see cref="Snapshot"/>) and the rewritten copy that takes its place, with its counts.</summary>
public sealed record SnapshotReplacement(string Address, string Snapshot, string NewSnapshot, string? NewQuarantineSnapshot, long Rows, long Quarantined);

/// <summary>
/// Requests to erase a data subject, and the suppression list their subjects make (DESIGN.md §6, privacy). A subject is
/// kept only as its keyed hash, never in clear.
/// </summary>
public interface IErasureStore
{
    /// <summary>Records a new erasure request; from then on its subject's hash is on the suppression list.</summary>
    Task CreateErasureAsync(ErasureRecord erasure, CancellationToken cancellationToken = default);

    Task<ErasureRecord?> GetErasureAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Erasure requests, newest first.</summary>
    Task<IReadOnlyList<ErasureRecord>> ListErasuresAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest request for a subject (by its keyed hash) that has not completed, or null: submitting the subject again resumes it.</summary>
    Task<ErasureRecord?> FindOpenErasureAsync(string subjectHash, CancellationToken cancellationToken = default);

    /// <summary>Records where an erasure stands: its status, its report (JSON) and when it completed.</summary>
    Task UpdateErasureAsync(string id, string status, string report, DateTimeOffset? completedAt, CancellationToken cancellationToken = default);

    /// <summary>The keyed hashes of every subject ever requested erased: what pipelines leave out on write.</summary>
    Task<IReadOnlyList<string>> GetSuppressedSubjectsAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// An erasure request: the subject's keyed hash, why, who asked and when, where it stands (<see cref="ErasureStatus"/>)
/// and its report (JSON: per product and dataset, what was removed and when).
/// </summary>
public sealed record ErasureRecord(string Id, string SubjectHash, string Reason, string RequestedBy, string Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, string Report);

/// <summary>Where an erasure request stands.</summary>
public static class ErasureStatus
{
    /// <summary>Recorded; products are being erased.</summary>
    public const string Running = "running";

    /// <summary>Every product is done.</summary>
    public const string Completed = "completed";

    /// <summary>A product failed after its retries; submitting the subject again resumes the request.</summary>
    public const string Failed = "failed";
}

/// <summary>Quality check results of each dataset, newest first.</summary>
public interface IQualityHistory
{
    Task RecordChecksAsync(string runId, string address, IReadOnlyList<CheckOutcome> outcomes, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CheckRecord>> GetCheckHistoryAsync(string address, int limit, CancellationToken cancellationToken = default);
}

/// <summary>Access agreements: requested, decided (compare-and-set on their status), listed.</summary>
public interface IAgreementStore
{
    Task AddAgreementAsync(Agreement agreement, CancellationToken cancellationToken = default);

    Task<Agreement?> GetAgreementAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Agreements, newest first, of a consumer and/or on a dataset (null: any).</summary>
    Task<IReadOnlyList<Agreement>> ListAgreementsAsync(string? consumer, string? dataset, CancellationToken cancellationToken = default);

    /// <summary>Moves an agreement from <paramref name="current"/> to <paramref name="decision"/>; false when it was no longer in <paramref name="current"/> (someone decided first).</summary>
    Task<bool> DecideAgreementAsync(string id, AgreementStatus current, AgreementStatus decision, string decidedBy, string? reason, CancellationToken cancellationToken = default);
}

/// <summary>
/// The append-only audit log, one keyed hash chain (<see cref="AuditChain"/>) however many processes append at once.
/// </summary>
public interface IAuditLog
{
    /// <summary>Appends to the audit log, chaining the record to the previous one by its keyed hash; returns the stored record.</summary>
    Task<AuditRecord> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Checks the audit log's hash chain end to end (<see cref="AuditChain.Verify"/>), and that it still holds
    /// <paramref name="anchoredHead"/> when given (a head exported earlier); the problems found, empty when intact.
    /// </summary>
    Task<IReadOnlyList<string>> VerifyAuditAsync(string? anchoredHead = null, CancellationToken cancellationToken = default);

    /// <summary>The newest audit records, newest first.</summary>
    Task<IReadOnlyList<AuditRecord>> GetAuditAsync(int limit, CancellationToken cancellationToken = default);
}

/// <summary>Keys of the platform settings kept in the store.</summary>
public static class MetaKeys
{
    /// <summary>The full path of the repository last applied (where it was checked out; a server reads the applied mesh from the store).</summary>
    public const string Repository = "repository";

    /// <summary>Changes with every apply: servers reload their catalog when it does.</summary>
    public const string Applied = "applied";

    /// <summary>The hash of the newest audit record, updated with every append.</summary>
    public const string AuditHead = "audit_head";
}

public enum AgreementStatus
{
    Pending,
    Active,
    Rejected,
    Revoked,
}

/// <summary>
/// An access agreement: <see cref="Consumer"/> may read <see cref="Dataset"/> for <see cref="Purpose"/> (only
/// <see cref="Columns"/> when given) until <see cref="EndsOn"/>. Active agreements are lineage edges.
/// </summary>
public sealed record Agreement(
    string Id,
    string Consumer,
    string Dataset,
    string Purpose,
    IReadOnlyList<string>? Columns,
    DateOnly? EndsOn,
    AgreementStatus Status,
    DateTimeOffset RequestedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Reason)
{
    /// <summary>
    /// A new request decided by <paramref name="plan"/> (the consumer's plan for the dataset): active at once,
    /// approved "auto" by the plan's reason, when the consumer may already read it; pending for the owning team otherwise.
    /// </summary>
    public static Agreement Requested(string consumer, string dataset, string purpose, IReadOnlyList<string>? columns, DateOnly? endsOn,
        Governance.AccessPlan plan, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new Agreement(Guid.NewGuid().ToString("N")[..12], consumer, dataset, purpose, columns is { Count: > 0 } ? columns : null, endsOn,
            plan.Allowed ? AgreementStatus.Active : AgreementStatus.Pending, now, plan.Allowed ? $"auto: {plan.Reason}" : null, plan.Allowed ? now : null, null);
    }

    /// <summary>The state a person sees: an active agreement past its end date is expired.</summary>
    public string State(DateOnly today) => Status == AgreementStatus.Active && EndsOn is { } end && today > end ? "expired" : Status.ToString().ToLowerInvariant();

    public bool IsActive(DateOnly today) => State(today) == "active";
}

/// <summary>A pipeline run: <see cref="Node"/> ran it (null for runs recorded before nodes were).</summary>
public sealed record RunRecord(string RunId, string ProductKey, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? Failure, string? Node = null);

/// <summary>What happened: who did what to which datasets, why, under which access plan, and how it ended.</summary>
public sealed record AuditEntry(string Principal, string Action, string Resource, string? Purpose, string? PlanDigest, long? Rows, string Outcome, string? Detail);

/// <summary>A stored audit record: its place in the chain, and its hash under <see cref="Scheme"/> (<see cref="AuditSchemes"/>).</summary>
public sealed record AuditRecord(long Seq, DateTimeOffset At, AuditEntry Entry, string PreviousHash, string Hash, string Scheme);

/// <summary>A published snapshot of a dataset and of its quarantine, with the counts of the run that wrote them.</summary>
public sealed record SnapshotRecord(
    string Address,
    string Snapshot,
    string RunId,
    long Rows,
    string? QuarantineSnapshot,
    long Quarantined,
    string InputHash,
    DateTimeOffset CreatedAt)
{
    /// <summary>Where the snapshot's files are in <paramref name="dataFolder"/>: the one place a snapshot's path is made from its record.</summary>
    public string FolderIn(string dataFolder) => Path.Combine(dataFolder, Snapshot);

    /// <summary>Where the quarantine snapshot's files are in <paramref name="dataFolder"/>; null when the run quarantined nothing.</summary>
    public string? QuarantineFolderIn(string dataFolder) => QuarantineSnapshot is { } quarantine ? Path.Combine(dataFolder, quarantine) : null;
}

public sealed record CheckRecord(string RunId, string Address, string Name, string Status, decimal? Value, string Message, DateTimeOffset CheckedAt);
