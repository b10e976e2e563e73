using System.Diagnostics;
using System.Text;

namespace Meshwork.Testing;

/// <summary>
/// <c>mesh</c> as a separate process (<c>dotnet Meshwork.Cli.dll ...</c>, the CLI built beside the caller), as a deployment
/// runs it: its own environment variables (keys, settings) that never leak into the host or into other processes beside it.
/// </summary>
public sealed class MeshProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private MeshProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>mesh ARGS</c> with <paramref name="environment"/> added to (or, for null values, removed from) the test host's.</summary>
    public static MeshProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Meshwork.Cli.dll"));
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new MeshProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
        process._process.OutputDataReceived += (_, e) => Append(process._output, e.Data);
        process._process.ErrorDataReceived += (_, e) => Append(process._error, e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs <c>mesh ARGS</c> to its end: its exit code, standard output and standard error.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunAsync(environment, CancellationToken.None, args);

    /// <inheritdoc cref="RunAsync(IReadOnlyDictionary{string, string?}, string[])"/>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken, params string[] args)
    {
        await using var process = Start(environment, args);
        // Also waits for the redirected output's end: all of it is read.
        await process._process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process._process.ExitCode, Read(process._output), Read(process._error));
    }

    /// <summary>Waits until the server answers <c>/healthz</c> at <paramref name="url"/>; fails with its output when it exits or never does.</summary>
    public async Task WaitForHealthAsync(string url, TimeSpan within, CancellationToken cancellationToken = default)
    {
        // One attempt never takes the whole wait: a server still starting may hold a connection without answering it.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mesh exited ({ExitCodeText()}): {Output()}");
            }

            try
            {
                if ((await client.GetAsync(new Uri($"{url}/healthz"), cancellationToken).ConfigureAwait(false)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // not listening yet, or not answering yet
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"mesh did not answer {url}/healthz within {within.TotalSeconds:0} s: {Output()}");
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown, no finally blocks, as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Everything the process wrote so far, standard output then standard error.</summary>
    public string Output() => Read(_output) + Read(_error);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private string ExitCodeText() => _process.HasExited ? $"exit {_process.ExitCode}" : "running";

    private static void Append(StringBuilder to, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (to)
        {
            to.AppendLine(line);
        }
    }

    private static string Read(StringBuilder from)
    {
        lock (from)
        {
            return from.ToString();
        }
    }
}
