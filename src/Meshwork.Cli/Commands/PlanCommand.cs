using System.CommandLine;
using Meshwork.Platform.Planning;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh plan [PATH] [--data DIR] [--format text|json]</c>.</summary>
internal static class PlanCommand
{
    public static Command Create(PlatformSource platforms)
    {
        var path = CommonOptions.RepositoryPath();
        var data = CommonOptions.DataFolder();
        var format = CommonOptions.Format(PlanWriter.Formats);

        var command = new Command("plan", "Show what apply would change: products to create, port versions to publish or deprecate, compatible and breaking schema changes.")
        {
            path,
            data,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var result = await platforms.For(parseResult).PlanAsync(parseResult.GetRequiredValue(path), parseResult.GetValue(data), cancellationToken);
            if (result.Plan is not { } plan)
            {
                return CommonOptions.RefuseUnclean("plan", result.Lint, parseResult.InvocationConfiguration.Error);
            }

            if (parseResult.GetRequiredValue(format) == "json")
            {
                PlanWriter.WriteJson(result, output);
            }
            else
            {
                PlanWriter.WriteText(result, output);
            }

            return plan.HasRefusals || result.Refused.Count > 0 ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Ok;
        });
        return command;
    }
}
