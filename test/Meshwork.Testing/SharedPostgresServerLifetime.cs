namespace Meshwork.Testing;

/// <summary>
/// An assembly fixture (<c>[assembly: AssemblyFixture(typeof(SharedPostgresServerLifetime))]</c>) that stops the shared
/// throwaway PostgreSQL when the test assembly's tests are done. Left to process exit, its clean-up can outlast the
/// seconds the test runner waits for the process to end, which fails a green run.
/// </summary>
public sealed class SharedPostgresServerLifetime : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await PostgresServer.StopSharedAsync();
}
