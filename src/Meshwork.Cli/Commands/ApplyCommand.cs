using System.CommandLine;
using Meshwork.Platform.Pipelines;
using Meshwork.Platform.Planning;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh apply [PATH] [--data DIR] [--format text|json] [--yes]</c>.</summary>
internal static class ApplyCommand
{
    public static Command Create(PlatformSource platforms)
    {
        var path = CommonOptions.RepositoryPath();
        var data = CommonOptions.DataFolder();
        var format = CommonOptions.Format(PlanWriter.Formats);
        var yes = new Option<bool>("--yes", "-y") { Description = "Apply without asking (a terminal asks before changing anything)." };

        var command = new Command("apply", "Apply the plan, then run every product's pipeline in lineage order: contract enforced on write, invalid rows quarantined, checks run, snapshots published atomically.")
        {
            path,
            data,
            format,
            yes,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var json = parseResult.GetRequiredValue(format) == "json";
            var repository = parseResult.GetRequiredValue(path);
            var dataFolder = parseResult.GetValue(data);

            var platform = platforms.For(parseResult);
            var planned = await platform.PlanAsync(repository, dataFolder, cancellationToken);
            if (planned.Plan is not { } plan)
            {
                return CommonOptions.RefuseUnclean("apply", planned.Lint, error);
            }

            if (!json)
            {
                PlanWriter.WriteText(planned, output);
            }

            if (plan.HasRefusals)
            {
                if (json)
                {
                    PlanWriter.WriteJson(planned, output);
                }

                error.WriteLine("mesh: nothing applied: the plan refuses a change (see above).");
                return MeshCli.ExitCodes.Findings;
            }

            // Ask only a person at a terminal; scripts and CI pass --yes or run non-interactively.
            if (!plan.IsEmpty && !parseResult.GetValue(yes) && !Console.IsInputRedirected && !json)
            {
                output.Write("Apply these changes and run the pipelines? [y/N] ");
                if (Console.ReadLine()?.Trim().ToLowerInvariant() is not ("y" or "yes"))
                {
                    output.WriteLine("Nothing applied.");
                    return MeshCli.ExitCodes.Ok;
                }
            }

            var result = json
                ? await platform.ApplyAsync(planned, null, cancellationToken)
                : await TerminalProgress.RunAsync(output, "Running pipelines", progress => platform.ApplyAsync(planned, progress, cancellationToken));
            if (json)
            {
                ApplyResultWriter.WriteJson(result, output);
            }
            else
            {
                var published = result.Datasets.Sum(d => d.Published);
                var quarantined = result.Datasets.Sum(d => d.Quarantined);
                output.WriteLine($"{result.Datasets.Count} dataset(s): {published} row(s) published, {quarantined} quarantined, {result.Datasets.Sum(d => d.Failed)} check(s) failed; {result.Errors.Count} error(s).");
                if (result.Products.Count > 0)
                {
                    // A domain's failure is its own: say per domain what applied and what did not.
                    output.WriteLine("By domain:");
                    ApplyResultWriter.WriteDomains(result, output);
                }
                foreach (var message in result.Errors)
                {
                    error.WriteLine($"mesh: {message}");
                }
            }

            return result.Errors.Count > 0 ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Ok;
        });
        return command;
    }
}
