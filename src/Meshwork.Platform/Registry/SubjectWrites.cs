using Meshwork.Governance;
using Meshwork.Model;
using Meshwork.Platform.Serving;

namespace Meshwork.Platform.Registry;

/// <summary>Who may write a registry subject (register a schema, delete, configure its compatibility).</summary>
public static class SubjectWrites
{
    /// <summary>
    /// Why <paramref name="principal"/> may not write <paramref name="subject"/>; null when it may. Subjects of the
    /// form of a product's dataset subjects (<see cref="DatasetSubjects.Reserved"/>) are the platform's: written by
    /// admins and the pipeline role only, and a look-alike differing by case is registered by no one (admins may
    /// still delete one made before). Other subjects are written by admins and by principals an access policy
    /// permits (channel <c>registry</c>, the subject as <c>resource.dataset</c>).
    /// </summary>
    public static string? Refusal(Principal principal, string subject, ServedState state, bool registering)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(state);
        var admin = principal.Roles.Contains("admin");
        if (DatasetSubjects.Reserved(subject, p => state.Mesh.FindProduct(p) is not null) is not { } reserved)
        {
            return admin || state.Governance.Planner.Permits(principal, subject, new AccessRequest("schema-write", "registry")) ? null
                : $"'{principal.Id}' may not write subject '{subject}': admins and principals an access policy permits (request.channel 'registry') write subjects outside data products.";
        }

        if (!reserved.IsCanonical && (registering || !admin))
        {
            return $"Subject '{subject}' differs only by case from '{reserved.Canonical}', a subject of data product {reserved.Product}: subject names are compared "
                + "exactly, so such a look-alike is refused.";
        }

        return admin || principal.Roles.Contains("pipeline") ? null
            : $"Subject '{subject}' is named as a dataset of data product {reserved.Product} (<domain>.<product>.<object>_vN[.json]-value|-key): only the platform "
                + "(admin, pipeline) registers its schemas, for every version, published or not.";
    }
}
