using System.CommandLine;
using Meshwork.Platform.Planning;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh diff OLD [NEW] [--mesh PATH] [--data DIR] [--format text|json]</c>.</summary>
internal static class DiffCommand
{
    public static Command Create(PlatformSource platforms)
    {
        var old = new Argument<string>("OLD") { Description = "The old version: a contract file, or a contract id (as applied, else as in the repository)." };
        var @new = new Argument<string?>("NEW")
        {
            Description = "The new version: a contract file, or a contract id (as in the repository). Without it, OLD (an id) as applied is compared with the repository.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var mesh = new Option<string?>("--mesh") { Description = "The mesh repository whose consumers to check (default: the current folder, when it is one)." };
        var data = CommonOptions.DataFolder();
        var format = CommonOptions.Format(DiffWriter.Formats);

        var command = new Command("diff", "Classify the changes between two versions of a contract as breaking or compatible, and name the live consumers each breaking change would break (exit 1 when one would).")
        {
            old,
            @new,
            mesh,
            data,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var diff = await platforms.For(parseResult).DiffAsync(parseResult.GetRequiredValue(old), parseResult.GetValue(@new), parseResult.GetValue(mesh), parseResult.GetValue(data), cancellationToken);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetRequiredValue(format) == "json")
            {
                DiffWriter.WriteJson(diff, output);
            }
            else
            {
                DiffWriter.WriteText(diff, output);
            }

            return diff.BreaksLiveConsumer ? MeshCli.ExitCodes.Findings : MeshCli.ExitCodes.Ok;
        });
        return command;
    }
}
