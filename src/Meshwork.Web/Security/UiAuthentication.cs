using System.Security.Claims;
using System.Text.Encodings.Web;
using Meshwork.Model;
using Meshwork.Platform.Serving;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Meshwork.Web.Security;

/// <summary>
/// The UI's sign-in: a platform JWT kept in an HttpOnly, SameSite=Lax cookie. Only the UI's pages authenticate
/// with this scheme (their authorization policy names it); the API and registry authenticate with the bearer
/// scheme alone, so a browser's cookie never authorizes an API call (no cross-site request forgery path).
/// </summary>
internal sealed class UiAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServedMesh served)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "meshwork-ui";
    public const string PolicyName = "meshwork-ui";
    public const string CookieName = "meshwork_ui";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(CookieName, out var token) || string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        var principal = await ValidateAsync(served, token, Context.RequestAborted).ConfigureAwait(false);
        if (principal is null)
        {
            return AuthenticateResult.Fail("The sign-in cookie's token is not valid (expired, or signed with another key), or its principal is no longer in people.yaml.");
        }

        Context.Items[typeof(Principal)] = principal;
        var identity = new ClaimsIdentity([new Claim("sub", principal.Id)], SchemeName, "sub", null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Not signed in (or the cookie went stale): to the sign-in page, which brings the person back here.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var back = Request.PathBase + Request.Path + Request.QueryString;
        Response.Redirect($"{Request.PathBase}/signin?returnUrl={Uri.EscapeDataString(back)}");
        return Task.CompletedTask;
    }

    /// <summary>The principal of people.yaml a platform token names, when the token is valid; else null.</summary>
    public static async Task<Principal?> ValidateAsync(ServedMesh served, string token, CancellationToken cancellationToken)
    {
        var id = await served.Tokens.ValidateAsync(token.Trim()).ConfigureAwait(false);
        return id is null ? null : await served.FindPrincipalAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps <paramref name="token"/> for the UI's pages until it expires.</summary>
    public static void SignIn(HttpContext context, string token, DateTimeOffset expires) =>
        context.Response.Cookies.Append(CookieName, token.Trim(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });

    public static void SignOut(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, Path = "/" });
}
