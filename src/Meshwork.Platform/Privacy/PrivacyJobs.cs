using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Engines.Postgres;
using Meshwork.Engines.Sql;
using Meshwork.Loading;
using Meshwork.Model;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Security;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Privacy;

/// <summary>
/// Privacy enforced on what the platform keeps (DESIGN.md §6): erasure of a data subject along lineage, and retention.
/// Both go product by product in lineage order (upstream first), each product under its run lease
/// (<see cref="ProductRewriter"/>); every removal is audited with the subject as its keyed hash, never in clear.
/// </summary>
public sealed class PrivacyJobs(IMetadataStore store, EngineRegistry engines, TimeProvider time, IKeyProvider keys, string dataFolder, TimeSpan? leaseDuration = null)
{
    /// <summary>How often a product is tried before an erasure reports it failed.</summary>
    public const int Attempts = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Lazy<byte[]> _key = new(() => keys.Key(PlatformKey.SubjectHash, dataFolder));

    /// <summary>The pause between attempts at a product that failed.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait for a product's running pipeline before an attempt fails.</summary>
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The key that hashes subjects, as engines are given it.</summary>
    internal ReadOnlyMemory<byte> Key => _key.Value;

    /// <summary>The keyed hash that stands for a subject (HMAC-SHA256 of its text, trimmed; lower-case hex): equal to the engines' hash of the column's text.</summary>
    public string SubjectHash(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes(subject.Trim())));
    }

    /// <summary>
    /// Records a request to erase <paramref name="subject"/>, or returns the one still open for the same subject (so
    /// that submitting it again resumes it). From then on pipelines leave the subject out on write.
    /// </summary>
    public async Task<ErasureRecord> RequestAsync(string subject, string reason, string requestedBy, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            throw new MeshworkException("The subject to erase is empty: give the value of its subject-key column (e.g. a customer id).");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new MeshworkException("An erasure needs a reason (e.g. 'GDPR Art. 17 request #123'): it is kept with the request and in the audit log.");
        }

        var hash = SubjectHash(subject);
        if (await store.FindOpenErasureAsync(hash, cancellationToken).ConfigureAwait(false) is { } open)
        {
            return open;
        }

        var erasure = new ErasureRecord("er-" + Guid.NewGuid().ToString("N")[..12], hash, reason.Trim(), requestedBy, ErasureStatus.Running, time.GetUtcNow(), null,
            JsonSerializer.Serialize(new ErasureReport([]), Json));
        await store.CreateErasureAsync(erasure, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry(requestedBy, "erasure-request", "erasure:" + erasure.Id, null, null, null, "accepted",
            $"subject {ShortHash(hash)}: {erasure.Reason}"), cancellationToken).ConfigureAwait(false);
        return erasure;
    }

    /// <summary>The report stored with an erasure.</summary>
    public static ErasureReport ReportOf(ErasureRecord erasure)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        return JsonSerializer.Deserialize<ErasureReport>(erasure.Report, Json) ?? new ErasureReport([]);
    }

    /// <summary>
    /// Erases the subject of <paramref name="erasure"/> from every product of the mesh, upstream first: every dataset
    /// with a subject-key column, its current and earlier versions and its quarantine. A product that fails is tried
    /// <see cref="Attempts"/> times and then reported failed (the request ends <c>failed</c>; submitting the subject
    /// again resumes it, skipping the products done). Source files and tables that still hold the subject are reported.
    /// </summary>
    public async Task<ErasureRecord> EraseAsync(ErasureRecord erasure, string subject, Mesh mesh, IReadOnlyList<DesiredPort> ports, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(erasure);
        ArgumentNullException.ThrowIfNull(mesh);
        if (SubjectHash(subject) != erasure.SubjectHash)
        {
            throw new MeshworkException($"The subject given is not the subject of erasure {erasure.Id}.");
        }

        var done = ReportOf(erasure).Products.Where(p => p.Status is ProductErasure.Erased or ProductErasure.NotFound).ToDictionary(p => p.Product, StringComparer.Ordinal);
        var products = new List<ProductErasure>();
        var rewriter = Rewriter();
        foreach (var product in PipelineRunner.LineageOrder(mesh))
        {
            if (done.TryGetValue(product.Key, out var finished))
            {
                products.Add(finished);
                continue;
            }

            var datasets = ports.Where(p => p.Product.Key == product.Key).SelectMany(DatasetPrivacy.Of).ToList();

            var sources = await SourcesHoldingAsync(mesh, product, subject, cancellationToken).ConfigureAwait(false);
            if (!datasets.Any(d => d.SubjectKeys.Count > 0))
            {
                // Distinct: two input ports may read one upstream product.
                var upstream = product.InputPorts.Select(i => mesh.FindPublisher(i.ContractId)?.Product.Key).OfType<string>().Distinct(StringComparer.Ordinal)
                    .Where(k => products.Any(p => p.Product == k && p.Datasets.Any(d => d.Total > 0))).ToList();
                products.Add(new ProductErasure(product.Key, ProductErasure.NotSearchable, 0,
                    upstream.Count == 0 ? null : $"derived from {string.Join(", ", upstream)}, which held the subject, but no column of its contracts is tagged subject-key: check its data by hand",
                    [], sources));
                continue;
            }

            ProductErasure outcome;
            for (var attempt = 1; ; attempt++)
            {
                progress?.Report($"{product.Key}: erasing" + (attempt > 1 ? $" (attempt {attempt})" : string.Empty));
                try
                {
                    var removed = await rewriter.RemoveAsync(mesh, product, [.. datasets.Select(d => (d, d.OfSubject(subject), d.OfSuppressed([erasure.SubjectHash])))], "erasure", dryRun: false,
                        cancellationToken).ConfigureAwait(false);
                    outcome = new ProductErasure(product.Key, removed.Any(r => r.Total > 0) ? ProductErasure.Erased : ProductErasure.NotFound, attempt, null, removed, sources);
                    break;
                }
                catch (PipelineException e) when (attempt < Attempts)
                {
                    progress?.Report($"{product.Key}: {e.Message}; trying again");
                    await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
                }
                catch (PipelineException e)
                {
                    outcome = new ProductErasure(product.Key, ProductErasure.Failed, attempt, e.Message, [], sources);
                    break;
                }
            }

            products.Add(outcome);
            foreach (var removal in outcome.Datasets.Where(r => r.Total > 0))
            {
                await store.AppendAuditAsync(new AuditEntry("platform", "erase", removal.Address, null, null, removal.Total, "erased",
                    $"erasure {erasure.Id} (subject {ShortHash(erasure.SubjectHash)}): {removal.Current} current, {removal.Earlier} earlier, {removal.Quarantined} quarantined row(s) in {removal.Versions} version(s)"),
                    cancellationToken).ConfigureAwait(false);
            }

            progress?.Report(outcome.Status == ProductErasure.Failed ? $"{product.Key}: failed: {outcome.Error}"
                : $"{product.Key}: {outcome.Status}, {outcome.Datasets.Sum(d => d.Total)} row(s) removed");
            // Where it stands is kept after every product: a stopped erasure shows what it did.
            await store.UpdateErasureAsync(erasure.Id, ErasureStatus.Running, JsonSerializer.Serialize(new ErasureReport(products), Json), null, cancellationToken).ConfigureAwait(false);
        }

        var failed = products.Any(p => p.Status == ProductErasure.Failed);
        var status = failed ? ErasureStatus.Failed : ErasureStatus.Completed;
        var completedAt = failed ? (DateTimeOffset?)null : time.GetUtcNow();
        var report = JsonSerializer.Serialize(new ErasureReport(products), Json);
        await store.UpdateErasureAsync(erasure.Id, status, report, completedAt, cancellationToken).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry("platform", "erasure", "erasure:" + erasure.Id, null, null, products.Sum(p => p.Datasets.Sum(d => d.Total)), status,
            $"subject {ShortHash(erasure.SubjectHash)}: {products.Count(p => p.Status == ProductErasure.Erased)} product(s) erased"
            + (failed ? $", failed: {string.Join(", ", products.Where(p => p.Status == ProductErasure.Failed).Select(p => p.Product))}" : string.Empty)), cancellationToken).ConfigureAwait(false);
        return erasure with { Status = status, CompletedAt = completedAt, Report = report };
    }

    /// <summary>
    /// Applies every output contract's retention to what the platform keeps: rows older than the retention (by its
    /// element column) are removed from the current and earlier versions; a retention without element deletes earlier
    /// snapshots older than it (past the read grace period, as every run does). With <paramref name="dryRun"/> only counts.
    /// A product that fails is reported; the others go on. With <paramref name="productKey"/>, that product only.
    /// </summary>
    public async Task<IReadOnlyList<ProductRetention>> ApplyRetentionAsync(Mesh mesh, IReadOnlyList<DesiredPort> ports, bool dryRun, IProgress<string>? progress = null,
        string? productKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var now = time.GetUtcNow();
        var rewriter = Rewriter();
        var results = new List<ProductRetention>();
        foreach (var product in PipelineRunner.LineageOrder(mesh).Where(p => productKey is null || p.Key == productKey))
        {
            var productPorts = ports.Where(p => p.Product.Key == product.Key).ToList();
            var datasets = productPorts.SelectMany(DatasetPrivacy.Of).Where(d => d.Retention is not null).ToList();
            if (datasets.Count == 0)
            {
                continue;
            }

            try
            {
                if (!dryRun)
                {
                    // Earlier snapshots past the read grace period go, as after a run: a retention without element ends with them.
                    await new PipelineRunner(store, engines, time, keys, dataFolder, leaseDuration: leaseDuration).RemoveExpiredAsync(mesh, product, productPorts, cancellationToken)
                        .ConfigureAwait(false);
                }

                var removed = await rewriter.RemoveAsync(mesh, product, [.. datasets.Select(d => (d, d.Expired(now), (FilterExpr?)null))], "retention", dryRun, cancellationToken)
                    .ConfigureAwait(false);
                results.Add(new ProductRetention(product.Key, [.. datasets.Select(d => new DatasetRetention(d.Spec.Address, Describe(d),
                    removed.FirstOrDefault(r => r.Address == d.Spec.Address)))], null));
                foreach (var removal in removed.Where(r => r.Total > 0 && !dryRun))
                {
                    await store.AppendAuditAsync(new AuditEntry("platform", "retention", removal.Address, null, null, removal.Total, "deleted",
                        $"rows past retention: {removal.Current} current, {removal.Earlier} earlier in {removal.Versions} version(s)"), cancellationToken).ConfigureAwait(false);
                }

                progress?.Report($"{product.Key}: {removed.Sum(r => r.Total)} row(s) past retention{(dryRun ? " (dry run: nothing removed)" : " removed")}");
            }
            catch (PipelineException e)
            {
                results.Add(new ProductRetention(product.Key, [], e.Message));
                progress?.Report($"{product.Key}: failed: {e.Message}");
            }
        }

        return results;
    }

    /// <summary>A subject hash shortened for messages and the audit: enough to tell requests apart, never the value.</summary>
    public static string ShortHash(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return hash[..Math.Min(16, hash.Length)];
    }

    private static string Describe(DatasetPrivacy dataset) =>
        $"{Quality.Slo.Show(dataset.Retention!.Value)}" + (dataset.RetentionColumn is { } column ? $" by {column.Name}" : " (whole snapshots)");

    private ProductRewriter Rewriter() => new(store, engines, time, dataFolder, Key, leaseDuration ?? RunLease.DefaultDuration) { LeaseWait = LeaseWait };

    /// <summary>
    /// The source files of a product's input ports that still hold the subject, by a column tagged subject-key: the platform
    /// does not own them. Compared with the value in clear (the request has it), so a typed Parquet source is answered
    /// from its statistics rather than by hashing every row.
    /// </summary>
    private async Task<IReadOnlyList<SourceHolding>> SourcesHoldingAsync(Mesh mesh, DataProduct product, string subject, CancellationToken cancellationToken)
    {
        var holding = new List<SourceHolding>();
        foreach (var input in product.InputPorts.Where(i => mesh.FindPublisher(i.ContractId) is null))
        {
            // An integer column cannot hold a subject that is not a number: it is not searched for one.
            var number = long.TryParse(subject.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _);
            if (mesh.FindContract(input.ContractId) is not { } contract
                || contract.Schema.SelectMany(o => SubjectKeys.Of(o).Where(name => number || o.Properties.FirstOrDefault(p => p.Name == name)?.LogicalType != "integer"))
                    .Distinct(StringComparer.Ordinal).ToList() is not { Count: > 0 } columns)
            {
                continue;
            }

            if (!contract.Servers.Any(s => s.Type == "local") && contract.Servers.FirstOrDefault(s => PostgresTableSource.Types.Contains(s.Type)) is { } database)
            {
                var table = PostgresTableSource.Location(contract, database);
                try
                {
                    if (await PostgresTableSource.CountAsync(contract, database, columns, subject.Trim(), cancellationToken).ConfigureAwait(false) is var found and > 0)
                    {
                        holding.Add(new SourceHolding(input.Name, table, found));
                    }
                }
                catch (EngineException e)
                {
                    holding.Add(new SourceHolding(input.Name, table, null) { Error = $"could not be read to check: {EngineMessages.Redact(e.Message)}" });
                }

                continue;
            }

            if (contract.Servers.FirstOrDefault(s => s.Type == "local" && s.Path is not null) is not { } server)
            {
                continue;
            }

            var format = server.Format switch
            {
                "parquet" => SourceFormat.Parquet,
                "json" => SourceFormat.Json,
                _ => SourceFormat.Csv,
            };
            var path = Path.GetFullPath(Path.Combine(mesh.SourcesRoot, contract.Folder, server.Path!));
            var location = Path.GetRelativePath(mesh.SourcesRoot, path).Replace('\\', '/');
            var relation = "__mw_source_" + input.Name;
            try
            {
                await using var engine = await PipelineRunner.OpenEngineAsync(engines, mesh, product, cancellationToken).ConfigureAwait(false);
                await engine.LoadAsync(new SourceFile(path, format), relation, cancellationToken).ConfigureAwait(false);
                var present = (await engine.IntrospectAsync(relation, cancellationToken).ConfigureAwait(false)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
                // A text literal: the engine reads it as the column's type (a number column compares numbers).
                var match = string.Join(" OR ", columns.Where(present.Contains).Select(c => $"{SqlDialect.Identifier(c)} = {SqlDialect.Literal(subject.Trim())}"));
                if (match.Length == 0)
                {
                    continue;
                }

                await using var reader = await engine.ReadAsync($"SELECT count(*) FROM {SqlDialect.Relation(relation)} WHERE {match}", cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture) is var rows and > 0)
                {
                    holding.Add(new SourceHolding(input.Name, location, rows));
                }
            }
            catch (Exception e) when (e is EngineException or PipelineException or System.Data.Common.DbException)
            {
                holding.Add(new SourceHolding(input.Name, location, null) { Error = $"could not be read to check: {EngineMessages.Redact(e.Message)}" });
            }
        }

        return holding;
    }
}

/// <summary>An erasure's report: every product of the mesh, in lineage order.</summary>
public sealed record ErasureReport(IReadOnlyList<ProductErasure> Products);

/// <summary>
/// One product's part of an erasure: <see cref="Erased"/> (rows removed), <see cref="NotFound"/> (searched, none held),
/// <see cref="NotSearchable"/> (no subject-key column), or <see cref="Failed"/> after its attempts; what was removed per
/// dataset, and the source files that still hold the subject (the operator's to erase).
/// </summary>
public sealed record ProductErasure(string Product, string Status, int Attempts, string? Error, IReadOnlyList<DatasetRemoval> Datasets, IReadOnlyList<SourceHolding> Sources)
{
    public const string Erased = "erased";
    public const string NotFound = "not-found";
    public const string NotSearchable = "not-searchable";
    public const string Failed = "failed";
}

/// <summary>A source file an input port reads that still holds the subject (rows; null when it could not be read).</summary>
public sealed record SourceHolding(string InputPort, string Location, long? Rows)
{
    public string? Error { get; init; }
}

/// <summary>What retention did to one product (or why it failed).</summary>
public sealed record ProductRetention(string Product, IReadOnlyList<DatasetRetention> Datasets, string? Error);

/// <summary>A dataset's retention and what it removed (null: nothing to remove).</summary>
public sealed record DatasetRetention(string Address, string Retention, DatasetRemoval? Removed);
