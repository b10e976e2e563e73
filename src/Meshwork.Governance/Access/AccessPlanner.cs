using Meshwork.Engines.Ir;
using Meshwork.Governance.Cel;
using Meshwork.Governance.Policies;
using Meshwork.Model;

namespace Meshwork.Governance;

/// <summary>Decides access plans. One implementation at a time; the server and pipelines ask it for every read.</summary>
public interface IAccessPlanner
{
    /// <summary>The plan for <paramref name="principal"/> reading <paramref name="dataset"/>; <paramref name="agreement"/>: whether they hold an active access agreement on it.</summary>
    AccessPlan Plan(Principal principal, DatasetResource dataset, AccessRequest request, bool agreement = false);

    /// <summary>
    /// A decision on a resource that is not a published dataset (a schema registry subject, named
    /// <paramref name="name"/>): whether an access policy permits it and none denies it.
    /// </summary>
    bool Permits(Principal principal, string name, AccessRequest request);
}

/// <summary>
/// Access plans from the mesh's enforced <c>access</c>, <c>column_mask</c> and <c>row_filter</c> policies
/// (DESIGN.md §6). The owning team, admins and holders of an active agreement are permitted; an access policy
/// may permit others; any matching deny wins over every permit. Masks of every scope apply (the strongest per
/// column), row filters of every scope are ANDed: a domain or product policy can add restrictions, never lift
/// a global one. A condition that fails to evaluate counts against the caller.
/// </summary>
public sealed class PolicyAccessPlanner(Mesh mesh, PolicySet policies, IPolicyEvaluator evaluator, TimeProvider time) : IAccessPlanner
{
    /// <summary>The reason of a plan permitted by an agreement alone (its column list then applies).</summary>
    public const string AgreementReason = "active access agreement";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Policy, string Dataset), CompiledExpression?> _filters = new();

    public AccessPlan Plan(Principal principal, DatasetResource dataset, AccessRequest request, bool agreement = false)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(request);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var principalValues = PolicyInput.Principal(principal, mesh.People);
        var requestValues = new Dictionary<string, object>(StringComparer.Ordinal) { ["purpose"] = request.Purpose ?? string.Empty, ["channel"] = request.Channel };
        var resource = Resource(dataset, null);
        var used = new List<string>();

        bool? Holds(Policy policy, Dictionary<string, object> resourceValues) => policy.When is null
            ? true
            : evaluator.Evaluate(policy.When, new PolicyInput(new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["principal"] = principalValues,
                ["resource"] = resourceValues,
                ["request"] = requestValues,
            }));

        var inForce = policies.Policies.Where(p => p.IsEnforced(today) && p.InScope(dataset.Domain, dataset.ProductKey)
            && p.Targets.MatchesDataset(dataset.Domain, dataset.ProductKey, dataset.Address)).ToList();

        // Access: deny wins; a deny whose condition cannot be evaluated denies.
        var access = inForce.Where(p => p.Kind == PolicyKind.Access && (p.Targets.MatchesTags(dataset.Tags) || dataset.Columns.Any(c => p.Targets.MatchesTags(c.Tags)))).ToList();
        if (access.FirstOrDefault(p => p.Deny && Holds(p, resource) != false) is { } deny)
        {
            return Denied(dataset, $"'{principal.Id}' may not read {dataset.Address}: policy '{deny.Name}' denies it{Why(deny)}.", [deny.Name]);
        }

        var reason = principal.Roles.Contains("admin") ? "admin"
            : principal.Team is not null && principal.Team == dataset.OwnerTeam ? $"member of the owning team {principal.Team}"
            : agreement ? AgreementReason
            : access.FirstOrDefault(p => !p.Deny && Holds(p, resource) == true) is { } permit ? $"permitted by policy '{permit.Name}'"
            : null;
        if (reason is null)
        {
            var owner = dataset.OwnerTeam is { } team ? mesh.People.FindTeam(team) : null;
            var contact = owner is null ? "the owning team" : owner.Channel is { } channel ? $"{owner.Id} ({channel})" : owner.Id;
            return Denied(dataset, $"'{principal.Id}' may not read {dataset.Address}: no access agreement or policy permits it. " +
                $"Request access with a purpose (mesh access request {dataset.Address} --purpose ...), or ask {contact}.", []);
        }

        // Masks: per column, the strongest of the masks whose targets and condition match.
        var masks = new Dictionary<string, ColumnMask>(StringComparer.Ordinal);
        var maskedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var column in dataset.Columns)
        {
            var columnResource = Resource(dataset, column);
            foreach (var policy in inForce.Where(p => p.Kind == PolicyKind.ColumnMask && p.Mask is not null
                && p.Targets.MatchesTags(column.Tags) && p.Targets.MatchesClassification(column.Classification)))
            {
                if (Holds(policy, columnResource) != false && (!masks.TryGetValue(column.Name, out var current) || policy.Mask!.Kind > current.Kind))
                {
                    masks[column.Name] = policy.Mask!;
                    maskedBy[column.Name] = policy.Name;
                }
            }
        }

        // Only the masks that apply shape the plan: a weaker one a stronger policy replaced is not listed.
        used.AddRange(maskedBy.Values);
        foreach (var none in masks.Where(m => m.Value.Kind == MaskKind.None).Select(m => m.Key).ToList())
        {
            masks.Remove(none);
        }

        // Row filters: all that apply, ANDed; one that cannot be compiled for this dataset hides every row.
        FilterExpr? filter = null;
        foreach (var policy in inForce.Where(p => p.Kind == PolicyKind.RowFilter && p.Filter is not null && p.Targets.MatchesTags(dataset.Tags)))
        {
            if (Holds(policy, resource) == false)
            {
                continue;
            }

            FilterExpr predicate;
            try
            {
                predicate = Filter(policy, dataset) is { } compiled
                    ? RowFilterCompiler.Compile(compiled, principalValues, requestValues, resource)
                    : new FilterConstant(false);
            }
            catch (NotSupportedException)
            {
                predicate = new FilterConstant(false);
            }

            filter = filter is null ? predicate : new FilterBinary(FilterOperator.And, filter, predicate);
            used.Add(policy.Name);
        }

        return new AccessPlan(dataset.Address, true, reason, [.. dataset.Columns.Select(c => c.Name)])
        {
            Masks = masks,
            Filter = filter,
            Policies = [.. used.Distinct(StringComparer.Ordinal)],
        };
    }

    /// <remarks>
    /// Only enforced global access policies without targets apply (targets select datasets of the mesh); their
    /// conditions see the name as <c>resource.dataset</c> and every other resource attribute empty. Deny wins; a
    /// condition that cannot be evaluated counts against the caller; without a permit the answer is no.
    /// </remarks>
    public bool Permits(Principal principal, string name, AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(request);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var input = new PolicyInput(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["principal"] = PolicyInput.Principal(principal, mesh.People),
            ["resource"] = Resource(new DatasetResource(name, string.Empty, string.Empty, string.Empty, null, string.Empty, [], []), null),
            ["request"] = new Dictionary<string, object>(StringComparer.Ordinal) { ["purpose"] = request.Purpose ?? string.Empty, ["channel"] = request.Channel },
        });
        var access = policies.Policies.Where(p => p.Kind == PolicyKind.Access && p.IsEnforced(today) && p.Scope == PolicyScope.Global && Untargeted(p.Targets)).ToList();
        bool? Holds(Policy policy) => policy.When is null ? true : evaluator.Evaluate(policy.When, input);
        return !access.Any(p => p.Deny && Holds(p) != false) && access.Any(p => !p.Deny && Holds(p) == true);
    }

    private static bool Untargeted(PolicyTargets targets) =>
        targets.Domains.Count == 0 && targets.Products.Count == 0 && targets.Datasets.Count == 0 && targets.Tags.Count == 0 && targets.Classifications.Count == 0;

    /// <summary>
    /// A row filter parsed and type-checked against one dataset's columns, once per planner (the mesh does not
    /// change under it); null when it does not compile for that dataset.
    /// </summary>
    private CompiledExpression? Filter(Policy policy, DatasetResource dataset) => _filters.GetOrAdd((policy.Name, dataset.Address), _ =>
    {
        try
        {
            var columns = dataset.Columns.ToDictionary(c => c.Name, c => c.LogicalType, StringComparer.Ordinal);
            return evaluator.Compile(policy.Filter!, PolicyDeclarations.ForRows(mesh.People, columns));
        }
        catch (PolicyExpressionException)
        {
            return null;
        }
    });

    private static AccessPlan Denied(DatasetResource dataset, string reason, IReadOnlyList<string> used) =>
        new(dataset.Address, false, reason, []) { Policies = used };

    private static string Why(Policy policy) => policy.Description is { } description ? $" ({description.TrimEnd('.')})" : string.Empty;

    private static Dictionary<string, object> Resource(DatasetResource dataset, ColumnResource? column) => new(StringComparer.Ordinal)
    {
        ["domain"] = dataset.Domain,
        ["product"] = dataset.ProductKey,
        ["dataset"] = dataset.Address,
        ["port"] = dataset.Port,
        ["owner"] = dataset.OwnerTeam ?? string.Empty,
        ["status"] = dataset.Status,
        ["tags"] = dataset.Tags.Cast<object>().ToList(),
        ["column"] = column?.Name ?? string.Empty,
        ["column_tags"] = (column?.Tags ?? []).Cast<object>().ToList(),
        ["classification"] = column?.Classification ?? string.Empty,
    };
}
