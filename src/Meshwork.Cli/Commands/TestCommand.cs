using System.CommandLine;
using System.Text.Json;
using Meshwork.Platform.Planning;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh test [PATH] [--data DIR] [--product ID] [--format text|json]</c>.</summary>
internal static class TestCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(PlatformSource platforms)
    {
        var path = CommonOptions.RepositoryPath();
        var data = CommonOptions.DataFolder();
        var product = new Option<string?>("--product") { Description = "Test one product (domain.product or its ODPS id)." };
        var format = CommonOptions.Format(PlanWriter.Formats);

        var command = new Command("test", "Run the contracts' quality checks and SLOs on the published datasets; exit 1 when an error-severity one fails.")
        {
            path,
            data,
            product,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var result = await platforms.For(parseResult).TestAsync(parseResult.GetRequiredValue(path), parseResult.GetValue(data), parseResult.GetValue(product), cancellationToken);
            if (result.Lint.Errors > 0)
            {
                return CommonOptions.RefuseUnclean("test", result.Lint, parseResult.InvocationConfiguration.Error);
            }

            if (parseResult.GetRequiredValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    outcomes = result.Outcomes.Select(o => new { address = o.Address, name = o.Name, status = o.Status, severity = o.Severity, message = o.Message }),
                    errors = result.Errors,
                    failed = result.Outcomes.Count(o => o.Status is "failed" or "error"),
                }, Indented));
            }
            else
            {
                foreach (var outcome in result.Outcomes)
                {
                    output.WriteLine($"{outcome.Status,-7} {outcome.Address}: {outcome.Message}");
                }

                foreach (var message in result.Errors)
                {
                    output.WriteLine($"error   {message}");
                }

                output.WriteLine($"{result.Outcomes.Count(o => o.Status == "passed")} passed, {result.Outcomes.Count(o => o.Status is "failed" or "error")} failed, {result.Outcomes.Count(o => o.Status == "warned")} warned.");
            }

            return result.Failed || result.Errors.Count > 0 ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Ok;
        });
        return command;
    }
}
