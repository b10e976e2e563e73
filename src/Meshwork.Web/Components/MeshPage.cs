using Meshwork.Model;
using Meshwork.Platform.Serving;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Meshwork.Web.Components;

/// <summary>
/// What every page has: the request, the served mesh (the facade, never the HTTP API) and the signed-in principal
/// resolved by the UI's authentication handler.
/// </summary>
public abstract class MeshPage : ComponentBase
{
    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [Inject]
    public ServedMesh Served { get; set; } = default!;

    [Inject]
    public NavigationManager Navigation { get; set; } = default!;

    /// <summary>The principal of people.yaml this request is signed in as.</summary>
    protected Principal Me => HttpContext.Items[typeof(Principal)] as Principal
        ?? throw new InvalidOperationException("The page was rendered without a signed-in principal; is it mapped behind the UI's authorization policy?");

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>Answers 404 with the not-found page (the router renders it; the page stops rendering itself).</summary>
    protected void NotFound() => Navigation.NotFound();

    protected bool IsAdmin => Me.Roles.Contains("admin");
}
