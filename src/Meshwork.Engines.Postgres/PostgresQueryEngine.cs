using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Apache.Arrow.Ipc;
using Meshwork.Engines.DuckDb;
using Meshwork.Engines.Ir;
using Npgsql;
using static Meshwork.Engines.Sql.SqlDialect;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// A governed read pushed down into a domain's PostgreSQL: the consumer's query runs in the database that holds the
/// dataset's published versions, and reaches only the governed views of its access plans.
/// <list type="bullet">
/// <item>Each session creates a login role and a schema of its own (<c>meshwork_read_…</c>). The schema holds one
/// security-barrier view per dataset, owned by the engine's role: the plan's columns with their masks, and its row
/// filter, over the version table the platform says is current. The role may use that schema and select from those
/// views, nothing else: no privilege on the version tables, no other session's views, no key.</item>
/// <item>The query runs on a connection logged in as that role (not <c>SET ROLE</c>, which a query could undo), in
/// read-only transactions, with a statement timeout, as one statement of the extended protocol (a second one is refused
/// by the server).</item>
/// <item>Security-barrier views keep the masks and the filter below every consumer expression: no predicate of the
/// consumer's runs on a row the filter hides or on a value before its mask.</item>
/// <item>Disposing drops the schema and the role; a process that died leaves them until the next session sweeps roles
/// whose login window passed and that have no connection.</item>
/// </list>
/// The query is checked first by the same resolver as on the embedded engine (DuckDB's parser: one SELECT, only dataset
/// addresses and names in scope, generators within limits), then run as written, in PostgreSQL's SQL.
/// </summary>
public sealed class PostgresQueryEngine : IQueryEngine
{
    /// <summary>The prefix of each read session's role and schema.</summary>
    public const string ReadPrefix = "meshwork_read_";

    // One parser for every session of the process: opening an embedded database costs more than a read's whole setup
    // here, and checking a query takes about a millisecond, so sessions take turns.
    private static readonly SemaphoreSlim ParserTurn = new(1, 1);
    private static DuckDbEngine? _parser;

    private readonly NpgsqlConnection _admin;
    private readonly NpgsqlConnectionStringBuilder _builder;
    private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);
    private string? _name;
    private NpgsqlDataSource? _readerSource;
    private NpgsqlConnection? _reader;

    private PostgresQueryEngine(NpgsqlConnection admin, NpgsqlConnectionStringBuilder builder)
    {
        _admin = admin;
        _builder = builder;
    }

    /// <summary>
    /// Opens a consumer session on the database <paramref name="connection"/> names. Its role must be the owner of the
    /// published versions (the pipeline engine's role) and may create roles (<c>CREATEROLE</c>).
    /// </summary>
    public static async Task<PostgresQueryEngine> OpenAsync(string connection, CancellationToken cancellationToken = default)
    {
        var (admin, builder) = await PostgresEngine.OpenSessionAsync(connection, cancellationToken).ConfigureAwait(false);
        return new PostgresQueryEngine(admin, builder);
    }

    /// <summary>The role and schema of this session once it serves (null before).</summary>
    public string? ReadRole => _name;

    public async Task<QueryInspection> InspectQueryAsync(string sql, ConsumerLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        QueryInspection inspection;
        await ParserTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _parser ??= await DuckDbEngine.OpenAsync(new DuckDbEngineOptions { Threads = 1 }, cancellationToken).ConfigureAwait(false);
            inspection = await _parser.InspectQueryAsync(sql, limits, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ParserTurn.Release();
        }

        // The consumer's own text runs (DuckDB's rebuilt text is DuckDB's SQL); its addresses become view names as it runs.
        return inspection with { Sql = sql.Trim().TrimEnd(';') };
    }

    public async Task ServeAsync(IReadOnlyList<GovernedView> views, ConsumerLimits limits, ReadOnlyMemory<byte> maskKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(limits);
        if (_name is not null)
        {
            throw new InvalidOperationException("This session serves its views already.");
        }

        var name = ReadPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var schema = Identifier(name);
        var keys = $"{schema}.\"_mask_key\"";
        var definitions = new StringBuilder();
        string? letters = null;
        foreach (var view in views)
        {
            var table = PostgresEngine.VersionTable(view.Address, view.Version);
            var types = (await PostgresConnection.ColumnsAsync(_admin, table, cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.Name, c => c.EngineType, StringComparer.Ordinal);
            if (types.Count == 0)
            {
                throw new VersionNotHeldException($"{view.Address} version {view.Version} is not in this database (it was published before its product moved here).");
            }

            if (letters is null && view.Columns.Any(c => c.Mask is { Kind: MaskKind.Mask }))
            {
                letters = await LettersAsync(cancellationToken).ConfigureAwait(false);
            }

            if (view.Columns.FirstOrDefault(c => !types.ContainsKey(c.Name)) is { } missing)
            {
                throw new EngineException($"{view.Address} version {view.Version} has no column '{missing.Name}'.");
            }

            var masks = new PostgresMasks(keys, letters ?? "\"C\"");
            var columns = string.Join(", ", view.Columns.Select(c =>
                $"{(c.Mask is { } mask ? masks.Mask(Identifier(c.Name), types[c.Name], mask) : Identifier(c.Name))} AS {Identifier(c.Name)}"));
            var where = view.Filter is { } filter ? $" WHERE coalesce({PostgresSql.Instance.Filter(filter)}, FALSE)" : string.Empty;
            var relation = $"{schema}.{Identifier(view.Address)}";
            definitions.Append(CultureInfo.InvariantCulture, $"CREATE VIEW {relation} WITH (security_barrier) AS SELECT {columns} FROM {table}{where};\n")
                .Append(CultureInfo.InvariantCulture, $"GRANT SELECT ON {relation} TO {schema};\n");
        }

        // The role may log in for a few minutes (the server's clock); then only the session already open goes on. The
        // server gets the password's SCRAM verifier, never the password: no statement log shows it.
        var statements = Sweep + "\n" +
            $"DO $mw$ BEGIN EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 1 VALID UNTIL %L', " +
            $"{Literal(name)}, {Literal(ScramVerifier.Create(password))}, now() + interval '5 minutes'); END $mw$;\n" +
            $"CREATE SCHEMA {schema};\n" +
            PostgresMasks.CreateKeys(keys, maskKey.Span, temporary: false) +
            definitions +
            $"GRANT USAGE ON SCHEMA {schema} TO {schema};";
        await using (var create = new NpgsqlCommand(statements, _admin))
        {
            try
            {
                // One implicit transaction: the role, schema and views exist together or not at all.
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new EngineException($"Serving a read in {PostgresConnection.Describe(_builder)} needs its role to create roles (CREATEROLE): each read runs as a role of its own. {e.MessageText}", e);
            }
            catch (PostgresException e)
            {
                throw new EngineException($"Opening the governed views: {e.MessageText}", e);
            }
        }

        _name = name;
        _addresses.UnionWith(views.Select(v => v.Address));
        await LogInAsync(name, password, limits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops what read sessions of a process that died left: roles past their login window with no connection, and their schemas.</summary>
    private const string Sweep = $"""
        DO $mw$ DECLARE r record; BEGIN
          FOR r IN SELECT rolname FROM pg_roles WHERE starts_with(rolname, '{ReadPrefix}') AND rolvaliduntil < now()
              AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.usename = rolname) LOOP
            BEGIN
              EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', r.rolname);
              EXECUTE format('DROP ROLE %I', r.rolname);
            EXCEPTION WHEN others THEN NULL;
            END;
          END LOOP;
        END $mw$;
        """;

    private async Task LogInAsync(string name, string password, ConsumerLimits limits, CancellationToken cancellationToken)
    {
        var settings = new List<string>
        {
            $"search_path={name}", "default_transaction_read_only=on", "TimeZone=UTC", "DateStyle=ISO,YMD", "IntervalStyle=postgres",
        };
        if (limits.Timeout is { } timeout && timeout > TimeSpan.Zero)
        {
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"statement_timeout={Math.Clamp((long)timeout.TotalMilliseconds, 1, int.MaxValue)}"));
        }

        if (limits.Threads is { } threads)
        {
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"max_parallel_workers_per_gather={Math.Max(0, threads - 1)}"));
        }

        if (limits.MemoryBytes is { } memory)
        {
            // PostgreSQL bounds memory per sort or hash, not per session: a quarter of the session's share for each.
            settings.Add(string.Create(CultureInfo.InvariantCulture, $"work_mem={Math.Clamp(memory / 4 / 1024, 64, 2L * 1024 * 1024)}kB"));
        }

        var reader = new NpgsqlConnectionStringBuilder(_builder.ConnectionString)
        {
            Username = name,
            Password = password,
            Pooling = false,
            ApplicationName = "meshwork-read",
            CommandTimeout = 0,
            Options = string.Join(' ', settings.Select(s => "-c " + s)),
        };
        // Its own data source, disposed with the session (a connection string used once must not stay in Npgsql's
        // cache), with the built-in types only: no catalog query before the consumer's.
        var source = new NpgsqlDataSourceBuilder(reader.ConnectionString);
        source.ConfigureTypeLoading(t => t.EnableTypeLoading(false));
        _readerSource = source.Build();
        try
        {
            _reader = await _readerSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new EngineException(
                $"The read could not log in to {PostgresConnection.Describe(_builder)} as its own role: {(e as PostgresException)?.MessageText ?? e.Message}. " +
                $"The server must accept password logins of roles named {ReadPrefix}* from this host (pg_hba.conf, scram-sha-256).", e);
        }
    }

    public async Task<IArrowArrayStream> ReadArrowAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var reader = _reader ?? throw new InvalidOperationException("The session serves no views yet (ServeAsync).");
        // PostgreSQL reads a.b.c as database.schema.table: each address this session serves becomes its view's name.
        return await PostgresArrowStream.OpenAsync(reader, SqlAddresses.Rewrite(sql, _addresses), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A collation whose character classes know every script (ICU's, else the C library's UTF-8 one), so a mask misses no letter.</summary>
    private async Task<string> LettersAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT collname FROM pg_collation WHERE collname IN ('und-x-icu', 'C.utf8', 'C.UTF-8') ORDER BY collname = 'und-x-icu' DESC LIMIT 1", _admin);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string found
            ? Identifier(found)
            : throw new EngineException($"{PostgresConnection.Describe(_builder)} has no Unicode collation (und-x-icu or C.utf8), which masking text needs.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }

        if (_readerSource is not null)
        {
            await _readerSource.DisposeAsync().ConfigureAwait(false);
        }

        if (_name is not null)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Identifier(_name)} CASCADE; DROP ROLE IF EXISTS {Identifier(_name)}", _admin);
                await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // The next session's sweep drops them once the role's login window has passed.
            }
        }

        await _admin.DisposeAsync().ConfigureAwait(false);
    }
}
