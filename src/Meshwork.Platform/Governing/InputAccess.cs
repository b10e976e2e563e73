using Meshwork.Governance;
using Meshwork.Model;
using Meshwork.Platform.Store;

namespace Meshwork.Platform.Governing;

/// <summary>
/// How a product's pipeline reads one upstream dataset of an input port: the access plan of the product's
/// principal, and the agreement it reads under (none when its own team owns the data or a policy permits it).
/// </summary>
public sealed record InputAccess(string Product, string? ProductTeam, string InputPort, string Dataset, string? OwnerTeam, AccessPlan Plan, Agreement? Agreement)
{
    /// <summary>The purpose of a pipeline read that holds no agreement.</summary>
    public const string DefaultPurpose = "pipeline";

    /// <summary>The consumer id of the product's principal (<see cref="Principal.ForProduct"/>).</summary>
    public string Consumer => Principal.ProductPrefix + Product;

    /// <summary>Whether the read crosses teams: such an input is a lineage edge that needs an agreement (or a policy's permit).</summary>
    public bool CrossesTeams => OwnerTeam is null || ProductTeam != OwnerTeam;

    /// <summary>What a person reads in plan and apply output.</summary>
    public string Describe() => Plan.Allowed
        ? Agreement is { } agreement
            ? $"{Product} reads {Dataset} under agreement {agreement.Id} ({agreement.Purpose}){Shaping()}"
            : $"{Product} reads {Dataset}: {Plan.Reason}{Shaping()}"
        : Plan.Policies.Count > 0
            ? $"{Product}: input port '{InputPort}' may not read {Dataset}: {Plan.Reason}"
            : $"{Product}: input port '{InputPort}' may not read {Dataset}: it needs an access agreement with {OwnerTeam ?? "the owning team"}. " +
              $"Request it with: mesh access request {Dataset} --for {Product} --purpose \"...\" --as <member of {Product}'s team>";

    private string Shaping()
    {
        var parts = new List<string>();
        if (Plan.Masks.Count > 0)
        {
            parts.Add($"masked: {string.Join(", ", Plan.Masks.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} ({m.Value.Kind})"))}");
        }

        if (Plan.Filter is not null)
        {
            parts.Add("rows filtered");
        }

        return parts.Count == 0 ? string.Empty : $"; {string.Join("; ", parts)}";
    }
}
