using System.Security.Cryptography;
using System.Text;
using Meshwork.Model;
using Meshwork.Platform.Catalog;

namespace Meshwork.Platform.Access;

/// <summary>Why a principal reads: the purpose they state and the port they read through.</summary>
public sealed record AccessRequest(string? Purpose, string Channel);

/// <summary>
/// What one principal may read of one dataset, decided once per request (DESIGN.md §4): allowed or not (with
/// the reason and how to get access), the readable columns. Masks and the row filter join it with governance.
/// </summary>
public sealed record AccessPlan(string Address, bool Allowed, string Reason, IReadOnlyList<string> Columns)
{
    /// <summary>A short digest of the plan, written to the audit log with every read.</summary>
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{Address}|{Allowed}|{string.Join(",", Columns)}")))[..16];
}

/// <summary>Decides access plans. One implementation at a time; policies and agreements plug in here.</summary>
public interface IAccessPlanner
{
    AccessPlan Plan(Principal principal, CatalogDataset dataset, AccessRequest request);
}

/// <summary>
/// The plan until governance policies exist: the owning team and <c>admin</c>s read every column; everyone
/// else is refused, told whom to ask.
/// </summary>
public sealed class OwnerAccessPlanner(Mesh mesh) : IAccessPlanner
{
    public AccessPlan Plan(Principal principal, CatalogDataset dataset, AccessRequest request)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(dataset);
        var columns = dataset.Columns.Select(c => c.Name).ToList();
        if (principal.Roles.Contains("admin"))
        {
            return new AccessPlan(dataset.Address, true, "admin", columns);
        }

        if (principal.Team is not null && principal.Team == dataset.OwnerTeam)
        {
            return new AccessPlan(dataset.Address, true, $"member of the owning team {principal.Team}", columns);
        }

        var owner = dataset.OwnerTeam is { } team ? mesh.People.FindTeam(team) : null;
        var contact = owner is null ? "the owning team" : owner.Channel is { } channel ? $"{owner.Id} ({channel})" : owner.Id;
        return new AccessPlan(dataset.Address, false,
            $"'{principal.Id}' may not read {dataset.Address}: only its owning team and admins read it without an access agreement; ask {contact} for access.", []);
    }
}
