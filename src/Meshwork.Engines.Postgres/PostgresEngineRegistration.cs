using Meshwork.Engines.DuckDb;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// Registers the PostgreSQL engine: a pipeline engine on the connection mesh.yaml's engine declaration gives, and the
/// engine reads of its datasets are pushed down to.
/// </summary>
public static class PostgresEngineRegistration
{
    /// <param name="registry">The registry the engine is added to.</param>
    /// <param name="files">Limits of the embedded session that reads files and writes snapshots beside each PostgreSQL session.</param>
    public static EngineRegistry AddPostgres(this EngineRegistry registry, DuckDbEngineOptions? files = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Add(new PostgresEngineFactory(files));
    }

    private sealed class PostgresEngineFactory(DuckDbEngineOptions? files) : IEngineFactory, IQueryEngineFactory
    {
        public string Name => "postgres";

        public bool Embedded => false;

        public async Task<IComputeEngine> OpenAsync(string? connection, CancellationToken cancellationToken = default) =>
            await PostgresEngine.OpenAsync(Required(connection), files, cancellationToken).ConfigureAwait(false);

        public async Task<IQueryEngine> OpenQueryAsync(string? connection, CancellationToken cancellationToken = default) =>
            await PostgresQueryEngine.OpenAsync(Required(connection), cancellationToken).ConfigureAwait(false);

        private static string Required(string? connection) =>
            string.IsNullOrWhiteSpace(connection) ? throw new EngineException("A postgres engine needs a connection (a PostgreSQL URI or an Npgsql connection string).") : connection;
    }
}
