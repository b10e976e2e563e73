namespace Meshwork.Engines.DuckDb;

/// <summary>Registers the embedded DuckDB engine: a pipeline engine that needs no connection, and the engine reads run on.</summary>
public static class DuckDbEngineRegistration
{
    public static EngineRegistry AddDuckDb(this EngineRegistry registry, Action<DuckDbEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var options = new DuckDbEngineOptions();
        configure?.Invoke(options);
        return registry.Add(new DuckDbEngineFactory(options));
    }

    private sealed class DuckDbEngineFactory(DuckDbEngineOptions options) : IEngineFactory, IQueryEngineFactory
    {
        public string Name => "duckdb";

        public async Task<IComputeEngine> OpenAsync(string? connection, CancellationToken cancellationToken = default) =>
            await DuckDbEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);

        public bool Embedded => true;

        public async Task<IQueryEngine> OpenQueryAsync(string? connection, CancellationToken cancellationToken = default) =>
            await DuckDbEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);
    }
}
