using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Meshwork.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the machine's packages (Debian's <c>postgresql</c>), started as a process
/// for a test run: <c>initdb</c> into a fresh temporary folder, <c>pg_ctl start</c> on a free loopback port, and on
/// dispose <c>pg_ctl stop -m immediate</c> and the folder deleted. Durability is off (fsync, synchronous commit,
/// full page writes): the data lives only as long as the run. As root the cluster runs as the <c>postgres</c> user
/// (PostgreSQL refuses to run as root); otherwise as the current user.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private const string PackagesRoot = "/usr/lib/postgresql";
    /// <summary>The superuser of every server this starts (no password: trust).</summary>
    public const string SuperUser = "postgres";

    // A port found free can be taken by another process before the server binds it: try a few.
    private const int PortAttempts = 5;

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartSharedAsync);

    private readonly Cluster _cluster;
    private readonly bool _isShared;
    private int _stopped;

    private PostgresServer(Cluster cluster, int port, bool isShared)
    {
        _cluster = cluster;
        _isShared = isShared;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperUser,
            Database = "postgres",
        }.ConnectionString;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The temporary folder holding the cluster, its socket and its log; deleted on dispose.</summary>
    public string Folder => _cluster.Folder;

    /// <summary>An Npgsql connection string to the <c>postgres</c> database as the superuser (no password: trust).</summary>
    public string ConnectionString { get; }

    /// <summary>Starts a server of its own; the caller disposes it.</summary>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(isShared: false, cancellationToken);

    /// <summary>
    /// The one server of this process (a test assembly), started on first use and stopped as the assembly ends (its
    /// test project registers <see cref="SharedPostgresServerLifetime"/>) or, failing that, when the process exits.
    /// Tests isolate themselves with <see cref="CreateDatabaseAsync"/>; disposing it is a no-op.
    /// </summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>
    /// Stops the shared server when one was started: called by <see cref="SharedPostgresServerLifetime"/> as the test
    /// assembly ends, so the work (a cluster of many test databases to delete) is done inside the run, not at process exit.
    /// </summary>
    public static async Task StopSharedAsync()
    {
        if (Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully)
        {
            await (await Shared.Value).StopAsync();
        }
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    /// <param name="name">1 to 63 lower-case letters, digits and '_', starting with a letter or '_'.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!PlainIdentifier().IsMatch(name))
        {
            throw new ArgumentException(
                $"Database name '{name}' is not a plain identifier: use 1 to 63 lower-case letters, digits and '_', starting with a letter or '_'.",
                nameof(name));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopped) != 0, this);

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // The name is checked above to be a plain identifier; CREATE DATABASE takes no parameters.
#pragma warning disable CA2100
        await using var command = new NpgsqlCommand("CREATE DATABASE " + name, connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Stops the server at once (no checkpoint: nothing is kept) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        // The shared server belongs to every test of the process; only the process exit stops it.
        if (!_isShared)
        {
            await StopAsync();
        }
    }

    private async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _cluster.StopAsync();
        }
    }

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync(isShared: true, CancellationToken.None);
        // Best effort at exit: an exception here would turn a green test run's exit code into a failure.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server._cluster.StopQuietlyAsync().GetAwaiter().GetResult();
        return server;
    }

    private static async Task<PostgresServer> StartAsync(bool isShared, CancellationToken cancellationToken)
    {
        var cluster = new Cluster(
            FindBinaries(),
            Path.Combine(Path.GetTempPath(), "meshwork-pg-" + Guid.NewGuid().ToString("N")),
            AsPostgresUser: Environment.IsPrivilegedProcess);
        try
        {
            await cluster.InitAsync(cancellationToken);
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackPort();
                var (exitCode, output) = await cluster.StartAsync(port, cancellationToken);
                if (exitCode == 0)
                {
                    return new PostgresServer(cluster, port, isShared);
                }

                var log = cluster.ReadLog();
                if (attempt == PortAttempts || !log.Contains("could not bind", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"PostgreSQL did not start on port {port}: pg_ctl exited with {exitCode}.\n" +
                        $"--- pg_ctl output ---\n{output}\n--- server log {cluster.LogFile} ---\n{log}");
                }
            }
        }
        catch
        {
            await cluster.StopQuietlyAsync();
            throw;
        }
    }

    private static string FindBinaries()
    {
        // Debian installs each major version side by side as /usr/lib/postgresql/<major>/bin; the client-only
        // package has a bin folder without initdb, hence the check for the server's tools.
        var newest = !Directory.Exists(PackagesRoot)
            ? null
            : Directory.EnumerateDirectories(PackagesRoot)
                .Select(folder => (Bin: Path.Combine(folder, "bin"), Major: MajorOf(folder)))
                .Where(found => found.Major > 0
                    && File.Exists(Path.Combine(found.Bin, "initdb"))
                    && File.Exists(Path.Combine(found.Bin, "pg_ctl")))
                .OrderByDescending(found => found.Major)
                .Select(found => found.Bin)
                .FirstOrDefault();

        return newest ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: apt-get install postgresql (bash .ci/run installs it). " +
            $"Looked for initdb and pg_ctl in {PackagesRoot}/<major>/bin.");

        static int MajorOf(string folder) =>
            int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One cluster folder (data, socket, log) and the tools that run it, as the user PostgreSQL runs as.</summary>
    private sealed record Cluster(string Bin, string Folder, bool AsPostgresUser)
    {
        public string DataFolder => Path.Combine(Folder, "data");

        public string LogFile => Path.Combine(Folder, "postgres.log");

        public async Task InitAsync(CancellationToken cancellationToken)
        {
            Directory.CreateDirectory(Folder);
            if (AsPostgresUser)
            {
                // initdb and the server write here, and PostgreSQL wants its data folder owned by itself.
                await RunCheckedAsync("chown", [SuperUser + ":" + SuperUser, Folder], asPostgresUser: false, cancellationToken);
            }

            await RunCheckedAsync(
                Tool("initdb"),
                ["-D", DataFolder, "-U", SuperUser, "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"],
                AsPostgresUser,
                cancellationToken);
        }

        public Task<(int ExitCode, string Output)> StartAsync(int port, CancellationToken cancellationToken)
        {
            // pg_ctl appends to its log: a fresh one per attempt tells why this attempt failed.
            File.Delete(LogFile);
            // pg_ctl hands -o to a shell: the socket folder is quoted, the rest has no spaces.
            var options = $"-p {port} -k '{Folder}' -c listen_addresses=127.0.0.1 " +
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            return RunAsync(
                Tool("pg_ctl"), ["-D", DataFolder, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"],
                AsPostgresUser, cancellationToken);
        }

        public async Task StopAsync()
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                await RunCheckedAsync(Tool("pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "stop"], AsPostgresUser, CancellationToken.None);
            }

            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }

        /// <summary>Stops and removes the cluster, ignoring a failure: after a failed start (its own error is the one to report) or at process exit.</summary>
        public async Task StopQuietlyAsync()
        {
            try
            {
                await StopAsync();
            }
            catch (Exception error) when (error is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // The start's own error is the one to report; a folder left behind names itself in it.
            }
        }

        public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile).TrimEnd() : "(no log written)";

        private string Tool(string name) => Path.Combine(Bin, name);

        private async Task RunCheckedAsync(string file, IReadOnlyList<string> arguments, bool asPostgresUser, CancellationToken cancellationToken)
        {
            var (exitCode, output) = await RunAsync(file, arguments, asPostgresUser, cancellationToken);
            if (exitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed with exit code {exitCode}:\n{output}" +
                    (File.Exists(LogFile) ? $"\n--- server log {LogFile} ---\n{ReadLog()}" : ""));
            }
        }

        private async Task<(int ExitCode, string Output)> RunAsync(
            string file, IReadOnlyList<string> arguments, bool asPostgresUser, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo
            {
                FileName = asPostgresUser ? "runuser" : file,
                // The postgres user may not be allowed into the test's own working folder.
                WorkingDirectory = Folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            IEnumerable<string> prefix = asPostgresUser ? ["-u", SuperUser, "--", file] : [];
            foreach (var argument in prefix.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)
                ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, new StringBuilder().Append(await output).Append(await errors).ToString().TrimEnd());
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex PlainIdentifier();
}
