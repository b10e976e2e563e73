using System.CommandLine;
using Meshwork.Linting;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh lint [PATH] [--format text|json|sarif] [--strict]</c>.</summary>
internal static class LintCommand
{
    public static Command Create(PlatformSource platforms)
    {
        var path = new Argument<string>("PATH")
        {
            Description = "A mesh repository folder, or one *.odcs.yaml / *.odps.yaml file checked alone.",
            DefaultValueFactory = _ => ".",
        };
        var format = CommonOptions.Format(LintReportWriter.Formats);
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) on warnings too." };

        var command = new Command("lint", "Check a mesh repository (or one contract or product file) against the standards' schemas and Meshwork's rules.")
        {
            path,
            format,
            strict,
        };
        command.SetAction(parseResult =>
        {
            var report = platforms.For(parseResult).Lint(parseResult.GetRequiredValue(path));
            LintReportWriter.Write(report, parseResult.GetRequiredValue(format), parseResult.InvocationConfiguration.Output);
            return report.ExitCode(parseResult.GetValue(strict));
        });
        return command;
    }
}
