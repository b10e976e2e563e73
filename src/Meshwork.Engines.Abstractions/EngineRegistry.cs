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

/// <summary>
/// Opens consumer sessions. The embedded engine (no connection) serves reads over the published snapshots; an engine
/// that keeps published versions in its own database (<see cref="IVersionedEngine"/>) serves reads of its datasets
/// there, so the governed query runs where the data is.
/// </summary>
public interface IQueryEngineFactory
{
    /// <summary>True for the engine that reads every published snapshot with no connection (DuckDB).</summary>
    bool Embedded { get; }

    /// <summary>Opens a consumer session (on the database <paramref name="connection"/> names, for an engine that is not embedded).</summary>
    /// <exception cref="EngineException">The engine cannot be reached; the message says why without the secrets.</exception>
    Task<IQueryEngine> OpenQueryAsync(string? connection, CancellationToken cancellationToken = default);
}

/// <summary>The engines a platform can run, by type, and the one consumer reads run on unless pushed down.</summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IEngineFactory> _factories = new(StringComparer.Ordinal);
    private IQueryEngineFactory? _query;

    /// <summary>Adds an engine type; the first embedded one that serves reads (<see cref="IQueryEngineFactory"/>) serves every read not pushed down.</summary>
    public EngineRegistry Add(IEngineFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories[factory.Name] = factory;
        _query ??= factory as IQueryEngineFactory is { Embedded: true } embedded ? embedded : null;
        return this;
    }

    public IReadOnlyCollection<string> Names => _factories.Keys;

    /// <exception cref="EngineException">No engine of that name is registered.</exception>
    public IEngineFactory Get(string name) =>
        _factories.TryGetValue(name, out var factory)
            ? factory
            : throw new EngineException($"No engine '{name}' is available; this platform runs {string.Join(", ", _factories.Keys)}.");

    /// <summary>A consumer session on the embedded engine, over the published snapshots.</summary>
    /// <exception cref="EngineException">No registered engine serves reads.</exception>
    public Task<IQueryEngine> OpenQueryAsync(CancellationToken cancellationToken = default) =>
        (_query ?? throw new EngineException($"None of the engines this platform runs ({string.Join(", ", _factories.Keys)}) serves reads.")).OpenQueryAsync(null, cancellationToken);

    /// <summary>Whether reads of datasets an engine of this type computed run in that engine (pushed down) rather than on the embedded one.</summary>
    public bool PushesDown(string type) => _factories.GetValueOrDefault(type) is IQueryEngineFactory { Embedded: false };

    /// <summary>A consumer session in an engine that reads are pushed down to (<see cref="PushesDown"/>).</summary>
    /// <exception cref="EngineException">The engine cannot be reached or does not serve reads.</exception>
    public Task<IQueryEngine> OpenQueryAsync(string type, string? connection, CancellationToken cancellationToken = default) =>
        _factories.GetValueOrDefault(type) is IQueryEngineFactory { Embedded: false } factory
            ? factory.OpenQueryAsync(connection, cancellationToken)
            : throw new EngineException($"Reads are not pushed down to engines of type '{type}'.");
}
