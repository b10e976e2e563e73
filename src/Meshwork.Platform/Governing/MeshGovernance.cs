using Meshwork.Diagnostics;
using Meshwork.Governance;
using Meshwork.Governance.Cel;
using Meshwork.Governance.Policies;
using Meshwork.Linting;
using Meshwork.Model;

namespace Meshwork.Platform.Governing;

/// <summary>
/// A mesh's policies compiled once, with what the platform needs from them: lint findings, the products an
/// enforced rule refuses, and the access planner every read asks.
/// </summary>
public sealed class MeshGovernance
{
    private MeshGovernance(Mesh mesh, PolicySet policies, IPolicyEvaluator evaluator, IReadOnlyList<Diagnostic> diagnostics, TimeProvider time)
    {
        Policies = policies;
        Evaluator = evaluator;
        Diagnostics = diagnostics;
        Planner = new PolicyAccessPlanner(mesh, policies, evaluator, time);
        Datasets = Resources.Datasets(mesh).DistinctBy(d => d.Address).ToDictionary(d => d.Address, StringComparer.Ordinal);
    }

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

    /// <summary>Whether a finding only refuses its own product (a rule violation) rather than the whole repository.</summary>
    public static bool RefusesProductOnly(Diagnostic diagnostic) =>
        diagnostic?.Rule == Rules.PolicyViolation.Id;
}
