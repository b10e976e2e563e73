using System.Globalization;
using Meshwork.Loading;
using Meshwork.Server.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Meshwork.Server.Ports.Flight;

/// <summary>
/// The Arrow Flight port (<see cref="MeshworkFlightServer"/>), on when <c>Meshwork:Flight:Port</c> names a port: Kestrel
/// then listens there with HTTP/2 alone (gRPC without TLS needs it: h2c), beside the HTTP URLs, and the Flight service
/// answers on that port only. Off when the setting is absent.
/// </summary>
public static class FlightPort
{
    public const string Setting = "Meshwork:Flight:Port";

    /// <summary>The names of the Kestrel endpoints this port configures (<c>Kestrel:Endpoints:NAME</c>).</summary>
    private const string FlightEndpoint = "MeshworkFlight";
    private const string HttpEndpoint = "MeshworkHttp";

    /// <summary>The configured Flight port, or null when the port is off.</summary>
    /// <exception cref="MeshworkException">The setting is not a port number.</exception>
    public static int? Of(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[Setting];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new MeshworkException($"{Setting} is '{text}', not a port: a port is 1 to 65535 (leave it out to keep the Flight port off).");
    }

    /// <summary>
    /// Makes Kestrel listen on the Flight port, HTTP/2 only, on the host of the first HTTP URL (loopback stays loopback,
    /// <c>*</c> stays every address). Kestrel binds either the URLs or endpoints given in code or configuration, never
    /// both; so the URLs become <c>Kestrel:Endpoints</c> entries too (unless the configuration already declares its own
    /// endpoints), and the URLs setting is cleared so Kestrel has nothing to override.
    /// </summary>
    public static WebApplicationBuilder ListenOnFlightPort(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Of(builder.Configuration) is not { } port)
        {
            return builder;
        }

        var settings = new Dictionary<string, string?>();
        var declared = builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        var urls = declared.Count > 0 ? declared : Split(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) is { Length: > 0 } set ? set : MeshServer.DefaultUrl);
        if (declared.Count == 0)
        {
            for (var i = 0; i < urls.Count; i++)
            {
                settings[$"Kestrel:Endpoints:{HttpEndpoint}{i}:Url"] = urls[i];
            }

            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
            builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, string.Empty);
            builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, string.Empty);
        }

        if (urls.Select(Parse).FirstOrDefault(a => !a.IsUnixPipe && a.Port == port) is { } taken)
        {
            throw new MeshworkException($"{Setting} is {port}, the port of the HTTP URL {taken}: give the Flight port one of its own.");
        }

        settings[$"Kestrel:Endpoints:{FlightEndpoint}:Url"] = Url(urls, port);
        settings[$"Kestrel:Endpoints:{FlightEndpoint}:Protocols"] = "Http2";
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    /// <summary>Where the Flight port listens given the HTTP URLs (<c>;</c>-separated, as <c>--urls</c> takes them): <c>grpc://HOST:PORT</c>.</summary>
    public static string Address(string urls, int port)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var url = new Uri(Url(Split(urls), port).Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        return $"{(url.Scheme == Uri.UriSchemeHttps ? "grpc+tls" : "grpc")}://{url.Authority}";
    }

    /// <summary>The Flight service, with gRPC's message limit at the server's request body limit (a ticket or descriptor is small).</summary>
    public static IServiceCollection AddMeshworkFlight(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddGrpc(o => o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, RequestBodyLimits.From(configuration.GetSection("Meshwork")).MaxRequestBodyBytes))
            .AddFlightServer<MeshworkFlightServer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, FlightPortMatcherPolicy>());
        return services;
    }

    /// <summary>
    /// Maps the Flight service when the port is on. The port authenticates each call itself (a gRPC status, not an HTTP
    /// 401), so the endpoints are open to the HTTP pipeline; the gRPC stream is not buffered by the body limit.
    /// </summary>
    public static IEndpointRouteBuilder MapMeshworkFlight(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (Of(app.ServiceProvider.GetRequiredService<IConfiguration>()) is { } port)
        {
            app.MapFlightEndpoint().AllowAnonymous().WithBodyLimit(BodyLimit.Stream).WithMetadata(new FlightPortMetadata(port));
        }

        return app;
    }

    /// <summary>The Flight URL on the host of the first HTTP URL: h2c beside plain HTTP, TLS beside HTTPS.</summary>
    private static string Url(IReadOnlyList<string> urls, int port)
    {
        var first = urls.Select(Parse).FirstOrDefault(a => !a.IsUnixPipe);
        var host = first?.Host ?? "localhost";
        return string.Create(CultureInfo.InvariantCulture, $"{(first?.Scheme == Uri.UriSchemeHttps ? "https" : "http")}://{host}:{port}");
    }

    private static BindingAddress Parse(string url)
    {
        try
        {
            return BindingAddress.Parse(url);
        }
        catch (FormatException e)
        {
            throw new MeshworkException($"'{url}' is not a URL the server can listen on ({e.Message}); the Flight port listens on the host of the first one.");
        }
    }

    private static List<string> Split(string urls) => [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}

/// <summary>Marks the Flight service's endpoints with the port they answer on.</summary>
internal sealed record FlightPortMetadata(int Port);

/// <summary>
/// Keeps the Flight service to its port: on a connection to another local port (the HTTP URLs) its endpoints do not
/// match, so a Flight call there is not served. Matched on the connection's local port, not the Host header, so a
/// proxy or port mapping in front (a Kubernetes service, <c>docker -p</c>) does not break it. A connection with no
/// local port (the in-process test server) is not restricted.
/// </summary>
internal sealed class FlightPortMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the host policy, before anything that answers "method not allowed".
    public override int Order => -100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(e => e.Metadata.GetMetadata<FlightPortMetadata>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var local = httpContext.Features.Get<IHttpConnectionFeature>()?.LocalPort ?? 0;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (local != 0 && candidates[i].Endpoint.Metadata.GetMetadata<FlightPortMetadata>() is { } flight && flight.Port != local)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
