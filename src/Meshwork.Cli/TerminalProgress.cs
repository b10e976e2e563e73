using Spectre.Console;

namespace Meshwork.Cli;

/// <summary>
/// Progress of long work: a live status line and coloured results on a terminal (Spectre.Console), plain lines
/// when the output is redirected (CI, pipes, tests) so logs stay readable.
/// </summary>
internal static class TerminalProgress
{
    /// <summary>Whether <paramref name="output"/> is the process's own console, attached to a terminal.</summary>
    public static bool IsInteractive(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, reporting its progress lines in the form that suits <paramref name="output"/>.</summary>
    public static async Task<T> RunAsync<T>(TextWriter output, string title, Func<IProgress<string>, Task<T>> work)
    {
        if (!IsInteractive(output))
        {
            return await work(new Lines(line => output.WriteLine("  " + line)));
        }

        return await AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync(title, async context =>
            await work(new Lines(line =>
            {
                if (line.EndsWith(": running", StringComparison.Ordinal))
                {
                    context.Status(Markup.Escape(line));
                    return;
                }

                var colour = line.Contains("failed:", StringComparison.Ordinal) || line.Contains("skipped", StringComparison.Ordinal) ? "red"
                    : line.Contains(" quarantined", StringComparison.Ordinal) && !line.Contains(" 0 quarantined", StringComparison.Ordinal) ? "yellow"
                    : "green";
                AnsiConsole.MarkupLine($"  [{colour}]{Markup.Escape(line)}[/]");
            })));
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and may reorder lines).</summary>
    private sealed class Lines(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
