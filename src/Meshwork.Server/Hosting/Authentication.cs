using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Meshwork.Model;
using Meshwork.Platform.Security;
using Meshwork.Platform.Serving;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Meshwork.Server.Hosting;

/// <summary>
/// Bearer tokens: the platform's own (signed with the data folder's key, from <c>mesh token</c>) and, when
/// <c>Meshwork:Oidc:Authority</c> is set, an OIDC issuer's JWTs. Either way the token names a principal of
/// people.yaml, which is looked up on every request; an unknown principal is not authenticated.
/// </summary>
internal static class Authentication
{
    public const string Platform = "meshwork";
    public const string Oidc = "oidc";
    private const string Selector = "bearer";

    public static IServiceCollection AddMeshworkAuthentication(this IServiceCollection services, IConfigurationSection section)
    {
        var oidc = section.GetSection("Oidc");
        var authority = oidc["Authority"];
        var principalClaim = oidc["PrincipalClaim"] ?? JwtRegisteredClaimNames.Sub;

        services.AddSingleton<PlatformTokens>();
        var authentication = services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "Bearer token or basic credentials", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? BasicAuthenticationHandler.SchemeName
                : authority is not null && IssuerOf(context) is { } issuer && issuer != TokenService.Issuer ? Oidc : Platform)
            .AddScheme<AuthenticationSchemeOptions, PlatformBearerHandler>(Platform, null)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);

        if (authority is not null)
        {
            authentication.AddJwtBearer(Oidc, options =>
            {
                options.Authority = authority;
                options.Audience = oidc["Audience"];
                options.MapInboundClaims = false;
                options.RequireHttpsMetadata = oidc.GetValue("RequireHttpsMetadata", true);
            });
            services.AddOptions<JwtBearerOptions>(Oidc).Configure<ServedMesh>((options, served) =>
                options.Events = new JwtBearerEvents { OnTokenValidated = context => ResolvePrincipalAsync(context, served, principalClaim) });
        }

        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }

    /// <summary>The principal of people.yaml the request is authenticated as (set by the bearer handler).</summary>
    public static Principal Principal(this HttpContext context) =>
        context.Items[typeof(Principal)] as Principal ?? throw new InvalidOperationException("The request is not authenticated.");

    private static async Task ResolvePrincipalAsync(TokenValidatedContext context, ServedMesh served, string claim)
    {
        var id = context.Principal?.FindFirst(claim)?.Value;
        var principal = id is null ? null : await served.FindPrincipalAsync(id, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (principal is null)
        {
            context.Fail($"The token's principal '{id}' is not in people.yaml.");
            return;
        }

        context.HttpContext.Items[typeof(Principal)] = principal;
    }

    private static string? IssuerOf(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var handler = new JsonWebTokenHandler();
        var token = header["Bearer ".Length..].Trim();
        return handler.CanReadToken(token) ? handler.ReadJsonWebToken(token).Issuer : null;
    }
}

/// <summary>
/// The platform's bearer tokens (<c>Authorization: Bearer &lt;token from mesh token&gt;</c>): the token is
/// validated by <see cref="PlatformTokens"/> and must name a principal of people.yaml, looked up on every request.
/// A scheme of its own rather than the JWT bearer handler, which clones its validation parameters, builds its
/// events' contexts and saves the token on every request: on the registry's hot read (docs/benchmarks.md,
/// "Schema registry") authentication allocated more than the rest of the request.
/// </summary>
internal sealed class PlatformBearerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ServedMesh served, PlatformTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Prefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header.AsMemory(Prefix.Length).Trim();
        if (token.IsEmpty)
        {
            return AuthenticateResult.NoResult();
        }

        var id = await tokens.ValidateAsync(token).ConfigureAwait(false);
        if (id is null)
        {
            return AuthenticateResult.Fail("The bearer token is not valid: not signed with this data folder's key, not for Meshwork, or expired.");
        }

        if (await served.FindPrincipalAsync(id, Context.RequestAborted).ConfigureAwait(false) is not { } principal)
        {
            return AuthenticateResult.Fail($"The token's principal '{id}' is not in people.yaml.");
        }

        Context.Items[typeof(Principal)] = principal;
        var identity = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, id)], Scheme.Name, JwtRegisteredClaimNames.Sub, null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>, and <c>error="invalid_token"</c> when a token was refused (RFC 6750).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append("WWW-Authenticate", result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"");
    }
}

/// <summary>
/// Validates the platform's tokens, for the bearer and the basic schemes: one set of validation parameters for the
/// server's lifetime, and the tokens already validated remembered until they expire. A client sends the same
/// token with every request; parsing it and checking its HMAC signature cost more than the registry's answer.
/// Only a fully validated token is remembered, keyed by its exact text, so its signature, issuer and audience
/// cannot differ on a later request; its expiry is checked again on every use, as
/// <see cref="TokenService.ValidationParameters"/> does (valid while it expires after now). The caller still looks
/// up the principal on every request, so one removed from people.yaml is refused at once.
/// </summary>
internal sealed class PlatformTokens(ServedMesh served)
{
    /// <summary>How many distinct valid tokens are remembered; past it they are all forgotten (and remembered again as used).</summary>
    private const int Limit = 10_000;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters = served.Tokens.ValidationParameters();
    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    /// <summary>The principal id a valid platform token names, or null when the token is not valid now.</summary>
    public ValueTask<string?> ValidateAsync(string token) => ValidateAsync(token.AsMemory());

    /// <inheritdoc cref="ValidateAsync(string)"/>
    public async ValueTask<string?> ValidateAsync(ReadOnlyMemory<char> token)
    {
        // Looked up by span: a remembered token costs no string copy of the header.
        if (_validated.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token.Span, out var known, out var kept))
        {
            if (served.Time.GetUtcNow().UtcDateTime < kept.Expires)
            {
                return kept.Principal;
            }

            _validated.TryRemove(known, out _);
        }

        var text = token.ToString();
        var result = await _handler.ValidateTokenAsync(text, _parameters).ConfigureAwait(false);
        if (!result.IsValid || result.ClaimsIdentity?.Name is not { } principal)
        {
            return null;
        }

        if (_validated.Count >= Limit)
        {
            _validated.Clear();
        }

        _validated[text] = new Validated(principal, result.SecurityToken.ValidTo);
        return principal;
    }

    private sealed record Validated(string Principal, DateTime Expires);
}
