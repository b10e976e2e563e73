using System.CommandLine;
using Meshwork.Loading;
using Meshwork.Model;
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
            foreach (var (what, value) in new[] { ("domain", options.Domain), ("product", options.Product) })
            {
                if (!Names.IsValid(value))
                {
                    throw new MeshworkException($"The {what} name '{value}' does not match [a-z][a-z0-9_]* (lowercase letters, digits, underscores).");
                }
            }

            var files = MeshTemplate.Render(options);
            WriteAll(target, files);

            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"Created mesh '{options.MeshName}' in {target}:");
            foreach (var file in files.Keys.Order(StringComparer.Ordinal))
            {
                output.WriteLine($"  {file}");
            }

            output.WriteLine($"Next: mesh lint {parseResult.GetRequiredValue(directory)}");
            return MeshCli.ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Writes the files into a fresh sibling folder and moves them into place only when all are written,
    /// so a failure leaves no half-made repository behind.
    /// </summary>
    private static void WriteAll(string target, IReadOnlyDictionary<string, string> files)
    {
        if (File.Exists(target))
        {
            throw new MeshworkException($"'{target}' is a file; give a folder that does not exist or is empty.");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new MeshworkException($"'{target}' is not empty; mesh init never overwrites. Give a new or empty folder.");
        }

        var parent = Path.GetDirectoryName(target) ?? throw new MeshworkException($"'{target}' has no parent folder.");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.mesh-init-{Guid.NewGuid():N}");
        try
        {
            foreach (var (relative, content) in files)
            {
                var path = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }

            if (Directory.Exists(target))
            {
                foreach (var entry in Directory.EnumerateFileSystemEntries(staging))
                {
                    var destination = Path.Combine(target, Path.GetFileName(entry));
                    if (Directory.Exists(entry))
                    {
                        Directory.Move(entry, destination);
                    }
                    else
                    {
                        File.Move(entry, destination);
                    }
                }

                Directory.Delete(staging, recursive: true);
            }
            else
            {
                Directory.Move(staging, target);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
