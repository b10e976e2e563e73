using Meshwork.Engines;
using Meshwork.Engines.DuckDb;
using Meshwork.Engines.Postgres;
using Meshwork.Loading;
using Meshwork.Platform.Lineage;
using Meshwork.Platform.Security;
using Meshwork.Platform.Store;
using Meshwork.Platform.Store.Postgres;
using Meshwork.Platform.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Meshwork.Platform;

/// <summary>
/// What <see cref="MeshworkServiceCollectionExtensions.AddMeshwork"/> composes: the engines, the metadata store, the
/// key provider and the clock. Each plug-in point has its <c>AddXxx</c> here; what is not chosen gets the embedded default
/// (DuckDB, SQLite, the system clock).
/// </summary>
public sealed class MeshworkBuilder
{
    internal MeshworkBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    internal EngineRegistry Engines { get; } = new();

    /// <summary>
    /// The chosen store, made once the key provider is known: the store keys its audit chain with the key it is given
    /// here, so it never depends on the key provider itself.
    /// </summary>
    internal Func<AuditKeySource, IMetadataStoreProvider>? Store { get; set; }

    internal TimeProvider? Time { get; set; }

    internal IKeyProvider? Keys { get; set; }

    /// <summary>How OpenLineage events are sent; unset: as the environment's standard variables say (nothing set: none).</summary>
    internal Action<LineageOptions>? Lineage { get; set; }

    /// <summary>The embedded DuckDB engine (the default when no engine is added).</summary>
    public MeshworkBuilder AddDuckDb(Action<DuckDbEngineOptions>? configure = null)
    {
        Engines.AddDuckDb(configure);
        return this;
    }

    /// <summary>
    /// The PostgreSQL engine (always there: it runs only the domains mesh.yaml puts on a <c>postgres</c> engine);
    /// <paramref name="files"/> limits the embedded session beside it that reads files and writes snapshots.
    /// </summary>
    public MeshworkBuilder AddPostgres(DuckDbEngineOptions? files = null)
    {
        Engines.AddPostgres(files);
        return this;
    }

    /// <summary>The metadata store in the data folder's SQLite file (the default).</summary>
    public MeshworkBuilder UseSqliteStore() => UseStore(key => new SqliteStoreProvider(auditKey: key));

    /// <summary>
    /// The metadata store in PostgreSQL, shared by every process given the same <paramref name="connection"/>: a
    /// PostgreSQL URI (<c>postgresql://user@host:port/database</c>) or an Npgsql connection string. Malformed input
    /// throws <see cref="ArgumentException"/> here, before anything runs.
    /// </summary>
    public MeshworkBuilder UsePostgresStore(string connection)
    {
        _ = new PostgresStoreProvider(connection); // checks the connection now
        return UseStore(key => new PostgresStoreProvider(connection, key));
    }

    /// <summary>The environment variable that names the store when no <c>--store</c> (or <c>Meshwork:Store</c>) does.</summary>
    public const string StoreVariable = "MESHWORK_STORE";

    /// <summary>
    /// The store <paramref name="given"/> names, else <see cref="StoreVariable"/>, else the default (the data folder's
    /// SQLite file): how every process (CLI and server) chooses its store.
    /// </summary>
    public MeshworkBuilder UseConfiguredStore(string? given) =>
        UseStore(string.IsNullOrWhiteSpace(given) ? Environment.GetEnvironmentVariable(StoreVariable) : given);

    /// <summary>
    /// The store a connection names, as <c>--store</c> and <c>MESHWORK_STORE</c> write it: <c>sqlite:PATH</c> (a
    /// SQLite file), a PostgreSQL URI (<c>postgresql://user@host:port/db</c>) or an Npgsql connection string
    /// (<c>Host=...;Database=...</c>); null or empty keeps the default (the data folder's SQLite).
    /// </summary>
    public MeshworkBuilder UseStore(string? connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
        {
            return this;
        }

        connection = connection.Trim();
        if (connection.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var file = connection["sqlite:".Length..];
            return file.Length == 0
                ? throw new MeshworkException("The store 'sqlite:' names no file; write sqlite:PATH, e.g. sqlite:/var/lib/meshwork/meshwork.db.")
                : UseStore(key => new SqliteStoreProvider(Path.GetFullPath(file), key));
        }

        if (connection.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || connection.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || connection.Contains('='))
        {
            try
            {
                return UsePostgresStore(connection);
            }
            catch (ArgumentException e)
            {
                throw new MeshworkException($"The store connection is not usable: {e.Message}", e);
            }
        }

        throw new MeshworkException("The store must be sqlite:PATH, a PostgreSQL URI (postgresql://user@host:port/db) or an Npgsql connection string (Host=...;Database=...).");
    }

    /// <summary>A metadata store of another kind that keys its audit chain itself.</summary>
    public MeshworkBuilder UseStore(IMetadataStoreProvider store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return UseStore(_ => store);
    }

    /// <summary>A metadata store of another kind, made with the audit chain's key from the composed key provider.</summary>
    public MeshworkBuilder UseStore(Func<AuditKeySource, IMetadataStoreProvider> store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        return this;
    }

    /// <summary>
    /// Where the secret keys come from; default: <see cref="KeyProvider"/> (the environment, then
    /// <c>MESHWORK_SECRETS</c>, then the data folder).
    /// </summary>
    public MeshworkBuilder UseKeys(IKeyProvider keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Keys = keys;
        return this;
    }

    /// <summary>
    /// OpenLineage events for every pipeline run (START, then COMPLETE, FAIL or ABORT), sent as the standard variables
    /// (<c>OPENLINEAGE_URL</c>, <c>OPENLINEAGE_ENDPOINT</c>, <c>OPENLINEAGE_API_KEY</c>, <c>OPENLINEAGE_FILE</c>) and then
    /// <paramref name="configure"/> say; see docs/observability.md.
    /// </summary>
    public MeshworkBuilder AddOpenLineage(Action<LineageOptions>? configure = null)
    {
        Lineage = configure ?? (_ => { });
        return this;
    }

    /// <summary>The lineage options: the environment's, then the configured changes.</summary>
    internal LineageOptions LineageOptions()
    {
        var options = Platform.Lineage.LineageOptions.FromEnvironment();
        Lineage?.Invoke(options);
        return options;
    }

    /// <summary>The clock every SLO, freshness, lease and token reads (tests move it).</summary>
    public MeshworkBuilder UseTime(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        return this;
    }
}

/// <summary>The one composition root (DESIGN.md §5): the CLI, the server, the benchmarks and the tests compose the platform here.</summary>
public static class MeshworkServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="MeshworkPlatform"/> with its engines (<see cref="EngineRegistry"/>), its metadata store
    /// (<see cref="IMetadataStoreProvider"/>) and its clock (<see cref="TimeProvider"/>), as <paramref name="configure"/>
    /// chooses them.
    /// </summary>
    public static IServiceCollection AddMeshwork(this IServiceCollection services, Action<MeshworkBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new MeshworkBuilder(services);
        configure?.Invoke(builder);
        if (builder.Engines.Names.Count == 0)
        {
            builder.AddDuckDb();
        }

        if (!builder.Engines.Names.Contains("postgres"))
        {
            builder.AddPostgres();
        }

        if (builder.Time is { } time)
        {
            services.AddSingleton(time);
        }
        else
        {
            services.TryAddSingleton(TimeProvider.System);
        }

        services.AddSingleton(builder.Engines);
        var keys = builder.Keys ?? new KeyProvider();
        AuditKeySource auditKey = dataFolder => keys.Key(PlatformKey.AuditChain, dataFolder);
        services.AddSingleton(builder.Store is { } store ? store(auditKey) : new SqliteStoreProvider(auditKey: auditKey));
        services.AddSingleton(keys);
        var lineage = builder.LineageOptions();
        services.AddSingleton(provider => new LineageEmitter(lineage, provider.GetService<ILogger<LineageEmitter>>()));
        services.AddSingleton<MeshworkPlatform>();
        return services;
    }
}
