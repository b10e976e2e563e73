using System.CommandLine;
using Meshwork.Platform;
using Meshwork.Scaffolding;

namespace Meshwork.Cli.Commands;

/// <summary><c>mesh init [DIR] [--name NAME] [--domain DOMAIN] [--product PRODUCT]</c>.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("DIR")
        {
            Description = "Where to create the mesh repository (must not exist, or be empty).",
            DefaultValueFactory = _ => ".",
        };
        var name = new Option<string?>("--name") { Description = "The mesh's name (default: the folder's name)." };
        var domain = new Option<string>("--domain") { Description = "The first domain.", DefaultValueFactory = _ => "sales" };
        var product = new Option<string>("--product") { Description = "The first product.", DefaultValueFactory = _ => "orders" };

        var command = new Command("init", "Create a new mesh repository with one domain, one product and one contract that lints clean.")
        {
            directory,
            name,
            domain,
            product,
        };
        command.SetAction(parseResult =>
        {
            var target = Path.GetFullPath(parseResult.GetRequiredValue(directory));
            var options = new MeshTemplateOptions(
                parseResult.GetValue(name) ?? MeshTemplate.NameFromFolder(target),
                parseResult.GetRequiredValue(domain),
                parseResult.GetRequiredValue(product));
            var files = MeshworkPlatform.Init(target, options);

            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"Created mesh '{options.MeshName}' in {target}:");
            foreach (var file in files)
            {
                output.WriteLine($"  {file}");
            }

            output.WriteLine($"Next: mesh lint {parseResult.GetRequiredValue(directory)}");
            return MeshCli.ExitCodes.Ok;
        });
        return command;
    }
}
