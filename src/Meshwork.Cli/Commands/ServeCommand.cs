using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Meshwork.Loading;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Meshwork.Server;
using Meshwork.Server.Hosting;
using Meshwork.Server.Ports.PgWire;
using Meshwork.Server.Ports.Flight;
using Meshwork.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Meshwork.Cli.Commands;

/// <summary>
/// <c>mesh serve [--data DIR] [--urls URL] [--flight-port N] [--store STORE]</c> serves an applied data folder;
/// <c>mesh up [PATH] [--data DIR] [--urls URL] [--flight-port N]</c> lints, applies and serves a repository in one go.
/// </summary>
internal static class ServeCommand
{
    public static Command CreateServe(PlatformSource platforms)
    {
        var data = new Option<string>("--data") { Description = "The applied data folder.", DefaultValueFactory = _ => ".mesh" };
        var urls = Urls();
        var cluster = new Option<bool>("--cluster") { Description = "Join the cluster kept in the store (--store postgresql://…): every server on that store is one of its nodes." };
        var siloPort = Port("--silo-port", $"The port other nodes reach this one at (with --cluster; default {ClusterSettings.DefaultSiloPort}).");
        var gatewayPort = Port("--gateway-port", "A port for Orleans clients (with --cluster; off by default: nodes are reached over HTTP).");
        var advertise = new Option<string>("--advertise") { Description = "The address other nodes reach this one at (with --cluster; default: this machine's first IPv4 address)." };
        var node = new Option<string>("--node") { Description = "This server's name in runs and the cluster view (default: the machine's name)." };
        var pgPort = PgPort(null);
        var flightPort = FlightPortOption();
        var command = new Command("serve", "Serve an applied mesh: catalog, governed data API, product runs, metrics, health.")
        {
            data, urls, pgPort, flightPort, cluster, siloPort, gatewayPort, advertise, node,
        };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(cluster) && new Option[] { siloPort, gatewayPort, advertise }.FirstOrDefault(o => result.GetResult(o) is not null) is { } alone)
            {
                result.AddError($"{alone.Name} is for a cluster node: add --cluster (and --store postgresql://…).");
            }
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var settings = new Dictionary<string, string?>
            {
                // Without the flag, the configuration (Meshwork__Cluster__Enabled) still decides.
                ["Meshwork:Cluster:Enabled"] = parseResult.GetValue(cluster) ? "true" : null,
                ["Meshwork:Cluster:SiloPort"] = parseResult.GetValue(siloPort)?.ToString(CultureInfo.InvariantCulture),
                ["Meshwork:Cluster:GatewayPort"] = parseResult.GetValue(gatewayPort)?.ToString(CultureInfo.InvariantCulture),
                ["Meshwork:Cluster:Advertise"] = parseResult.GetValue(advertise),
                ["Meshwork:Node"] = parseResult.GetValue(node),
                [FlightPort.Setting] = parseResult.GetValue(flightPort)?.ToString(CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in PgWireSettings(parseResult.GetValue(pgPort), parseResult.GetRequiredValue(urls)))
            {
                settings[key] = value;
            }

            return ServeAsync(Path.GetFullPath(parseResult.GetRequiredValue(data)), platforms.Store(parseResult), parseResult.GetRequiredValue(urls), demo: false,
                parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken,
                settings.Where(s => s.Value is not null).ToDictionary());
        });
        return command;
    }

    public static Command CreateUp(PlatformSource platforms)
    {
        var path = CommonOptions.RepositoryPath();
        var data = CommonOptions.DataFolder();
        var urls = Urls();
        var pgPort = PgPort(DefaultPgPort);
        var flightPort = FlightPortOption();
        var demoOption = new Option<bool>("--demo")
        {
            Description = "Let anyone who reaches the web UI sign in as any principal of people.yaml, also on an address other machines reach (on loopback it is on anyway). For demos only.",
        };
        var command = new Command("up", "Lint, apply and serve a mesh repository: the whole platform in one process on embedded defaults.") { path, data, urls, pgPort, flightPort, demoOption };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var platform = platforms.For(parseResult);
            var planned = await platform.PlanAsync(parseResult.GetRequiredValue(path), parseResult.GetValue(data), cancellationToken);
            if (planned.Plan is not { } plan)
            {
                return CommonOptions.RefuseUnclean("up", planned.Lint, error);
            }

            if (plan.HasRefusals)
            {
                PlanWriter.WriteText(planned, output);
                error.WriteLine("mesh: not serving: the plan refuses a change (see above).");
                return MeshCli.ExitCodes.Findings;
            }

            var result = await TerminalProgress.RunAsync(output, "Applying", progress => platform.ApplyAsync(planned, progress, cancellationToken));
            output.WriteLine($"Applied: {result.Datasets.Count} dataset(s), {result.Datasets.Sum(d => d.Published)} row(s) published, " +
                $"{result.Datasets.Sum(d => d.Quarantined)} quarantined; {result.Errors.Count} error(s).");
            foreach (var message in result.Errors)
            {
                error.WriteLine($"mesh: {message}");
            }

            // up is the laptop path: the web UI lets you sign in as anyone of people.yaml (serve never does), but only
            // while it listens on this machine alone, unless --demo says so.
            var listen = parseResult.GetRequiredValue(urls);
            var loopback = Loopback.OnlyLoopback(listen);
            var anywhere = parseResult.GetValue(demoOption) && !loopback;
            if (anywhere)
            {
                error.WriteLine($"mesh: WARNING: demo sign-in is on and {listen} is reachable from other machines: anyone who reaches it can sign in as any principal, admin included. Use --demo for demos only.");
            }
            else if (!loopback)
            {
                output.WriteLine($"Demo sign-in is off: {listen} is reachable from other machines (--demo turns it on). Sign in with a token (mesh token <principal>).");
            }

            var settings = PgWireSettings(parseResult.GetValue(pgPort), listen);
            settings["Meshwork:Web:DemoSignInFromAnywhere"] = anywhere ? "true" : null;
            // Without the flag, the configuration (Meshwork__Flight__Port) still decides.
            settings[FlightPort.Setting] = parseResult.GetValue(flightPort)?.ToString(CultureInfo.InvariantCulture);
            return await ServeAsync(planned.DataFolder, platforms.Store(parseResult), listen, loopback || anywhere, output, error, cancellationToken,
                settings.Where(s => s.Value is not null).ToDictionary());
        });
        return command;
    }

    /// <summary>The PostgreSQL wire protocol port of <c>mesh up</c>: 5433, beside a local PostgreSQL's 5432.</summary>
    public const int DefaultPgPort = 5433;

    private static Option<int?> PgPort(int? byDefault)
    {
        var option = Port("--pg-port", zeroTurnsOff: true, description: byDefault is { } port
            ? $"The port of the PostgreSQL wire protocol (psql, BI tools; default {port}; 0 turns it off)."
            : "Listen for the PostgreSQL wire protocol (psql, BI tools) on this port (off when absent).");
        if (byDefault is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>The PostgreSQL port's settings: on the same interfaces as the HTTP listener (loopback unless it is reachable).</summary>
    private static Dictionary<string, string?> PgWireSettings(int? port, string urls) => new()
    {
        ["Meshwork:PgWire:Port"] = port is > 0 ? port.Value.ToString(CultureInfo.InvariantCulture) : null,
        ["Meshwork:PgWire:Listen"] = port is > 0 && !Loopback.OnlyLoopback(urls) ? "0.0.0.0" : null,
    };

    /// <summary>A TCP port option, 1 to 65535; with <paramref name="zeroTurnsOff"/>, 0 too (the listener is off).</summary>
    private static Option<int?> Port(string name, string description, bool zeroTurnsOff = false)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } port && port is < 1 or > 65535 && !(zeroTurnsOff && port == 0))
            {
                result.AddError($"{name} {port}: a port is 1 to 65535.");
            }
        });
        return option;
    }

    /// <summary>The Arrow Flight port: off unless given (here or as <c>Meshwork:Flight:Port</c>).</summary>
    private static Option<int?> FlightPortOption() =>
        Port("--flight-port", "Also serve Arrow Flight (gRPC, HTTP/2) on this port, on the host of --urls (off by default). See docs/ports/flight.md.");

    private static Option<string> Urls() =>
        new("--urls") { Description = $"Where to listen (default {MeshServer.DefaultUrl}).", DefaultValueFactory = _ => MeshServer.DefaultUrl };

    private static async Task<int> ServeAsync(string dataFolder, string? store, string urls, bool demo, TextWriter output, TextWriter error,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null)
    {
        WebApplication app;
        try
        {
            app = MeshServer.Build([], builder =>
            {
                builder.WebHost.UseUrls(urls);
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Meshwork:Data"] = dataFolder,
                    ["Meshwork:Store"] = store,
                    ["Meshwork:Web:DemoSignIn"] = demo ? "true" : "false",
                });
                builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            });
        }
        catch (Exception e) when (e is MeshworkException or StorageUnavailableException)
        {
            error.WriteLine($"mesh: {e.Message}");
            return MeshCli.ExitCodes.Usage;
        }

        await using (app)
        {
            var flight = FlightPort.Of(app.Configuration);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                var ports = flight is { } used ? $"{urls} or the Arrow Flight port {used}" : urls;
                error.WriteLine($"mesh: cannot listen on {ports}: the port is in use by another process. Stop it, or pass --urls http://127.0.0.1:<free port>"
                    + (flight is null ? "." : " or another --flight-port."));
                return MeshCli.ExitCodes.Usage;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                error.WriteLine($"mesh: cannot listen for the PostgreSQL wire protocol on port {settings?.GetValueOrDefault("Meshwork:PgWire:Port")}: it is in use by another process (a local PostgreSQL?). Pass --pg-port <free port>, or --pg-port 0 to turn it off.");
                return MeshCli.ExitCodes.Usage;
            }

            var url = urls.Split(';')[0].TrimEnd('/');
            var dataArgument = dataFolder.Contains(' ', StringComparison.Ordinal) ? $"\"{dataFolder}\"" : dataFolder;
            output.WriteLine($"Meshwork is serving {dataFolder} at {url}");
            output.WriteLine($"  web UI         {url}/{(demo ? "   (demo sign-in: pick anyone of people.yaml)" : "   (sign in with a token)")}");
            output.WriteLine($"  API reference  {url}/api");
            output.WriteLine($"  catalog        {url}/api/v1/products");
            output.WriteLine($"  health         {url}/healthz · metrics {url}/metrics");
            if (app.Services.PgWirePortOf() is { } pgPort)
            {
                var host = new Uri(url).Host;
                output.WriteLine($"  PostgreSQL     psql \"host={(host == "localhost" ? "127.0.0.1" : host)} port={pgPort} user=<principal> dbname=mesh\"   (password: mesh token <principal>)");
            }

            if (flight is { } port)
            {
                output.WriteLine($"  Arrow Flight   {FlightPort.Address(urls, port)}");
            }

            if (app.Services.GetRequiredService<ClusterSettings>() is { Enabled: true } cluster)
            {
                // Where the silo really listens, as the other nodes see it.
                var silo = app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint;
                output.WriteLine($"  cluster        node {cluster.Node} of '{cluster.ClusterId}', reached at {silo}; view: {url}/api/v1/cluster");
            }

            output.WriteLine($"  get a token    mesh token <principal> --data {dataArgument}   (then: curl -H \"Authorization: Bearer <token>\" {url}/api/v1/products)");
            output.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(cancellationToken);
        }

        return MeshCli.ExitCodes.Ok;
    }
}
