using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Privacy;

/// <summary>
/// Objections to a purpose (GDPR Art. 21, CCPA opt-out), enforced like a row filter: when mesh.yaml names a consent
/// dataset (<c>privacy.consent</c>: a subject-key column and a <c>purpose</c> column, one row per objection), a read or
/// a pipeline run stating a purpose sees no row of a subject who objected to it, in any dataset with a subject-key
/// column. The objections are read from the consent dataset's current snapshot once per snapshot.
/// </summary>
public sealed class Objections(IMetadataStore store, EngineRegistry engines, string dataFolder)
{
    /// <summary>The objections of the consent snapshot read last (two reads at once may both read it: harmless).</summary>
    private volatile Tuple<string, IReadOnlyList<(string Subject, string Purpose)>>? _cache;

    /// <summary>
    /// The view with the rows of subjects who objected to <paramref name="purpose"/> left out, and how many subjects that
    /// hides; the view as it was (0) when the mesh names no consent dataset, no purpose is stated, the dataset has no
    /// subject-key column, or nobody objected. Throws <see cref="EngineException"/> when the consent dataset cannot be read.
    /// </summary>
    public async Task<(GovernedView View, int Objectors)> ApplyAsync(Mesh mesh, IReadOnlyDictionary<string, DatasetPrivacy> privacy, GovernedView view, string? purpose,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(privacy);
        ArgumentNullException.ThrowIfNull(view);
        if (mesh.Settings.Consent is not { } consent || string.IsNullOrWhiteSpace(purpose) || view.Address == consent
            || !privacy.TryGetValue(view.Address, out var dataset) || dataset.SubjectKeys.Count == 0
            || !privacy.TryGetValue(consent, out var consentDataset) || consentDataset.SubjectKeys.Count == 0)
        {
            return (view, 0);
        }

        var objectors = (await RowsAsync(consent, consentDataset, cancellationToken).ConfigureAwait(false))
            .Where(r => Purposes.Same(r.Purpose, purpose)).Select(r => r.Subject).Distinct(StringComparer.Ordinal).ToList();
        if (dataset.Without(objectors) is not { } kept)
        {
            return (view, 0);
        }

        return (view with { Filter = view.Filter is { } filter ? new FilterBinary(FilterOperator.And, filter, kept) : kept }, objectors.Count);
    }

    private async Task<IReadOnlyList<(string Subject, string Purpose)>> RowsAsync(string consent, DatasetPrivacy dataset, CancellationToken cancellationToken)
    {
        if (await store.GetCurrentSnapshotAsync(consent, cancellationToken).ConfigureAwait(false) is not { } snapshot)
        {
            return []; // not published yet: nobody has objected through it
        }

        if (_cache is { } cached && cached.Item1 == snapshot.Snapshot)
        {
            return cached.Item2;
        }

        // Snapshots are Parquet whatever engine wrote them: read with the embedded engine.
        await using var engine = await engines.Get(MeshSettings.EmbeddedEngine).OpenAsync(null, cancellationToken).ConfigureAwait(false);
        await engine.AttachAsync(consent, snapshot.FolderIn(dataFolder), cancellationToken).ConfigureAwait(false);
        var key = Engines.Sql.SqlDialect.Identifier(dataset.SubjectKeys[0].Name);
        var rows = new List<(string, string)>();
        await using (var reader = await engine.ReadAsync(
            $"SELECT CAST({key} AS VARCHAR), CAST(\"purpose\" AS VARCHAR) FROM {Engines.Sql.SqlDialect.Address(consent)} WHERE {key} IS NOT NULL AND \"purpose\" IS NOT NULL",
            cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        _cache = Tuple.Create(snapshot.Snapshot, (IReadOnlyList<(string, string)>)rows);
        return rows;
    }
}
