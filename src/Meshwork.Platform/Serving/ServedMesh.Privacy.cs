using Meshwork.Model;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Privacy;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Serving;

/// <summary>Privacy on the applied mesh (DESIGN.md §6): erasure requests and retention, decided here for every port.</summary>
public sealed partial class ServedMesh
{
    /// <summary>The role, besides admin, that may request erasures and read their reports.</summary>
    public const string PrivacyRole = "privacy";

    private readonly List<Task> _erasures = [];

    /// <summary>Cancelled when the server stops: erasures started in the background stop at their next step.</summary>
    private readonly CancellationTokenSource _stopping = new();

    private PrivacyJobs Jobs() => new(_store, _engines, _time, _keys, DataFolder, _options.LeaseDuration);

    /// <summary>Whether a principal may request erasures and read their reports: admins and the privacy role.</summary>
    public static bool MayErase(Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.Roles.Contains("admin") || principal.Roles.Contains(PrivacyRole);
    }

    /// <summary>
    /// Records a request to erase a data subject (or finds the open one for it) and erases it now, product by product
    /// (<see cref="PrivacyJobs.EraseAsync"/>); returns the request as it ended.
    /// </summary>
    public async Task<ErasureRecord> EraseAsync(Principal principal, string subject, string reason, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var erasure = await RequestErasureAsync(principal, subject, reason, cancellationToken).ConfigureAwait(false);
        return await RunErasureAsync(erasure, subject, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a request to erase a data subject (or finds the open one for it) and starts erasing it in the background:
    /// its report (<see cref="GetErasureAsync"/>) says where it stands.
    /// </summary>
    public async Task<ErasureRecord> StartErasureAsync(Principal principal, string subject, string reason, CancellationToken cancellationToken = default)
    {
        var erasure = await RequestErasureAsync(principal, subject, reason, cancellationToken).ConfigureAwait(false);
        lock (_erasures)
        {
            _erasures.RemoveAll(t => t.IsCompleted);
            // Not the request's token: the erasure goes on after the response is sent, until the server stops.
            _erasures.Add(Task.Run(async () =>
            {
                try
                {
                    await RunErasureAsync(erasure, subject, null, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or Loading.MeshworkException or StorageUnavailableException or ObjectDisposedException)
                {
                    // Left running in the store: submitting the subject again resumes it.
                }
            }, CancellationToken.None));
        }

        return erasure;
    }

    /// <summary>An erasure request and its report; null when there is none with this id.</summary>
    public async Task<ErasureRecord?> GetErasureAsync(Principal principal, string id, CancellationToken cancellationToken = default)
    {
        Authorize(principal);
        return await _store.GetErasureAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Erasure requests, newest first.</summary>
    public async Task<IReadOnlyList<ErasureRecord>> ListErasuresAsync(Principal principal, int limit, CancellationToken cancellationToken = default)
    {
        Authorize(principal);
        return await _store.ListErasuresAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies every output contract's retention to what is published (<see cref="PrivacyJobs.ApplyRetentionAsync"/>), or
    /// one product's (its grain's daily job); a dry run only counts.
    /// </summary>
    public async Task<IReadOnlyList<ProductRetention>> ApplyRetentionAsync(bool dryRun, IProgress<string>? progress = null, string? productKey = null,
        CancellationToken cancellationToken = default)
    {
        var (state, ports) = await PortsAsync(cancellationToken).ConfigureAwait(false);
        return await Jobs().ApplyRetentionAsync(state.Mesh, ports, dryRun, progress, productKey, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ErasureRecord> RequestErasureAsync(Principal principal, string subject, string reason, CancellationToken cancellationToken)
    {
        Authorize(principal);
        try
        {
            return await Jobs().RequestAsync(subject, reason, principal.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Loading.MeshworkException e)
        {
            throw new ServingException(ServingError.BadRequest, e.Message, e);
        }
    }

    private async Task<ErasureRecord> RunErasureAsync(ErasureRecord erasure, string subject, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var (state, ports) = await PortsAsync(cancellationToken).ConfigureAwait(false);
        return await Jobs().EraseAsync(erasure, subject, state.Mesh, ports, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest applied mesh and every port it publishes, deprecated ones included (they still serve data).</summary>
    private async Task<(ServedState State, IReadOnlyList<DesiredPort> Ports)> PortsAsync(CancellationToken cancellationToken)
    {
        var state = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return (state, (await PlanAsync(state, cancellationToken).ConfigureAwait(false)).Ports);
    }

    /// <summary>A governed view with the rows of subjects who objected to the read's purpose left out; a consent dataset that cannot be read fails the read.</summary>
    private async Task<(Engines.GovernedView View, int Objectors)> ObjectionsAsync(ServedState state, Engines.GovernedView view, string? purpose, CancellationToken cancellationToken)
    {
        try
        {
            return await _objections.ApplyAsync(state.Mesh, state.Privacy, view, purpose, cancellationToken).ConfigureAwait(false);
        }
        catch (Engines.EngineException e)
        {
            throw new ServingException(ServingError.Failed,
                $"{view.Address} could not be read for '{purpose}': the objections in {state.Mesh.Settings.Consent} could not be read, so none could be enforced.", e);
        }
    }

    private static void Authorize(Principal principal)
    {
        if (!MayErase(principal))
        {
            throw new ServingException(ServingError.Forbidden, $"Only admins and principals with the '{PrivacyRole}' role may request erasures or read their reports; {principal.Id} has neither.");
        }
    }

    /// <summary>Waits for erasures started in the background (they stop at the next product when the server stops).</summary>
    private async Task StopErasuresAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_erasures)
        {
            running = [.. _erasures];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
