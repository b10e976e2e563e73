using Meshwork.Testing;
using Npgsql;

namespace Meshwork.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL for one benchmark run (<see cref="PostgresServer"/>) with one database, and a scratch folder:
/// both gone at <see cref="Stop"/>, or as the process exits when a benchmark threw (BenchmarkDotNet then skips
/// [GlobalCleanup]). Connections are unpooled (a fresh backend per session: nothing of one invocation is left for the
/// next) and have no command timeout (a statement over a million rows runs past Npgsql's default 30 s).
/// </summary>
internal sealed class ThrowawayPostgres
{
    private readonly PostgresServer _server;

    public ThrowawayPostgres(string name)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"meshwork-{name}-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        _server = PostgresServer.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        Connection = new NpgsqlConnectionStringBuilder(_server.CreateDatabaseAsync("bench").GetAwaiter().GetResult()) { Pooling = false, CommandTimeout = 0 }.ConnectionString;
    }

    public string Folder { get; }

    public string Connection { get; }

    /// <summary>Stops the server and deletes the folder; a second call does nothing.</summary>
    public void Stop()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>Runs an asynchronous benchmark body to its end.</summary>
    public static T Run<T>(Func<Task<T>> action) => action().GetAwaiter().GetResult();
}
