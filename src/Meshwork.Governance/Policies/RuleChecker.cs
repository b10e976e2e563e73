using Meshwork.Diagnostics;
using Meshwork.Governance.Cel;
using Meshwork.Model;

namespace Meshwork.Governance.Policies;

/// <summary>
/// Runs <c>rule</c> policies over the mesh's products: an enforced rule that does not hold is an error (lint
/// fails, apply refuses the product), a rule in its grace period a warning. A check that cannot be evaluated
/// counts as not holding.
/// </summary>
public static class RuleChecker
{
    public static void Check(Mesh mesh, PolicySet policies, IPolicyEvaluator evaluator, DateOnly today, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(diagnostics);
        foreach (var policy in policies.OfKind(PolicyKind.Rule).Where(p => p.Check is not null))
        {
            foreach (var product in mesh.Products.Where(p => policy.InScope(p.Domain, p.Key) && policy.Targets.MatchesDataset(p.Domain, p.Key, null)
                && policy.Targets.MatchesTags(p.Tags) && policy.Targets.Datasets.Count == 0))
            {
                var input = new PolicyInput(new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["principal"] = new Dictionary<string, object>(StringComparer.Ordinal),
                    ["resource"] = Resources.Product(mesh, product),
                    ["request"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["purpose"] = string.Empty, ["channel"] = "lint" },
                });
                if (policy.When is not null && evaluator.Evaluate(policy.When, input) == false)
                {
                    continue;
                }

                if (evaluator.Evaluate(policy.Check!, input) != true)
                {
                    var warning = policy.IsWarning(today);
                    diagnostics.Report(Rules.PolicyViolation, product.Location,
                        $"'{product.Key}' violates policy '{policy.Name}' ({policy.File}): {policy.Message}" + (warning ? $" (grace period until {policy.Until:yyyy-MM-dd})" : string.Empty),
                        severity: warning ? Severity.Warning : Severity.Error);
                }
            }
        }
    }

    /// <summary>The product keys that violate an enforced rule (apply refuses to run them).</summary>
    public static IReadOnlySet<string> Violators(Mesh mesh, PolicySet policies, IPolicyEvaluator evaluator, DateOnly today)
    {
        var diagnostics = new DiagnosticBag();
        Check(mesh, policies, evaluator, today, diagnostics);
        return diagnostics.ToSortedList().Where(d => d.Severity == Severity.Error && d.Rule == Rules.PolicyViolation.Id)
            .Select(d => mesh.Products.FirstOrDefault(p => p.Location.File == d.Location.File)?.Key).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }
}
