using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;
using Meshwork.Governance.Cel;
using Meshwork.Model;

namespace Meshwork.Governance.Policies;

public enum PolicyKind
{
    Rule,
    Access,
    ColumnMask,
    RowFilter,
}

public enum PolicyStatus
{
    Draft,
    Grace,
    Enforced,
    Deprecated,
}

/// <summary>What a policy applies to; every selector given must match, an empty list matches anything.</summary>
public sealed record PolicyTargets(
    IReadOnlyList<string> Domains,
    IReadOnlyList<string> Products,
    IReadOnlyList<string> Datasets,
    IReadOnlyList<string> Tags,
    IReadOnlyList<string> Classifications)
{
    public static PolicyTargets Any { get; } = new([], [], [], [], []);

    /// <summary>Whether the policy selects columns (masks need this).</summary>
    public bool SelectsColumns => Tags.Count > 0 || Classifications.Count > 0;

    public bool MatchesDataset(string domain, string product, string? dataset) =>
        (Domains.Count == 0 || Domains.Contains(domain)) && (Products.Count == 0 || Products.Contains(product))
        && (Datasets.Count == 0 || (dataset is not null && Datasets.Contains(dataset)));

    /// <summary>Tags match when any tag equals one of the policy's, or starts with it and a colon (<c>pii</c> matches <c>pii:email</c>).</summary>
    public bool MatchesTags(IEnumerable<string> tags) =>
        Tags.Count == 0 || tags.Any(t => Tags.Any(p => t == p || t.StartsWith(p + ":", StringComparison.Ordinal)));

    public bool MatchesClassification(string? classification) =>
        Classifications.Count == 0 || (classification is not null && Classifications.Contains(classification));
}

/// <summary>One policy, read and compiled: its CEL compiled once (filters per dataset, when a plan needs them).</summary>
public sealed record Policy(
    string Name,
    string File,
    PolicyKind Kind,
    PolicyStatus Status,
    DateOnly? Until,
    PolicyScope Scope,
    string? ScopeKey,
    PolicyTargets Targets,
    CompiledExpression? When,
    bool Deny,
    ColumnMask? Mask,
    string? Filter,
    CompiledExpression? Check,
    string? Message,
    string? Description,
    SourceLocation Location)
{
    /// <summary>Where the filter expression is written (row filters are type-checked per dataset).</summary>
    public SourceLocation FilterLocation { get; init; } = Location;

    /// <summary>Whether the policy is in force at <paramref name="today"/>: enforced, or in grace past its date.</summary>
    public bool IsEnforced(DateOnly today) => Status == PolicyStatus.Enforced || (Status == PolicyStatus.Grace && Until is { } until && today >= until);

    /// <summary>Whether the policy only warns at <paramref name="today"/> (in its grace period).</summary>
    public bool IsWarning(DateOnly today) => Status == PolicyStatus.Grace && !IsEnforced(today);

    /// <summary>Whether a policy of this scope may apply to a product: global ones everywhere, others in their domain or product.</summary>
    public bool InScope(string domain, string productKey) => Scope switch
    {
        PolicyScope.Domain => ScopeKey == domain,
        PolicyScope.Product => ScopeKey == productKey,
        _ => true,
    };
}
