using System.CommandLine;
using System.Net.Sockets;
using Meshwork.Loading;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Store;
using Meshwork.Server;
using Meshwork.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Meshwork.Cli.Commands;

/// <summary>
/// <c>mesh serve [--data DIR] [--urls URL] [--store STORE]</c> serves an applied data folder; <c>mesh up [PATH] [--data DIR] [--urls URL]</c>
/// lints, applies and serves a repository in one go.
/// </summary>
internal static class ServeCommand
{
    public static Command CreateServe(PlatformSource platforms)
    {
        var data = new Option<string>("--data") { Description = "The applied data folder.", DefaultValueFactory = _ => ".mesh" };
        var urls = Urls();
        var command = new Command("serve", "Serve an applied mesh: catalog, governed data API, product runs, metrics, health.") { data, urls };
        command.SetAction((parseResult, cancellationToken) =>
            ServeAsync(Path.GetFullPath(parseResult.GetRequiredValue(data)), platforms.Store(parseResult), parseResult.GetRequiredValue(urls), demo: false,
                parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static Command CreateUp(PlatformSource platforms)
    {
        var path = CommonOptions.RepositoryPath();
        var data = CommonOptions.DataFolder();
        var urls = Urls();
        var command = new Command("up", "Lint, apply and serve a mesh repository: the whole platform in one process on embedded defaults.") { path, data, urls };
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
            // while it listens on this machine alone.
            var listen = parseResult.GetRequiredValue(urls);
            var demo = Loopback.OnlyLoopback(listen);
            if (!demo)
            {
                output.WriteLine($"Demo sign-in is off: {listen} is reachable from other machines. Sign in with a token (mesh token <principal>).");
            }

            return await ServeAsync(planned.DataFolder, platforms.Store(parseResult), listen, demo, output, error, cancellationToken);
        });
        return command;
    }

    private static Option<string> Urls() =>
        new("--urls") { Description = $"Where to listen (default {MeshServer.DefaultUrl}).", DefaultValueFactory = _ => MeshServer.DefaultUrl };

    private static async Task<int> ServeAsync(string dataFolder, string? store, string urls, bool demo, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
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
            });
        }
        catch (Exception e) when (e is MeshworkException or StorageUnavailableException)
        {
            error.WriteLine($"mesh: {e.Message}");
            return MeshCli.ExitCodes.Usage;
        }

        await using (app)
        {
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                error.WriteLine($"mesh: cannot listen on {urls}: the port is in use by another process. Stop it, or pass --urls http://127.0.0.1:<free port>.");
                return MeshCli.ExitCodes.Usage;
            }

            var url = urls.Split(';')[0].TrimEnd('/');
            var dataArgument = dataFolder.Contains(' ', StringComparison.Ordinal) ? $"\"{dataFolder}\"" : dataFolder;
            output.WriteLine($"Meshwork is serving {dataFolder} at {url}");
            output.WriteLine($"  web UI         {url}/{(demo ? "   (demo sign-in: pick anyone of people.yaml)" : "   (sign in with a token)")}");
            output.WriteLine($"  API reference  {url}/api");
            output.WriteLine($"  catalog        {url}/api/v1/products");
            output.WriteLine($"  health         {url}/healthz · metrics {url}/metrics");
            output.WriteLine($"  get a token    mesh token <principal> --data {dataArgument}   (then: curl -H \"Authorization: Bearer <token>\" {url}/api/v1/products)");
            output.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(cancellationToken);
        }

        return MeshCli.ExitCodes.Ok;
    }
}
