using Meshwork.Engines;
using Meshwork.Platform;
using Meshwork.Platform.Cluster;
using Meshwork.Platform.Products;
using Meshwork.Platform.Security;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Store;
using Meshwork.Server.Apis;
using Meshwork.Server.Hosting;
using Meshwork.Server.Ports.PgWire;
using Meshwork.Server.Ports.Flight;
using Meshwork.Server.Ports.Mcp;
using Meshwork.Web;
using Meshwork.Web.Security;
using Prometheus;
using Scalar.AspNetCore;

namespace Meshwork.Server;

/// <summary>Builds the server: one place for services and the HTTP pipeline, used by Program, <c>mesh serve</c> and tests.</summary>
public static class MeshServer
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Requests are measured in /metrics; the log keeps to warnings and the start-up lines.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The Flight port's refusals are answered with their gRPC status; gRPC would also log each at information.
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        // Orleans' placement retries through Polly and logs each attempt; a failure that matters surfaces as Orleans' own.
        builder.Logging.AddFilter("Polly", LogLevel.Critical);
        // Products check their cron every second or so (DataProductGrain.ReminderPeriod), below the period Orleans warns about
        // at every start; a tick only calls the grain: the reminder table is read when the ring changes.
        builder.Logging.AddFilter("Orleans.Hosting.ReminderOptionsValidator", LogLevel.Error);
        configure?.Invoke(builder);
        // After the caller's settings: the URLs and Meshwork:Flight:Port are known only then.
        builder.ListenOnFlightPort();
        builder.Services.AddMeshworkServer(builder.Configuration);
        builder.UseOrleans(silo => MeshworkSilo.Configure(silo, builder.Configuration));

        var app = builder.Build();
        app.UseMeshwork();
        return app;
    }

    /// <summary>The server's services over the platform's composition root (<see cref="MeshworkServiceCollectionExtensions.AddMeshwork"/>).</summary>
    public static IServiceCollection AddMeshworkServer(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Meshwork");
        services.AddServedMesh(configuration);
        services.AddSingleton(RequestBodyLimits.From(section));
        services.AddMeshworkAuthentication(section);
        services.AddProblemDetails();
        services.AddExceptionHandler<ServingExceptionHandler>();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Meshwork API";
            document.Info.Description = "Catalog, governed data access and product runs of a Meshwork data mesh. Authenticate with a bearer token from `mesh token PRINCIPAL`.";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: ["ready"]);
        services.AddSingleton<MeshMetrics>();
        services.AddSingleton(provider => provider.GetRequiredService<ServedMesh>().Registry);
        services.AddHostedService<ProductScheduler>();
        services.AddSingleton(provider =>
        {
            var cluster = provider.GetRequiredService<ClusterSettings>();
            return new ClusterMonitor(provider.GetRequiredService<IGrainFactory>(), cluster.Enabled, cluster.ClusterId);
        });
        services.AddMeshworkWeb(section.GetSection("Web"));
        services.AddMeshworkMcp();
        services.AddMeshworkPgWire(section.GetSection("PgWire"));
        services.AddMeshworkFlight(configuration);
        return services;
    }

    /// <summary>
    /// What the product grains need on every node: the platform's composition root (store, engines, keys) and the served
    /// mesh of <c>Meshwork:Data</c>, with the schedule options.
    /// </summary>
    public static IServiceCollection AddServedMesh(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Meshwork");
        var cluster = ClusterSettings.From(section);
        services.AddSingleton(cluster);
        services.AddMeshwork(m =>
        {
            // The store as Meshwork:Store (mesh serve --store) or MESHWORK_STORE names it; the data folder's SQLite by default.
            m.UseConfiguredStore(section["Store"]);
            // Keys from the secrets folder Meshwork:Secrets names (replicas share one); else the key provider's own order.
            if (section["Secrets"] is { Length: > 0 } secrets)
            {
                m.UseKeys(new KeyProvider(secretsFolder: secrets));
            }
        });
        services.AddSingleton(provider =>
        {
            var data = section["Data"] ?? throw new InvalidOperationException("Meshwork:Data is not set: which applied data folder should the server serve?");
            MeshworkSilo.Validate(cluster, provider.GetRequiredService<IMetadataStoreProvider>());
            // Every setting defaults to ServeOptions' own default (docs/security.md#limits-and-their-defaults).
            var defaults = new ServeOptions { DataFolder = data };
            var options = defaults with
            {
                MaxRows = section.GetValue("MaxRows", defaults.MaxRows),
                MaxBytes = section.GetValue("MaxBytes", defaults.MaxBytes),
                ReadTimeout = section.GetValue("ReadTimeout", defaults.ReadTimeout),
                LeaseDuration = section.GetValue("LeaseDuration", defaults.LeaseDuration),
                RefreshInterval = section.GetValue("RefreshInterval", defaults.RefreshInterval),
                MaxConcurrentReads = section.GetValue("MaxConcurrentReads", defaults.MaxConcurrentReads),
                MaxConcurrentReadsPerPrincipal = section.GetValue("MaxConcurrentReadsPerPrincipal", defaults.MaxConcurrentReadsPerPrincipal),
                SessionMemoryBytes = section.GetValue("SessionMemoryBytes", defaults.SessionMemoryBytes),
                SessionThreads = section.GetValue("SessionThreads", defaults.SessionThreads),
                MaxGeneratedRows = section.GetValue("MaxGeneratedRows", defaults.MaxGeneratedRows),
                Node = cluster.Node,
            };
            return ServedMesh.OpenAsync(options, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<EngineRegistry>(), provider.GetRequiredService<IMetadataStoreProvider>(),
                provider.GetRequiredService<IKeyProvider>(), provider.GetRequiredService<Meshwork.Platform.Lineage.LineageEmitter>())
                .GetAwaiter().GetResult();
        });
        services.Configure<ProductGrainOptions>(section.GetSection("Schedule"));
        return services;
    }

    public static WebApplication UseMeshwork(this WebApplication app)
    {
        // Open the served mesh now: a data folder that cannot be served fails the start, not the first request.
        app.Services.GetRequiredService<ServedMesh>();
        var metrics = app.Services.GetRequiredService<MeshMetrics>();

        // First, so that every response (errors, redirects and 401s included) carries them.
        app.UseSecurityHeaders(ScalarOptions.NonceHttpContextItemKey);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The server's own registry: several servers in one process (tests) never share metrics.
        app.UseHttpMetrics(options => options.SetMetricFactory(Metrics.WithCustomRegistry(metrics.Registry)));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRequestBodyLimits();

        app.MapHealthChecks("/healthz", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        // Open to anyone for the HTTP series; the per-dataset series need a metrics or admin principal (MeshMetrics).
        app.MapGet("/metrics", metrics.ScrapeAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi().AllowAnonymous();
        // The reference starts itself with an inline script: a fresh nonce per request lets that one script run under the
        // security headers' policy. Fonts and telemetry would reach Scalar's servers from the reader's browser.
        app.MapScalarApiReference("/api", options => options.WithTitle("Meshwork API").WithNonce().DisableDefaultFonts().DisableTelemetry()).AllowAnonymous();

        app.MapCatalogApi();
        app.MapDataApi();
        app.MapProductsApi();
        app.MapAuditApi();
        app.MapAccessApi();
        app.MapRegistryApi();
        app.MapClusterApi();
        app.MapPrivacyApi();
        app.MapMeshworkMcp();
        // Arrow Flight (gRPC) on its own port, when Meshwork:Flight:Port is set.
        app.MapMeshworkFlight();
        // The web UI: its pages authenticate with their own cookie; the routes above keep to bearer tokens.
        app.MapMeshworkWeb();
        return app;
    }
}
