using System.CommandLine;
using Meshwork.Cli.Commands;
using Meshwork.Loading;
using Meshwork.Platform.Store;

namespace Meshwork.Cli;

/// <summary>The <c>mesh</c> command: one command class per verb, each thin over the core library.</summary>
public static class MeshCli
{
    /// <summary>Exit codes shared by every verb.</summary>
    public static class ExitCodes
    {
        public const int Ok = 0;
        public const int Findings = 1;
        public const int Usage = 2;
        public const int Internal = 3;
    }

    public static RootCommand Create(TimeProvider? time = null)
    {
        var store = CommonOptions.Store();
        var platforms = new PlatformSource(time ?? TimeProvider.System, store);
        return new("Meshwork: a self-hosted data mesh platform. Domains publish data products; the platform provisions, runs, governs and serves them.")
        {
            store,
            InitCommand.Create(),
            LintCommand.Create(platforms),
            PlanCommand.Create(platforms),
            DiffCommand.Create(platforms),
            ApplyCommand.Create(platforms),
            TestCommand.Create(platforms),
            ServeCommand.CreateUp(platforms),
            ServeCommand.CreateServe(platforms),
            TokenCommand.Create(platforms),
            AccessCommand.Create(platforms),
            AccessCommand.CreateAudit(platforms),
            PrivacyCommand.CreateErase(platforms),
            PrivacyCommand.CreateRetention(platforms),
        };
    }

    /// <summary>Parses and runs <paramref name="args"/>; never throws.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parseResult = Create().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"mesh: {parseError.Message}");
            }

            error.WriteLine("Run 'mesh --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // On SIGTERM or Ctrl+C a command is cancelled and given this long to end: a cluster node leaves the cluster
            // gracefully (its grains move, its membership row says it left) instead of being found dead by probes.
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            });
        }
        catch (MeshworkException e)
        {
            error.WriteLine($"mesh: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is StorageUnavailableException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"mesh: {e.Message}");
            return ExitCodes.Usage;
        }
#pragma warning disable CA1031 // The CLI's last line of defence: report, never crash with a stack dump.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"mesh: internal error ({e.GetType().Name}): {e.Message}");
            error.WriteLine("This is a bug in Meshwork; please report it with the command you ran.");
            return ExitCodes.Internal;
        }
    }
}
