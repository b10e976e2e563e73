using Meshwork.Diagnostics;
using Meshwork.Governance;
using Meshwork.Governance.Cel;
using Meshwork.Governance.Policies;
using Meshwork.Linting;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Governing;

/// <summary>
/// A mesh's policies compiled once, with what the platform needs from them: lint findings, the products an
/// enforced rule refuses, and the access planner every read asks.
/// </summary>
public sealed class MeshGovernance
{
    private MeshGovernance(Mesh mesh, PolicySet policies, IPolicyEvaluator evaluator, IReadOnlyList<Diagnostic> diagnostics, TimeProvider time)
    {
        Mesh = mesh;
        Policies = policies;
        Evaluator = evaluator;
        Diagnostics = diagnostics;
        Planner = new PolicyAccessPlanner(mesh, policies, evaluator, time);
        Datasets = Resources.Datasets(mesh).DistinctBy(d => d.Address).ToDictionary(d => d.Address, StringComparer.Ordinal);
    }

    /// <summary>The mesh the policies were compiled for.</summary>
    public Mesh Mesh { get; }

    public PolicySet Policies { get; }

    public IPolicyEvaluator Evaluator { get; }

    /// <summary>Policy findings: expressions that do not type-check, unknown targets, rule violations.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public IAccessPlanner Planner { get; }

    public IReadOnlyDictionary<string, DatasetResource> Datasets { get; }

    public static MeshGovernance Of(Mesh mesh, TimeProvider time, IPolicyEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(time);
        evaluator ??= new CelPolicyEvaluator();
        var diagnostics = new DiagnosticBag();
        var policies = PolicySet.Compile(mesh, evaluator, diagnostics);
        RuleChecker.Check(mesh, policies, evaluator, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), diagnostics);
        return new MeshGovernance(mesh, policies, evaluator, diagnostics.ToSortedList(), time);
    }

    /// <summary>
    /// The access plan of one principal reading one published dataset, or null when no such dataset is declared.
    /// An active agreement permits the read; when it names columns, only those are readable.
    /// </summary>
    public AccessPlan? Plan(Principal principal, string address, AccessRequest request, Agreement? agreement = null)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (!Datasets.TryGetValue(address, out var dataset))
        {
            return null;
        }

        var plan = Planner.Plan(principal, dataset, request, agreement is not null);
        return agreement?.Columns is { } columns && plan.Allowed && plan.Reason == PolicyAccessPlanner.AgreementReason
            ? plan with { Columns = [.. plan.Columns.Where(columns.Contains)] }
            : plan;
    }

    /// <summary>
    /// The access plan of a read that may stand on one of the principal's active agreements on the dataset: only one
    /// whose purpose is the read's stated purpose counts (purpose limitation). A read the policies alone do not permit,
    /// by a principal whose agreements cover other purposes, is denied saying which purposes those are.
    /// </summary>
    public AccessPlan? Plan(Principal principal, string address, AccessRequest request, IReadOnlyList<Agreement> active)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(active);
        var agreement = active.FirstOrDefault(a => Purposes.Same(a.Purpose, request.Purpose));
        var plan = Plan(principal, address, request, agreement);
        if (plan is { Allowed: false } && agreement is null && active.Count > 0)
        {
            var covered = Purposes.List(active.Select(a => a.Purpose).Distinct(StringComparer.OrdinalIgnoreCase));
            var stated = string.IsNullOrWhiteSpace(request.Purpose) ? "states no purpose" : $"states the purpose '{request.Purpose.Trim()}'";
            return plan with
            {
                Reason = $"'{principal.Id}' may not read {address} for this purpose: the read {stated}, and the access agreement(s) on it cover {covered}. "
                    + "State one of those (purpose=...), or request access for this purpose.",
            };
        }

        return plan;
    }

    /// <summary>
    /// How a product's pipeline may read each upstream dataset of its input ports: as the product's principal
    /// (<see cref="Principal.ForProduct"/>), under its active agreement on that dataset when it holds one (whose
    /// purpose is then the request's purpose), through the same access plan as any other read.
    /// </summary>
    public IReadOnlyList<InputAccess> InputAccess(DataProduct product, IReadOnlyList<Agreement> agreements, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(agreements);
        var principal = Principal.ForProduct(product);
        var found = new List<InputAccess>();
        foreach (var input in product.InputPorts)
        {
            if (Mesh.FindPublisher(input.ContractId) is not { } upstream || upstream.Product.Key == product.Key)
            {
                continue; // a source file, or the product's own output
            }

            foreach (var address in Mesh.PublishedDatasets(input.ContractId))
            {
                var agreement = agreements.FirstOrDefault(a => a.Consumer == principal.Id && a.Dataset == address && a.IsActive(today));
                var plan = Plan(principal, address, new AccessRequest(agreement?.Purpose ?? Governing.InputAccess.DefaultPurpose, "pipeline"), agreement);
                if (plan is not null)
                {
                    found.Add(new InputAccess(product.Key, product.OwnerTeam, input.Name, address, upstream.Product.OwnerTeam, plan, agreement));
                }
            }
        }

        return found;
    }

    /// <summary>The repository's lint report with the policy findings added.</summary>
    public static (Mesh Mesh, LintReport Report, MeshGovernance? Governance) Lint(string folder, TimeProvider time)
    {
        var (mesh, report) = MeshLinter.LintRepository(folder);
        // Policies are judged only over a mesh that loaded cleanly: a broken file would make every rule look violated.
        if (report.Errors > 0)
        {
            return (mesh, report, null);
        }

        var governance = Of(mesh, time);
        var all = report.Diagnostics.Concat(governance.Diagnostics)
            .OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();
        return (mesh, report with { Diagnostics = all }, governance);
    }

    /// <summary>Whether a finding only refuses its own product (a rule violation, a policy that cannot be applied to its dataset) rather than the whole repository.</summary>
    public static bool RefusesProductOnly(Diagnostic diagnostic) =>
        diagnostic?.Rule == Rules.PolicyViolation.Id || diagnostic?.Rule == Rules.PolicyNotApplicable.Id;
}
