using System.Net.Http.Headers;
using Meshwork.Platform.Security;
using Meshwork.Server;
using Meshwork.Server.Ports.PgWire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using FlightSetting = Meshwork.Server.Ports.Flight.FlightPort;

namespace Meshwork.Benchmarks;

/// <summary>
/// The real server (<see cref="MeshServer.Build"/>, Kestrel, authentication, Orleans silo) serving an applied data
/// folder on a loopback port chosen by the OS, with an HTTP client that carries a bearer token. With
/// <c>Meshwork:PgWire:Port</c> in the settings it also serves the PostgreSQL wire protocol (<see cref="PgWirePort"/>),
/// with <c>Meshwork:Flight:Port</c> Arrow Flight (<see cref="FlightPort"/>).
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServerHost(WebApplication app, Uri address, HttpClient client, string token)
    {
        _app = app;
        Address = address;
        Client = client;
        Token = token;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; }

    /// <summary>A client for <see cref="Address"/> authenticated as the principal given to <see cref="StartAsync"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>The principal's platform token: the bearer of <see cref="Client"/>, and the password over the PostgreSQL wire protocol.</summary>
    public string Token { get; }

    /// <summary>The port of the PostgreSQL wire protocol, or null when the settings did not turn it on.</summary>
    public int? PgWirePort => _app.Services.PgWirePortOf();

    /// <summary>The port of Arrow Flight (h2c, beside <see cref="Address"/>), or null when the settings did not turn it on.</summary>
    public int? FlightPort => FlightSetting.Of(_app.Configuration);

    /// <summary>Starts a server on <paramref name="dataFolder"/> and issues a token for <paramref name="principal"/> (of people.yaml).</summary>
    public static async Task<ServerHost> StartAsync(string dataFolder, string principal, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = MeshServer.Build([], builder =>
        {
            var configuration = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Meshwork:Data"] = dataFolder };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                configuration[key] = value;
            }

            builder.Configuration.AddInMemoryCollection(configuration);
            // Port 0: the OS picks a free port; the bound address is read back after the start.
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // Orleans logs every silo step at Information; keep the benchmark output readable.
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });

        try
        {
            await app.StartAsync().ConfigureAwait(false);
            // With the Flight port on, Kestrel also lists the Flight endpoint (and may list it first): the HTTP address is the other one.
            var flightPort = FlightSetting.Of(app.Configuration);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => new Uri(a).Port != flightPort)
                ?? throw new InvalidOperationException("The server started without an HTTP address.");
            var address = new Uri(bound.TrimEnd('/') + "/");
            var token = TokenService.Open(dataFolder, TimeProvider.System).Issue(principal);
            var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None, UseCookies = false })
            {
                BaseAddress = address,
                Timeout = TimeSpan.FromMinutes(10),
            };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return new ServerHost(app, address, client, token);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
