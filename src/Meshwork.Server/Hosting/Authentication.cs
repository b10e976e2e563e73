using Meshwork.Model;
using Meshwork.Platform.Security;
using Meshwork.Platform.Serving;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.JsonWebTokens;

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

        var authentication = services.AddAuthentication(Selector)
            .AddPolicyScheme(Selector, "Bearer token or basic credentials", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? BasicAuthenticationHandler.SchemeName
                : authority is not null && IssuerOf(context) is { } issuer && issuer != TokenService.Issuer ? Oidc : Platform)
            .AddJwtBearer(Platform)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(Platform).Configure<ServedMesh>((options, served) =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = served.Tokens.ValidationParameters();
            options.Events = new JwtBearerEvents { OnTokenValidated = context => ResolvePrincipalAsync(context, served, JwtRegisteredClaimNames.Sub) };
        });

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
