using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Meshwork.Platform.Serving;
using Meshwork.Server.Hosting;

namespace Meshwork.Server.Ports.PgWire;

/// <summary>Where and how the PostgreSQL wire protocol port listens (<c>Meshwork:PgWire</c>).</summary>
public sealed record PgWireOptions
{
    /// <summary>The TCP port; the port is off when null (<c>mesh serve --pg-port N</c>; <c>mesh up</c> uses 5433).</summary>
    public int? Port { get; init; }

    /// <summary>The address to listen on: loopback unless the server's HTTP listener is reachable from other machines.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>A PEM certificate (and <see cref="CertificateKey"/>, its key) for TLS; without one, clients asking for TLS are told no.</summary>
    public string? Certificate { get; init; }

    public string? CertificateKey { get; init; }

    /// <summary>Most connections open at once; one more is refused at startup with SQLSTATE 53300.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>How long a client has to start up and authenticate before the connection is closed.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public static PgWireOptions From(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var defaults = new PgWireOptions();
        var listen = section["Listen"];
        return new PgWireOptions
        {
            Port = section.GetValue<int?>("Port"),
            Address = listen is null ? defaults.Address
                : IPAddress.TryParse(listen, out var address) ? address
                : throw new InvalidOperationException($"Meshwork:PgWire:Listen '{listen}' is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)."),
            Certificate = section["Certificate"],
            CertificateKey = section["CertificateKey"],
            MaxConnections = section.GetValue("MaxConnections", defaults.MaxConnections),
        };
    }
}

/// <summary>
/// The PostgreSQL wire protocol port: accepts connections and runs a <see cref="PgWireSession"/> for each. It binds
/// when the server starts, so a port in use fails the start rather than the first client.
/// </summary>
internal sealed class PgWireListener(ServedMesh served, PlatformTokens tokens, PgWireOptions options, ILogger<PgWireListener> logger) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<(int ProcessId, int Secret), PgWireSession> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task? _accepting;
    private X509Certificate2? _certificate;
    private int _nextProcessId = 1000;

    /// <summary>The port it listens on (when configured as 0, the one the system chose).</summary>
    public int? BoundPort => (_listener?.LocalEndpoint as IPEndPoint)?.Port;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Port is not { } port)
        {
            return Task.CompletedTask;
        }

        if (options.Certificate is { } certificate)
        {
            _certificate = X509Certificate2.CreateFromPemFile(certificate, options.CertificateKey);
        }

        _listener = new TcpListener(options.Address, port);
        _listener.Start();
        _accepting = AcceptAsync(_listener, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        foreach (var session in _sessions.Values)
        {
            session.Cancel();
        }

        if (_accepting is not null)
        {
            await _accepting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // The stopping source has no timer to free, and the host may stop this service after disposing it.
    public void Dispose() => _certificate?.Dispose();

    /// <summary>Cancels the running statement of the session a CancelRequest names (its process id and secret key).</summary>
    public void CancelSession(int processId, int secret)
    {
        if (_sessions.TryGetValue((processId, secret), out var session))
        {
            session.Cancel();
        }
    }

    /// <summary>Logs a statement that failed for a fault of the port (the client was told and goes on).</summary>
    public void Failed(Exception e) => logger.LogError(e, "A statement over the PostgreSQL wire protocol failed.");

    private async Task AcceptAsync(TcpListener listener, CancellationToken stopping)
    {
        var running = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(ServeAsync(client, stopping));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            client.NoDelay = true;
            var processId = Interlocked.Increment(ref _nextProcessId);
            var secret = Random.Shared.Next();
            var session = new PgWireSession(client.GetStream(), served, tokens, _certificate, options, processId, secret, this);
            var full = _sessions.Count >= options.MaxConnections;
            _sessions[(processId, secret)] = session;
            try
            {
                await session.RunAsync(full, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server is stopping: nothing to tell anyone.
            }
#pragma warning disable CA1031 // One connection's failure must never stop the port; it is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "A PostgreSQL wire protocol connection failed.");
            }
            finally
            {
                _sessions.TryRemove((processId, secret), out _);
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Registration of the PostgreSQL wire protocol port.</summary>
public static class PgWirePort
{
    public static IServiceCollection AddMeshworkPgWire(this IServiceCollection services, IConfigurationSection section)
    {
        services.AddSingleton(PgWireOptions.From(section));
        services.AddSingleton<PgWireListener>();
        services.AddHostedService(provider => provider.GetRequiredService<PgWireListener>());
        return services;
    }

    /// <summary>The port the PostgreSQL wire protocol listens on in this server, or null when it is off.</summary>
    public static int? PgWirePortOf(this IServiceProvider services) => services.GetRequiredService<PgWireListener>().BoundPort;
}
