using Meshwork.Web.Components;
using Meshwork.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Meshwork.Web;

/// <summary>What the UI allows beyond the defaults (<c>Meshwork:Web</c>).</summary>
public sealed class WebOptions
{
    /// <summary>Sign in as any principal of people.yaml without a token: for <c>mesh up</c> on a laptop, never for a shared server.</summary>
    public bool DemoSignIn { get; init; }

    /// <summary>Demo sign-in from other machines too (<c>mesh up --demo</c> on a reachable address); by default only from this one.</summary>
    public bool DemoSignInFromAnywhere { get; init; }
}

/// <summary>The web UI: Razor components rendered on the server, with their own sign-in cookie and static assets.</summary>
public static class MeshworkWeb
{
    public static IServiceCollection AddMeshworkWeb(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddSingleton(new WebOptions { DemoSignIn = section.GetValue("DemoSignIn", false), DemoSignInFromAnywhere = section.GetValue("DemoSignInFromAnywhere", false) });
        services.AddRazorComponents();
        // A redirect to the sign-in page is routine, not news for the console.
        services.AddLogging(logging => logging.AddFilter(typeof(UiAuthenticationHandler).FullName, LogLevel.Warning));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, UiAuthenticationHandler>(UiAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(UiAuthenticationHandler.PolicyName, policy =>
            policy.AddAuthenticationSchemes(UiAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>Maps the UI's pages and assets; call after authentication and authorization are in the pipeline.</summary>
    public static WebApplication MapMeshworkWeb(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        if (StaticAssets(app) is { } manifest)
        {
            app.MapStaticAssets(manifest).AllowAnonymous();
        }
        else
        {
            EmbeddedAssets.Map(app);
        }

        // Every page needs the UI cookie; the sign-in page opts out with [AllowAnonymous].
        app.MapRazorComponents<App>().RequireAuthorization(UiAuthenticationHandler.PolicyName);
        return app;
    }

    /// <summary>
    /// Finds the UI's static assets wherever the host runs from (mesh, the server, a test host): the asset manifest
    /// is built beside Meshwork.Server and copied with it, while ASP.NET Core's defaults look for files named after
    /// the entry assembly and serve a build's assets only in Development. Returns the endpoints manifest, or null
    /// when there is none (a published tool: the assets are then served from embedded copies).
    /// </summary>
    private static string? StaticAssets(WebApplication app)
    {
        var folder = AppContext.BaseDirectory;
        var endpoints = Path.Combine(folder, "Meshwork.Server.staticwebassets.endpoints.json");
        if (!File.Exists(endpoints))
        {
            return null;
        }

        var published = Path.Combine(folder, "wwwroot");
        var runtime = Path.Combine(folder, "Meshwork.Server.staticwebassets.runtime.json");
        if (Directory.Exists(published))
        {
            // The server published: the assets sit beside the binaries, whatever the content root.
            app.Environment.WebRootFileProvider = new CompositeFileProvider(app.Environment.WebRootFileProvider, new PhysicalFileProvider(published));
        }
        else if (File.Exists(runtime))
        {
            // Built, not published: the runtime manifest maps each asset to its source or package folder.
            var settings = new ConfigurationBuilder().AddInMemoryCollection([new(WebHostDefaults.StaticWebAssetsKey, runtime)]).Build();
            StaticWebAssetsLoader.UseStaticWebAssets(app.Environment, settings);
        }

        return endpoints;
    }
}
