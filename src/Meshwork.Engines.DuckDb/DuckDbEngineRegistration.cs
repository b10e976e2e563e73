namespace Meshwork.Engines.DuckDb;

/// <summary>Registers the embedded DuckDB engine.</summary>
public static class DuckDbEngineRegistration
{
    public static EngineRegistry AddDuckDb(this EngineRegistry registry, Action<DuckDbEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var options = new DuckDbEngineOptions();
        configure?.Invoke(options);
        return registry.Add(new DuckDbEngineFactory(options));
    }

    private sealed class DuckDbEngineFactory(DuckDbEngineOptions options) : IEngineFactory
    {
        public string Name => "duckdb";

        public async Task<IEngine> OpenAsync(CancellationToken cancellationToken = default) =>
            await DuckDbEngine.OpenAsync(options, cancellationToken).ConfigureAwait(false);
    }
}
