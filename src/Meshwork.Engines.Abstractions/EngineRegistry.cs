namespace Meshwork.Engines;

/// <summary>Opens engine sessions of one type; each engine project registers one (<c>registry.AddDuckDb()</c>).</summary>
public interface IEngineFactory
{
    /// <summary>The engine's type as mesh.yaml's <c>engines</c> write it.</summary>
    string Name { get; }

    /// <summary>
    /// Opens a pipeline session on the engine a connection names (null for an embedded engine that needs none).
    /// Throws <see cref="EngineException"/> when the engine cannot be reached, saying why without the secrets.
    /// </summary>
    Task<IComputeEngine> OpenAsync(string? connection, CancellationToken cancellationToken = default);
}

/// <summary>Opens consumer sessions: the engine every governed read runs on.</summary>
public interface IQueryEngineFactory
{
    Task<IQueryEngine> OpenQueryAsync(CancellationToken cancellationToken = default);
}

/// <summary>The engines a platform can run, by type, and the one consumer reads run on.</summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IEngineFactory> _factories = new(StringComparer.Ordinal);
    private IQueryEngineFactory? _query;

    /// <summary>Adds an engine type; the first that can serve reads (<see cref="IQueryEngineFactory"/>) serves them.</summary>
    public EngineRegistry Add(IEngineFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories[factory.Name] = factory;
        _query ??= factory as IQueryEngineFactory;
        return this;
    }

    public IReadOnlyCollection<string> Names => _factories.Keys;

    /// <exception cref="EngineException">No engine of that name is registered.</exception>
    public IEngineFactory Get(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory
            : throw new EngineException($"No engine '{name}' is available; this platform runs {string.Join(", ", _factories.Keys)}.");

    /// <summary>A consumer session on the engine that serves reads.</summary>
    /// <exception cref="EngineException">No registered engine serves reads.</exception>
    public Task<IQueryEngine> OpenQueryAsync(CancellationToken cancellationToken = default) =>
        (_query ?? throw new EngineException($"None of the engines this platform runs ({string.Join(", ", _factories.Keys)}) serves reads.")).OpenQueryAsync(cancellationToken);
}
