using System.Globalization;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using Meshwork.Platform.Serving;
using Meshwork.Platform.Serving.Formats;

namespace Meshwork.Server.Ports.PgWire;

/// <summary>
/// The system catalogs a PostgreSQL client reads (pg_catalog, information_schema, version(), current_setting()...),
/// holding only what the caller may read: each readable dataset is a table whose schema is its product
/// (<c>"customers.profiles"."profiles_v1"</c>) with the columns its plan allows, typed as its reads return them.
/// The clients' catalog SQL is evaluated by an in-memory DuckDB over these few rows of metadata (no data, no
/// files: external access is off and the configuration locked before any client SQL runs), after rewriting the
/// PostgreSQL-only syntax they use (OPERATOR(pg_catalog.~), ::regclass, COLLATE pg_catalog.default).
/// </summary>
internal sealed partial class PgCatalog : IDisposable
{
    public const string ServerVersion = "16.0";

    /// <summary>The functions this catalog answers (as macros in its <c>pgc</c> schema).</summary>
    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "version", "current_database", "current_schema", "current_schemas", "current_setting", "format_type", "pg_table_is_visible", "pg_type_is_visible",
        "pg_function_is_visible", "pg_get_userbyid", "obj_description", "col_description", "shobj_description", "pg_get_expr", "pg_get_indexdef",
        "pg_get_constraintdef", "pg_encoding_to_char", "pg_get_statisticsobjdef_columns", "pg_get_publication_tables", "pg_relation_is_publishable",
        "pg_get_partkeydef", "pg_get_triggerdef", "pg_get_viewdef", "pg_size_pretty", "array_upper", "array_lower", "pg_backend_pid", "pg_is_in_recovery", "has_table_privilege", "has_schema_privilege", "has_database_privilege",
    };

    private static readonly string[] SystemSchemas = ["pg_catalog", "public", "information_schema"];

    private readonly DuckDBConnection _connection;

    private PgCatalog(DuckDBConnection connection) => _connection = connection;

    public static PgCatalog Create(IReadOnlyList<ReadableDataset> datasets, string database, string user, int processId, IReadOnlyDictionary<string, string> settings)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        try
        {
            // Built once per session, on its first catalog query.
            foreach (var statement in Schema(datasets, database, user, processId, settings))
            {
                using var command = connection.CreateCommand();
                command.CommandText = statement;
                command.ExecuteNonQuery();
            }

            return new PgCatalog(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The long version string, as <c>version()</c> gives it.</summary>
    public static string Version => $"PostgreSQL {ServerVersion} (Meshwork {typeof(PgCatalog).Assembly.GetName().Version?.ToString(3)}; governed reads of a data mesh)";

    /// <summary>
    /// The name PostgreSQL gives a result column DuckDB named after this catalog's rewritten expression:
    /// <c>pgc."version"()</c> is <c>version</c>, <c>pgc.mw_user()</c> is <c>current_user</c>.
    /// </summary>
    public static string ColumnName(string name)
    {
        var match = RewrittenCall().Match(name);
        return !match.Success ? name : match.Groups[1].Value == "mw_user" ? "current_user" : match.Groups[1].Value;
    }

    /// <summary>Runs a catalog query; the caller disposes the stream.</summary>
    public IArrowArrayStream Query(string sql, CancellationToken cancellationToken)
    {
        var command = _connection.CreateCommand();
        command.CommandText = Rewrite(sql);
        try
        {
            using var interrupt = cancellationToken.Register(static c => ((DuckDBCommand)c!).Cancel(), command);
            return new OwningStream(command, command.ExecuteArrowStream());
        }
        catch (DuckDBException e)
        {
            command.Dispose();
            throw new PgException("42P01", $"Meshwork's PostgreSQL port answers catalog queries from what you may read, and could not answer this one: {FirstLine(e.Message)}", e);
        }
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>PostgreSQL's catalog syntax as DuckDB reads it, over this catalog's tables and functions.</summary>
    internal static string Rewrite(string sql)
    {
        sql = Operator().Replace(sql, " $1 ");
        sql = Collate().Replace(sql, string.Empty);
        sql = QualifiedCast().Replace(sql, "::");
        sql = Casts().Replace(sql, m => m.Groups["type"].Value.ToLowerInvariant() is "oid" or "regclass" or "regtype" or "regproc" or "regprocedure" or "regnamespace" or "regrole" or "int2vector" or "oidvector"
            ? "::BIGINT" : "::VARCHAR");
        // pg_catalog's tables and the functions answered here are this catalog's; its other functions are DuckDB's own of that name (array_to_string ...).
        sql = CatalogFunction().Replace(sql, m => Functions.Contains(m.Groups[1].Value.ToLowerInvariant()) ? $"pgc.{m.Groups[1].Value}(" : $"{m.Groups[1].Value}(");
        sql = CatalogSchema().Replace(sql, "pgc.");
        // A set-returning function aliased like a table (generate_series(...) s) is its one column in PostgreSQL, a row in DuckDB.
        sql = SeriesAlias().Replace(sql, "$1 AS $2($2)");
        sql = InformationSchema().Replace(sql, "pgi.");
        sql = UnqualifiedCatalogName().Replace(sql, "pgc.$1");
        sql = SessionUser().Replace(sql, "pgc.mw_user()");
        sql = CurrentSchema().Replace(sql, "pgc.current_schema()");
        return sql;
    }

    private static IEnumerable<string> Schema(IReadOnlyList<ReadableDataset> datasets, string database, string user, int processId, IReadOnlyDictionary<string, string> settings)
    {
        yield return "SET threads = 1";
        yield return "SET memory_limit = '256MB'";
        yield return "CREATE SCHEMA pgc";
        yield return "CREATE SCHEMA pgi";

        var schemas = datasets.Select(d => SchemaOf(d.Address)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var schemaOid = schemas.Select((s, i) => (s, Oid: 16_384 + i)).ToDictionary(x => x.s, x => x.Oid, StringComparer.Ordinal);
        var namespaces = new List<string> { Row(11, "pg_catalog", 10), Row(2200, "public", 10), Row(13_000, "information_schema", 10) };
        namespaces.AddRange(schemas.Select(s => Row(schemaOid[s], s, 10)));
        yield return "CREATE TABLE pgc.pg_namespace (oid BIGINT, nspname VARCHAR, nspowner BIGINT)";
        yield return Insert("pgc.pg_namespace", namespaces);

        var classes = new List<string>();
        var attributes = new List<string>();
        var descriptions = new List<string>();
        var tables = new List<string>();
        var columns = new List<string>();
        for (var i = 0; i < datasets.Count; i++)
        {
            var dataset = datasets[i];
            var oid = 20_000 + i;
            var schema = SchemaOf(dataset.Address);
            var name = TableOf(dataset.Address);
            classes.Add(Row(oid, name, schemaOid[schema], 'r', dataset.Columns.Count));
            tables.Add(Row(database, schema, name, "BASE TABLE"));
            if (dataset.Description is { } description)
            {
                descriptions.Add(Row(oid, 1259, 0, description));
            }

            for (var c = 0; c < dataset.Columns.Count; c++)
            {
                var column = dataset.Columns[c];
                var type = PgTypes.Of(column.Type);
                attributes.Add(Row(oid, column.Name, type, c + 1, column.Required, PgTypes.Length(type)));
                columns.Add(Row(database, schema, name, column.Name, c + 1, column.Required ? "NO" : "YES", PgTypes.SqlName(type),
                    PgTypes.All.First(t => t.Oid == type).Name, column.Type.Kind == Engines.DataKind.Decimal ? column.Type.Precision : null,
                    column.Type.Kind == Engines.DataKind.Decimal ? column.Type.Scale : null));
                if (column.Description is { } text)
                {
                    descriptions.Add(Row(oid, 1259, c + 1, text));
                }
            }
        }

        yield return """
            CREATE TABLE pgc.pg_class (oid BIGINT, relname VARCHAR, relnamespace BIGINT, relkind VARCHAR, relnatts INTEGER,
                reltype BIGINT DEFAULT 0, reloftype BIGINT DEFAULT 0, relowner BIGINT DEFAULT 10, relam BIGINT DEFAULT 2, relfilenode BIGINT DEFAULT 0,
                reltablespace BIGINT DEFAULT 0, relpages INTEGER DEFAULT 0, reltuples DOUBLE DEFAULT -1, relallvisible INTEGER DEFAULT 0,
                reltoastrelid BIGINT DEFAULT 0, relhasindex BOOLEAN DEFAULT false, relisshared BOOLEAN DEFAULT false, relpersistence VARCHAR DEFAULT 'p',
                relchecks INTEGER DEFAULT 0, relhasrules BOOLEAN DEFAULT false, relhastriggers BOOLEAN DEFAULT false, relhassubclass BOOLEAN DEFAULT false,
                relrowsecurity BOOLEAN DEFAULT false, relforcerowsecurity BOOLEAN DEFAULT false, relispopulated BOOLEAN DEFAULT true,
                relreplident VARCHAR DEFAULT 'd', relispartition BOOLEAN DEFAULT false, relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR)
            """;
        yield return Insert("pgc.pg_class (oid, relname, relnamespace, relkind, relnatts)", classes);
        yield return """
            CREATE TABLE pgc.pg_attribute (attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attnum INTEGER, attnotnull BOOLEAN, attlen INTEGER,
                atttypmod INTEGER DEFAULT -1, attndims INTEGER DEFAULT 0, attbyval BOOLEAN DEFAULT false, attstorage VARCHAR DEFAULT 'x', attalign VARCHAR DEFAULT 'i',
                atthasdef BOOLEAN DEFAULT false, atthasmissing BOOLEAN DEFAULT false, attidentity VARCHAR DEFAULT '', attgenerated VARCHAR DEFAULT '',
                attisdropped BOOLEAN DEFAULT false, attislocal BOOLEAN DEFAULT true, attinhcount INTEGER DEFAULT 0, attcollation BIGINT DEFAULT 0,
                attstattarget INTEGER DEFAULT -1, attcompression VARCHAR DEFAULT '', attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[])
            """;
        yield return Insert("pgc.pg_attribute (attrelid, attname, atttypid, attnum, attnotnull, attlen)", attributes);
        yield return """
            CREATE TABLE pgc.pg_type (oid BIGINT, typname VARCHAR, typlen INTEGER, mw_sqlname VARCHAR, typnamespace BIGINT DEFAULT 11, typowner BIGINT DEFAULT 10,
                typbyval BOOLEAN DEFAULT false, typtype VARCHAR DEFAULT 'b', typcategory VARCHAR DEFAULT 'U', typispreferred BOOLEAN DEFAULT false,
                typisdefined BOOLEAN DEFAULT true, typdelim VARCHAR DEFAULT ',', typrelid BIGINT DEFAULT 0, typelem BIGINT DEFAULT 0, typarray BIGINT DEFAULT 0,
                typinput BIGINT DEFAULT 0, typoutput BIGINT DEFAULT 0, typreceive BIGINT DEFAULT 0, typsend BIGINT DEFAULT 0, typbasetype BIGINT DEFAULT 0,
                typtypmod INTEGER DEFAULT -1, typndims INTEGER DEFAULT 0, typcollation BIGINT DEFAULT 0, typnotnull BOOLEAN DEFAULT false, typdefault VARCHAR)
            """;
        yield return Insert("pgc.pg_type (oid, typname, typlen, mw_sqlname)", [.. PgTypes.All.Select(t => Row(t.Oid, t.Name, t.Length, PgTypes.SqlName(t.Oid)))]);
        yield return "CREATE TABLE pgc.pg_description (objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR)";
        yield return Insert("pgc.pg_description", descriptions);
        yield return "CREATE TABLE pgc.pg_database (oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datcollate VARCHAR, datctype VARCHAR, datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, dattablespace BIGINT, datacl VARCHAR[])";
        yield return Insert("pgc.pg_database", [$"(1, {Literal(database)}, 10, 6, 'C.UTF-8', 'C.UTF-8', false, true, -1, 1663, NULL)"]);
        yield return "CREATE TABLE pgc.pg_settings (name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR)";
        yield return Insert("pgc.pg_settings", [.. settings.Select(s => $"({Literal(s.Key)}, {Literal(s.Value)}, NULL, 'Meshwork', NULL, 'user', 'string', 'session')")]);
        yield return "CREATE TABLE pgc.pg_tables (schemaname VARCHAR, tablename VARCHAR, tableowner VARCHAR, tablespace VARCHAR, hasindexes BOOLEAN, hasrules BOOLEAN, hastriggers BOOLEAN, rowsecurity BOOLEAN)";
        yield return Insert("pgc.pg_tables", [.. datasets.Select(d => $"({Literal(SchemaOf(d.Address))}, {Literal(TableOf(d.Address))}, 'meshwork', NULL, false, false, false, false)")]);
        yield return "CREATE TABLE pgc.pg_roles (oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER, rolvaliduntil TIMESTAMP, rolbypassrls BOOLEAN, rolconfig VARCHAR[])";
        yield return Insert("pgc.pg_roles", [$"(10, {Literal(user)}, false, true, false, false, true, false, -1, NULL, false, NULL)"]);
        yield return "CREATE VIEW pgc.pg_user AS SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper, false AS userepl, false AS usebypassrls FROM pgc.pg_roles";
        yield return "CREATE TABLE pgc.pg_am (oid BIGINT, amname VARCHAR, amhandler BIGINT, amtype VARCHAR)";
        yield return Insert("pgc.pg_am", ["(2, 'heap', 0, 't')"]);
        yield return "CREATE TABLE pgc.pg_tablespace (oid BIGINT, spcname VARCHAR, spcowner BIGINT)";
        yield return Insert("pgc.pg_tablespace", ["(1663, 'pg_default', 10)"]);
        // Catalogs of what a read-only mesh of tables never has: present and empty, so clients' queries of them answer.
        yield return "CREATE TABLE pgc.pg_proc (oid BIGINT, proname VARCHAR, pronamespace BIGINT, prorettype BIGINT, prokind VARCHAR)";
        yield return "CREATE TABLE pgc.pg_range (rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT)";
        yield return "CREATE TABLE pgc.pg_enum (oid BIGINT, enumtypid BIGINT, enumsortorder DOUBLE, enumlabel VARCHAR)";
        yield return "CREATE TABLE pgc.pg_index (indexrelid BIGINT, indrelid BIGINT, indnatts INTEGER, indisunique BOOLEAN, indisprimary BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indkey VARCHAR, indexprs VARCHAR, indpred VARCHAR)";
        yield return "CREATE TABLE pgc.pg_constraint (oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, conrelid BIGINT, confrelid BIGINT, conkey INTEGER[], confkey INTEGER[], conindid BIGINT, condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conislocal BOOLEAN, connoinherit BOOLEAN, conparentid BIGINT)";
        yield return "CREATE TABLE pgc.pg_inherits (inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN)";
        yield return "CREATE TABLE pgc.pg_attrdef (oid BIGINT, adrelid BIGINT, adnum INTEGER, adbin VARCHAR)";
        yield return "CREATE TABLE pgc.pg_collation (oid BIGINT, collname VARCHAR, collnamespace BIGINT)";
        yield return "CREATE TABLE pgc.pg_views (schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR, definition VARCHAR)";
        yield return "CREATE TABLE pgc.pg_matviews (schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, definition VARCHAR)";
        yield return "CREATE TABLE pgc.pg_trigger (oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgisinternal BOOLEAN, tgenabled VARCHAR)";
        yield return "CREATE TABLE pgc.pg_rewrite (oid BIGINT, rulename VARCHAR, ev_class BIGINT)";
        yield return "CREATE TABLE pgc.pg_policy (oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR)";
        yield return "CREATE TABLE pgc.pg_extension (oid BIGINT, extname VARCHAR, extversion VARCHAR, extnamespace BIGINT)";
        yield return "CREATE TABLE pgc.pg_statistic_ext (oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxkind VARCHAR[], stxstattarget INTEGER)";
        yield return "CREATE TABLE pgc.pg_publication (oid BIGINT, pubname VARCHAR, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN)";
        yield return "CREATE TABLE pgc.pg_publication_rel (oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs INTEGER[])";
        yield return "CREATE TABLE pgc.pg_publication_namespace (oid BIGINT, pnpubid BIGINT, pnnspid BIGINT)";
        yield return "CREATE TABLE pgc.pg_partitioned_table (partrelid BIGINT, partstrat VARCHAR)";
        yield return "CREATE TABLE pgc.pg_foreign_table (ftrelid BIGINT, ftserver BIGINT)";
        yield return "CREATE TABLE pgc.pg_sequence (seqrelid BIGINT)";
        yield return "CREATE TABLE pgc.pg_event_trigger (oid BIGINT, evtname VARCHAR)";

        yield return "CREATE TABLE pgi.schemata (catalog_name VARCHAR, schema_name VARCHAR, schema_owner VARCHAR, default_character_set_catalog VARCHAR, default_character_set_schema VARCHAR, default_character_set_name VARCHAR, sql_path VARCHAR)";
        yield return Insert("pgi.schemata", [.. SystemSchemas.Concat(schemas).Select(s => $"({Literal(database)}, {Literal(s)}, 'meshwork', NULL, NULL, NULL, NULL)")]);
        yield return "CREATE TABLE pgi.tables (table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, table_type VARCHAR, self_referencing_column_name VARCHAR, reference_generation VARCHAR, user_defined_type_catalog VARCHAR, user_defined_type_schema VARCHAR, user_defined_type_name VARCHAR, is_insertable_into VARCHAR DEFAULT 'NO', is_typed VARCHAR DEFAULT 'NO', commit_action VARCHAR)";
        yield return Insert("pgi.tables (table_catalog, table_schema, table_name, table_type)", tables);
        yield return """
            CREATE TABLE pgi.columns (table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, ordinal_position INTEGER,
                is_nullable VARCHAR, data_type VARCHAR, udt_name VARCHAR, numeric_precision INTEGER, numeric_scale INTEGER, column_default VARCHAR,
                character_maximum_length INTEGER, character_octet_length INTEGER, numeric_precision_radix INTEGER, datetime_precision INTEGER, interval_type VARCHAR,
                udt_catalog VARCHAR, udt_schema VARCHAR DEFAULT 'pg_catalog', is_identity VARCHAR DEFAULT 'NO', is_generated VARCHAR DEFAULT 'NEVER', is_updatable VARCHAR DEFAULT 'NO',
                collation_name VARCHAR, domain_name VARCHAR)
            """;
        yield return Insert("pgi.columns (table_catalog, table_schema, table_name, column_name, ordinal_position, is_nullable, data_type, udt_name, numeric_precision, numeric_scale)", columns);
        yield return "CREATE TABLE pgi.views (table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, view_definition VARCHAR)";
        yield return "CREATE TABLE pgi.table_constraints (constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, constraint_type VARCHAR)";
        yield return "CREATE TABLE pgi.key_column_usage (constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, table_catalog VARCHAR, table_schema VARCHAR, table_name VARCHAR, column_name VARCHAR, ordinal_position INTEGER)";
        yield return "CREATE TABLE pgi.referential_constraints (constraint_catalog VARCHAR, constraint_schema VARCHAR, constraint_name VARCHAR, unique_constraint_schema VARCHAR, unique_constraint_name VARCHAR)";
        yield return "CREATE TABLE pgi.routines (specific_catalog VARCHAR, specific_schema VARCHAR, specific_name VARCHAR, routine_name VARCHAR, routine_type VARCHAR)";

        // The functions clients call on connect and in their catalog queries, answered for this session.
        yield return $"CREATE MACRO pgc.version() AS {Literal(Version)}";
        yield return $"CREATE MACRO pgc.current_database() AS {Literal(database)}";
        yield return "CREATE MACRO pgc.current_schema() AS 'public'";
        yield return "CREATE MACRO pgc.current_schemas(implicit) AS CASE WHEN implicit THEN ['pg_catalog', 'public'] ELSE ['public'] END";
        yield return $"CREATE MACRO pgc.mw_user() AS {Literal(user)}";
        yield return "CREATE MACRO pgc.current_setting(setting_name) AS (SELECT setting FROM pgc.pg_settings WHERE name = lower(setting_name)), (setting_name, missing_ok) AS (SELECT setting FROM pgc.pg_settings WHERE name = lower(setting_name))";
        yield return "CREATE MACRO pgc.format_type(type_oid, typemod) AS (SELECT mw_sqlname FROM pgc.pg_type WHERE oid = type_oid)";
        yield return "CREATE MACRO pgc.pg_table_is_visible(o) AS true";
        yield return "CREATE MACRO pgc.pg_type_is_visible(o) AS true";
        yield return "CREATE MACRO pgc.pg_function_is_visible(o) AS true";
        yield return "CREATE MACRO pgc.pg_get_userbyid(o) AS 'meshwork'";
        yield return "CREATE MACRO pgc.obj_description(object_oid) AS (SELECT description FROM pgc.pg_description WHERE objoid = object_oid AND objsubid = 0), (object_oid, catalog_name) AS (SELECT description FROM pgc.pg_description WHERE objoid = object_oid AND objsubid = 0)";
        yield return "CREATE MACRO pgc.col_description(table_oid, column_number) AS (SELECT description FROM pgc.pg_description WHERE objoid = table_oid AND objsubid = column_number)";
        yield return "CREATE MACRO pgc.shobj_description(o, c) AS NULL";
        yield return "CREATE MACRO pgc.pg_get_expr(e, r) AS NULL::VARCHAR, (e, r, p) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_get_indexdef(o) AS NULL::VARCHAR, (o, c, p) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_get_constraintdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_encoding_to_char(e) AS 'UTF8'";
        yield return "CREATE MACRO pgc.pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_get_publication_tables(p) AS TABLE SELECT NULL::BIGINT AS relid, NULL::VARCHAR AS attrs, NULL::VARCHAR AS qual WHERE false";
        yield return "CREATE MACRO pgc.pg_relation_is_publishable(o) AS false";
        yield return "CREATE MACRO pgc.pg_get_partkeydef(o) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_get_triggerdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_get_viewdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR";
        yield return "CREATE MACRO pgc.pg_size_pretty(b) AS format_bytes(b::BIGINT)";
        yield return "CREATE MACRO pgc.array_upper(a, d) AS len(a)";
        yield return "CREATE MACRO pgc.array_lower(a, d) AS CASE WHEN len(a) > 0 THEN 1 END";
        yield return $"CREATE MACRO pgc.pg_backend_pid() AS {processId}";
        yield return "CREATE MACRO pgc.pg_is_in_recovery() AS false";
        yield return "CREATE MACRO pgc.has_table_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true";
        yield return "CREATE MACRO pgc.has_schema_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true";
        yield return "CREATE MACRO pgc.has_database_privilege(a) AS true, (a, b) AS true, (a, b, c) AS true";
        // From here the session holds no more than these rows: no file, no extension, no setting can be reached.
        yield return "SET enable_external_access = false";
        yield return "SET lock_configuration = true";
    }

    /// <summary>A dataset's schema in the catalog: its product (<c>domain.product</c>).</summary>
    public static string SchemaOf(string address) => address[..address.LastIndexOf('.')];

    /// <summary>A dataset's table in the catalog: its object and major version (<c>profiles_v1</c>).</summary>
    public static string TableOf(string address) => address[(address.LastIndexOf('.') + 1)..];

    private static string Insert(string table, List<string> rows) =>
        rows.Count == 0 ? "SELECT 1" : $"INSERT INTO {table} VALUES {string.Join(", ", rows)}";

    private static string Row(params object?[] values) => "(" + string.Join(", ", values.Select(v => v switch
    {
        null => "NULL",
        string s => Literal(s),
        char c => Literal(c.ToString()),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Literal(v.ToString() ?? string.Empty),
    })) + ")";

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>The Arrow stream of a catalog query, disposing its command with it.</summary>
    private sealed class OwningStream(DuckDBCommand command, IArrowArrayStream inner) : IArrowArrayStream
    {
        public Apache.Arrow.Schema Schema => inner.Schema;

        public ValueTask<RecordBatch?> ReadNextRecordBatchAsync(CancellationToken cancellationToken = default) => inner.ReadNextRecordBatchAsync(cancellationToken);

        public void Dispose()
        {
            inner.Dispose();
            command.Dispose();
        }
    }

    [GeneratedRegex(@"^pgc\.""?(\w+)""?\(.*\)$")]
    private static partial Regex RewrittenCall();

    [GeneratedRegex(@"OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?([^)\s]+)\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex Operator();

    [GeneratedRegex(@"COLLATE\s+(?:pg_catalog\s*\.\s*)?""?(?:default|C|POSIX)""?", RegexOptions.IgnoreCase)]
    private static partial Regex Collate();

    [GeneratedRegex(@"::\s*(?:pg_catalog\s*\.\s*)?(?<type>""char""|regclass|regtype|regprocedure|regproc|regnamespace|regrole|oid|name|text|int2vector|oidvector)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Casts();

    [GeneratedRegex(@"\bpg_catalog\s*\.\s*", RegexOptions.IgnoreCase)]
    private static partial Regex CatalogSchema();

    [GeneratedRegex(@"::\s*pg_catalog\s*\.\s*(?!regclass|regtype|regproc|regnamespace|regrole|oid\b|name\b|text\b|""char"")", RegexOptions.IgnoreCase)]
    private static partial Regex QualifiedCast();

    [GeneratedRegex(@"(generate_series\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))\s+(?:AS\s+)?([A-Za-z_]\w*)\b(?!\s*\()", RegexOptions.IgnoreCase)]
    private static partial Regex SeriesAlias();

    [GeneratedRegex(@"\bpg_catalog\s*\.\s*(\w+)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex CatalogFunction();

    [GeneratedRegex(@"\binformation_schema\s*\.\s*", RegexOptions.IgnoreCase)]
    private static partial Regex InformationSchema();

    /// <summary>A catalog table or function named without its schema (pg_class, version() ...): this catalog's.</summary>
    [GeneratedRegex(@"(?<![\w.""])(pg_[a-z_]+|version(?=\s*\()|current_database(?=\s*\()|current_schemas?(?=\s*\()|current_setting(?=\s*\()|format_type(?=\s*\()|obj_description(?=\s*\()|col_description(?=\s*\()|shobj_description(?=\s*\()|has_(?:table|schema|database)_privilege(?=\s*\())\b", RegexOptions.IgnoreCase)]
    private static partial Regex UnqualifiedCatalogName();

    [GeneratedRegex(@"(?<![\w.""])(?:current_user|session_user|current_role)\b(?!\s*\()", RegexOptions.IgnoreCase)]
    private static partial Regex SessionUser();

    [GeneratedRegex(@"(?<![\w.""])current_schema\b(?!\s*\()", RegexOptions.IgnoreCase)]
    private static partial Regex CurrentSchema();
}
