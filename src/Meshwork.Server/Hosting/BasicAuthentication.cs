using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Meshwork.Model;
using Meshwork.Platform.Serving;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Meshwork.Server.Hosting;

/// <summary>
/// HTTP basic authentication with a principal's name and a platform token as the password: what Kafka tools
/// configured with <c>basic.auth.user.info</c> send to the schema registry. The token must name that principal.
/// </summary>
internal sealed class BasicAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServedMesh served, PlatformTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "basic";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        string user;
        string token;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return AuthenticateResult.Fail("Basic credentials are 'principal:token'.");
            }

            (user, token) = (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("Basic credentials are not base64.");
        }

        if (await tokens.ValidateAsync(token).ConfigureAwait(false) != user
            || await served.FindPrincipalAsync(user, Context.RequestAborted).ConfigureAwait(false) is not { } principal)
        {
            return AuthenticateResult.Fail("The token is not valid for this principal.");
        }

        Context.Items[typeof(Principal)] = principal;
        var identity = new ClaimsIdentity([new Claim("sub", user)], SchemeName, "sub", null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
