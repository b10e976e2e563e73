namespace Meshwork.Engines;

/// <summary>Opens engine sessions of one kind; each engine project registers one (<c>registry.AddDuckDb()</c>).</summary>
public interface IEngineFactory
{
    /// <summary>The engine's name as mesh.yaml and domain.yaml write it.</summary>
    string Name { get; }

    Task<IEngine> OpenAsync(CancellationToken cancellationToken = default);
}

/// <summary>The engines a platform can run, by name.</summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IEngineFactory> _factories = new(StringComparer.Ordinal);

    public EngineRegistry Add(IEngineFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories[factory.Name] = factory;
        return this;
    }

    public IReadOnlyCollection<string> Names => _factories.Keys;

    /// <exception cref="EngineException">No engine of that name is registered.</exception>
    public IEngineFactory Get(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory
            : throw new EngineException($"No engine '{name}' is available; this platform runs {string.Join(", ", _factories.Keys)}.");
}
