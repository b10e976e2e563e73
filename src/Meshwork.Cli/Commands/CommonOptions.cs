using System.CommandLine;
using Meshwork.Linting;

namespace Meshwork.Cli.Commands;

/// <summary>The arguments and options verbs over a repository share, spelled and described once.</summary>
internal static class CommonOptions
{
    public static Argument<string> RepositoryPath() =>
        new("PATH") { Description = "The mesh repository folder.", DefaultValueFactory = _ => "." };

    public static Option<string?> DataFolder() =>
        new("--data") { Description = "The data folder (default: mesh.yaml's dataFolder, .mesh/ inside PATH)." };

    /// <summary>The applied data folder of verbs that act on what is applied (access, audit, erase, retention).</summary>
    public static Option<string> AppliedData() => new("--data") { Description = "The applied data folder.", DefaultValueFactory = _ => ".mesh" };

    /// <summary>The metadata store, for every verb (a recursive option of the root command).</summary>
    public static Option<string?> Store() => new("--store")
    {
        Description = "The metadata store: sqlite:PATH, a PostgreSQL URI (postgresql://user@host:port/db) or an Npgsql connection string "
            + "(default: MESHWORK_STORE, else the data folder's SQLite file).",
        Recursive = true,
    };

    public static Option<string> Format(params string[] formats)
    {
        var option = new Option<string>("--format", "-f") { Description = $"Output format: {string.Join(", ", formats)}.", DefaultValueFactory = _ => formats[0] };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>Verbs that change or read applied state need a clean repository: show why not, exit 2.</summary>
    public static int RefuseUnclean(string verb, LintReport lint, TextWriter error)
    {
        error.WriteLine($"mesh: the repository has lint errors; {verb} needs a clean repository:");
        LintReportWriter.WriteText(lint, error);
        return MeshCli.ExitCodes.Usage;
    }
}
