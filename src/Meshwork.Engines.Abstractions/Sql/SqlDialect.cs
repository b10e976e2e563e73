using System.Globalization;
using System.Text;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.Sql;

/// <summary>
/// An engine's spelling of SQL: identifiers, literals, the engine-neutral types and the few functions that differ.
/// The contract's validation (<see cref="CheckedRows"/>, <see cref="DuplicateKeys"/>) and its quality checks
/// (<see cref="Measure"/>) are built here once from the IR, so every engine enforces a contract the same way.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>
    /// The text forms a value of a date or time type may have, the same on every engine (ISO only: an engine's own
    /// cast may accept more, such as <c>2024/01/01</c> in DuckDB, and then the engines would quarantine different rows).
    /// ASCII digits: a digit of another script would pass a <c>\d</c> and then fail a cast.
    /// </summary>
    public const string IsoDate = @"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*$";

    /// <inheritdoc cref="IsoDate"/>
    public const string IsoTimestamp = @"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*$";

    /// <inheritdoc cref="IsoDate"/>
    public const string IsoTimestampTz = @"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\s*$";

    /// <inheritdoc cref="IsoDate"/>
    public const string IsoTime = @"^\s*[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*$";

    /// <summary>The column that holds a value's original text in the checked rows.</summary>
    public static string RawColumn(string column) => "__mw_raw_" + column;

    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A dataset address <c>a.b.c</c> as a three-part SQL name.</summary>
    public static string Address(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return string.Join('.', address.Split('.').Select(Identifier));
    }

    /// <summary>A relation name as a three-part SQL name: a dataset address (three parts) or a session relation (one identifier).</summary>
    public static string Relation(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Count(c => c == '.') == 2 ? Address(name) : Identifier(name);
    }

    /// <summary>
    /// A row filter of the IR as a condition; NULL where the filter is unknown for a row (the view keeps only rows
    /// where it is true). Constants are literals, never SQL. <paramref name="keyed"/> spells <see cref="FilterKeyedHash"/>
    /// with its key; a filter that hashes needs it.
    /// </summary>
    public string Filter(FilterExpr filter, MaskSql? keyed = null) => filter switch
    {
        FilterColumn c => Identifier(c.Name),
        FilterConstant { Value: null } => "NULL",
        FilterConstant { Value: bool b } => b ? "TRUE" : "FALSE",
        FilterConstant { Value: string s } => Literal(s),
        FilterConstant { Value: long l } => l.ToString(CultureInfo.InvariantCulture),
        FilterConstant { Value: double d } => d.ToString("R", CultureInfo.InvariantCulture),
        FilterConstant { Value: DateOnly d } => $"DATE '{d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'",
        FilterConstant { Value: DateTime t } => $"TIMESTAMP '{t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'",
        FilterConstant { Value: DateTimeOffset t } => $"TIMESTAMPTZ '{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00:00'",
        FilterConstant c => throw new NotSupportedException($"A row filter constant of type {c.Value!.GetType().Name} has no SQL form."),
        FilterKeyedHash h => keyed is null
            ? throw new InvalidOperationException("A filter with a keyed hash needs the engine's keyed hash.")
            : keyed.KeyedHash($"CAST({Filter(h.Value, keyed)} AS {Text})"),
        // CEL's == null is SQL's IS NULL: "= NULL" is never true.
        FilterBinary { Operator: FilterOperator.Equal or FilterOperator.NotEqual } b when b.Right is FilterConstant { Value: null } || b.Left is FilterConstant { Value: null } =>
            $"({Filter(b.Left is FilterConstant { Value: null } ? b.Right : b.Left, keyed)} IS {(b.Operator == FilterOperator.NotEqual ? "NOT " : string.Empty)}NULL)",
        FilterBinary b => $"({Filter(b.Left, keyed)} {FilterOperatorSql(b.Operator)} {Filter(b.Right, keyed)})",
        FilterNot n => $"(NOT {Filter(n.Operand, keyed)})",
        FilterIn i => i.Items.Count == 0 ? "FALSE" : $"({Filter(i.Value, keyed)} IN ({string.Join(", ", i.Items.Select(item => Filter(item, keyed)))}))",
        FilterString s => StringTest(s.Test, Filter(s.Value, keyed), Filter(s.Argument, keyed)),
        _ => throw new NotSupportedException($"No SQL for row filter {filter}."),
    };

    /// <summary>Whether the text <paramref name="value"/> starts with, ends with or contains <paramref name="argument"/>.</summary>
    protected virtual string StringTest(FilterStringTest test, string value, string argument) => test switch
    {
        FilterStringTest.StartsWith => $"starts_with({value}, {argument})",
        FilterStringTest.EndsWith => $"ends_with({value}, {argument})",
        _ => $"contains({value}, {argument})",
    };

    private static string FilterOperatorSql(FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "<>",
        FilterOperator.Less => "<",
        FilterOperator.LessOrEqual => "<=",
        FilterOperator.Greater => ">",
        FilterOperator.GreaterOrEqual => ">=",
        FilterOperator.And => "AND",
        _ => "OR",
    };

    /// <summary>
    /// The two padded keys of HMAC-SHA256 (RFC 2104), so an engine computes H((K ⊕ opad) ∥ H((K ⊕ ipad) ∥ m)) with its
    /// own SHA-256: MASK_HASH is the same keyed hash on every engine.
    /// </summary>
    public static (byte[] Inner, byte[] Outer) HmacPads(ReadOnlySpan<byte> key)
    {
        Span<byte> block = stackalloc byte[64];
        block.Clear();
        if (key.Length > 64)
        {
            System.Security.Cryptography.SHA256.HashData(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        var inner = new byte[64];
        var outer = new byte[64];
        for (var i = 0; i < 64; i++)
        {
            inner[i] = (byte)(block[i] ^ 0x36);
            outer[i] = (byte)(block[i] ^ 0x5c);
        }

        return (inner, outer);
    }

    /// <summary>The engine's type for an engine-neutral one.</summary>
    public abstract string Type(DataType type);

    /// <summary>The engine's text type (casts to text for lengths, patterns and raw values).</summary>
    public virtual string Text => "VARCHAR";

    /// <summary><paramref name="expression"/> cast to <paramref name="type"/>, or NULL when its text does not cast.</summary>
    public abstract string CastOrNull(string expression, DataType type);

    /// <summary>True when the text <paramref name="expression"/> contains a match of the regular expression.</summary>
    public abstract string Matches(string expression, string regex);

    /// <summary>True when the whole text <paramref name="expression"/> matches the regular expression.</summary>
    public abstract string FullMatch(string expression, string regex);

    /// <summary>A text of reasons joined by "; " as the engine's list of text.</summary>
    public abstract string SplitReasons(string expression);

    /// <summary>A statement (or statements) that makes <paramref name="name"/> a session table holding <paramref name="query"/>, replacing one there.</summary>
    public abstract string CreateTempTable(string name, string query);

    /// <summary>
    /// How the checked rows' steps are kept (<c>MATERIALIZED </c>, or nothing to leave it to the planner): an engine that
    /// inlines a step computes each cast again wherever its column is used.
    /// </summary>
    protected virtual string StepKeyword => string.Empty;

    /// <summary>A statement that makes <paramref name="name"/> a session view of <paramref name="query"/>, replacing one there.</summary>
    public virtual string CreateTempView(string name, string query) => $"CREATE OR REPLACE TEMP VIEW {name} AS {query}";

    /// <summary>A bound in the column's type: numbers as written, dates and times cast from their ISO text.</summary>
    public string TypedValue(string value, DataType type) =>
        type.IsNumeric ? value : $"CAST({Literal(value)} AS {Type(type)})";

    /// <summary>Checks of string formats; null for a format no engine checks.</summary>
    public string? FormatCheck(string column, string format) => format.ToLowerInvariant() switch
    {
        "email" => FullMatch(column, @"[^@\s]+@[^@\s]+\.[^@\s]+"),
        "uuid" => FullMatch(column, "[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}"),
        "uri" or "url" => FullMatch(column, @"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+"),
        "ipv4" => FullMatch(column, @"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"),
        "hostname" => FullMatch(column, @"[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*"),
        "date" => $"{CastOrNull(column, new DataType(DataKind.Date))} IS NOT NULL",
        "date-time" => $"{CastOrNull(column, new DataType(DataKind.TimestampTz))} IS NOT NULL",
        _ => null,
    };

    /// <summary>The condition under which a row fails <paramref name="rule"/>, over the typed column and its raw text.</summary>
    public string? Failure(RowRule rule, DataType type)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var c = Identifier(rule.Column);
        var raw = Identifier(RawColumn(rule.Column));
        var text = $"CAST({c} AS {Text})";
        // Divided as doubles: integer division would make every integer a multiple.
        var ratio = $"CAST({c} AS {Type(new DataType(DataKind.Double))}) / {(rule as MultipleOf)?.Value}";
        return rule switch
        {
            Castable => $"{raw} IS NOT NULL AND {c} IS NULL",
            Required => $"{raw} IS NULL",
            MinValue min => $"{c} {(min.Exclusive ? "<=" : "<")} {TypedValue(min.Value, type)}",
            MaxValue max => $"{c} {(max.Exclusive ? ">=" : ">")} {TypedValue(max.Value, type)}",
            MultipleOf => $"abs({ratio} - round({ratio})) > 1e-9",
            MinLength min => string.Create(CultureInfo.InvariantCulture, $"length({text}) < {min.Length}"),
            MaxLength max => string.Create(CultureInfo.InvariantCulture, $"length({text}) > {max.Length}"),
            Pattern pattern => $"NOT {Matches(text, pattern.Regex)}",
            Format format => FormatCheck(text, format.Name) is { } check ? $"NOT ({check})" : null,
            AllowedValues allowed when allowed.Values.All(v => v == ContractCompiler.NullMarker) => "TRUE",
            AllowedValues allowed => $"{text} NOT IN ({string.Join(", ", allowed.Values.Where(v => v != ContractCompiler.NullMarker).Select(Literal))})",
            _ => null,
        };
    }

    /// <summary>
    /// The checked rows of an input: typed values, the reasons a row fails (empty when it passes) and the raw text of
    /// failing rows. With <paramref name="duplicates"/> (tables of duplicated key values, one per key of
    /// <paramref name="keys"/>), only the rows of a duplicated key, with that reason.
    /// </summary>
    public string CheckedRows(DatasetSpec spec, string source, IReadOnlyList<UniqueKey> keys, IReadOnlyList<string>? duplicates)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(keys);
        var types = spec.Columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        var typed = string.Join(",\n  ", spec.Columns.Select(c =>
            $"{CastOrNull(Identifier(c.Name), c.Type)} AS {Identifier(c.Name)}, CAST({Identifier(c.Name)} AS {Text}) AS {Identifier(RawColumn(c.Name))}"));
        var joins = new StringBuilder();
        var reasons = new List<string>();
        var failures = new List<string>();
        foreach (var rule in spec.Rules)
        {
            string? failure;
            if (rule is UniqueKey key)
            {
                if (duplicates is null)
                {
                    continue;
                }

                var i = IndexOf(keys, key);
                var alias = string.Create(CultureInfo.InvariantCulture, $"d{i}");
                var on = string.Join(" AND ", key.Columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"typed.{Identifier(c)} = {alias}.__mw_k{j}")));
                joins.Append(CultureInfo.InvariantCulture, $"\nLEFT JOIN {duplicates[i]} AS {alias} ON {on}");
                failure = $"{alias}.__mw_k0 IS NOT NULL";
            }
            else
            {
                failure = Failure(rule, types[rule.Column]);
                if (failure is not null && rule is not (Castable or Required))
                {
                    failure = $"typed.{Identifier(rule.Column)} IS NOT NULL AND ({failure})";
                }
            }

            if (failure is not null)
            {
                var label = rule is UniqueKey k ? string.Join(",", k.Columns) : rule.Column;
                reasons.Add($"CASE WHEN {failure} THEN {Literal($"{label}: {rule.Reason}")} END");
                failures.Add($"({failure})");
            }
        }

        var typedColumns = string.Join(", ", spec.Columns.Select(c => Identifier(c.Name)));
        var rawForFailures = string.Join(", ", spec.Columns.Select(c =>
            $"CASE WHEN __mw_reasons <> '' THEN {Identifier(RawColumn(c.Name))} END AS {Identifier(RawColumn(c.Name))}"));
        var onlyDuplicates = duplicates is null
            ? string.Empty
            : "\nWHERE " + string.Join(" OR ", duplicates.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"d{i}.__mw_k0 IS NOT NULL")));
        return new StringBuilder()
            .Append("WITH typed AS ").Append(StepKeyword).Append("(SELECT ").Append(typed).Append("\nFROM ").Append(source).Append("),\n")
            // Most rows pass: one short-circuiting test first; the reasons are spelled out only for a row that fails.
            .Append("reasoned AS ").Append(StepKeyword).Append("(SELECT typed.*, ")
            .Append(reasons.Count == 0 ? "''" : $"CASE WHEN coalesce({string.Join("\n  OR ", failures)}, FALSE) THEN concat_ws('; ', {string.Join(",\n  ", reasons)}) ELSE '' END")
            .Append(" AS __mw_reasons FROM typed")
            .Append(joins).Append(onlyDuplicates).Append(")\n")
            .Append("SELECT ").Append(typedColumns).Append(", __mw_reasons, ").Append(rawForFailures).Append(" FROM reasoned")
            .ToString();
    }

    private static int IndexOf(IReadOnlyList<UniqueKey> keys, UniqueKey key)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }

        throw new ArgumentException($"The key {string.Join(",", key.Columns)} is not among the keys given.", nameof(key));
    }

    /// <summary>
    /// The distinct values of <paramref name="key"/> that occur more than once in <paramref name="checkedRelation"/>
    /// (as <c>__mw_k0</c>, <c>__mw_k1</c>, ...): the typed values sorted, each compared with the one before, which
    /// was measured 2-3x faster on DuckDB than a hash aggregate with one group per row.
    /// </summary>
    public static string DuplicateKeys(UniqueKey key, string checkedRelation)
    {
        ArgumentNullException.ThrowIfNull(key);
        var columns = key.Columns.Select(Identifier).ToList();
        var previous = string.Join(", ", columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"lag({c}) OVER w AS __mw_p{j}")));
        var repeated = string.Join(" AND ", columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"{c} = __mw_p{j}")));
        var notNull = string.Join(" AND ", columns.Select(c => $"{c} IS NOT NULL"));
        return $"SELECT DISTINCT {string.Join(", ", columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"{c} AS __mw_k{j}")))} FROM (" +
            $"SELECT {string.Join(", ", columns)}, {previous} FROM {checkedRelation} WHERE {notNull} WINDOW w AS (ORDER BY {string.Join(", ", columns)})) AS ordered WHERE {repeated}";
    }

    /// <summary>The condition that a checked row's key is one of the duplicated values in <paramref name="duplicates"/>.</summary>
    public static string IsDuplicate(UniqueKey key, string checkedRelation, string duplicates)
    {
        ArgumentNullException.ThrowIfNull(key);
        return $"EXISTS (SELECT 1 FROM {duplicates} AS d WHERE {string.Join(" AND ", key.Columns.Select((c, j) => string.Create(CultureInfo.InvariantCulture, $"{checkedRelation}.{Identifier(c)} = d.__mw_k{j}")))})";
    }

    /// <summary>The valid rows of the checked rows, typed and in the contract's column order.</summary>
    public static string ValidRows(DatasetSpec spec, string checkedRelation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return $"SELECT {string.Join(", ", spec.Columns.Select(c => Identifier(c.Name)))} FROM {checkedRelation} WHERE __mw_reasons = ''";
    }

    /// <summary>The quarantined rows of the checked rows: the run, the reasons and every value's original text.</summary>
    public string QuarantinedRows(DatasetSpec spec, string checkedRelation, string runId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var raw = string.Join(", ", spec.Columns.Select(c => $"{Identifier(RawColumn(c.Name))} AS {Identifier(c.Name)}"));
        return $"SELECT {Literal(runId)} AS _run_id, {SplitReasons("__mw_reasons")} AS _reasons, {raw} FROM {checkedRelation} WHERE __mw_reasons <> ''";
    }

    /// <summary>The query that measures a quality check over <paramref name="source"/>: one row, one number.</summary>
    public string Measure(QualityCheck check, string source)
    {
        ArgumentNullException.ThrowIfNull(check);
        var columns = check.Columns.Select(Identifier).ToList();
        var first = columns.FirstOrDefault();
        string counted;
        switch (check.Metric)
        {
            case QualityMetric.RowCount:
                return $"SELECT count(*) FROM {source}";
            case QualityMetric.Sql:
                return (check.Query ?? string.Empty)
                    .Replace("${object}", source, StringComparison.Ordinal).Replace("{object}", source, StringComparison.Ordinal)
                    .Replace("${table}", source, StringComparison.Ordinal).Replace("{table}", source, StringComparison.Ordinal)
                    .Replace("${property}", first ?? string.Empty, StringComparison.Ordinal).Replace("{property}", first ?? string.Empty, StringComparison.Ordinal)
                    .Replace("${column}", first ?? string.Empty, StringComparison.Ordinal).Replace("{column}", first ?? string.Empty, StringComparison.Ordinal);
            case QualityMetric.NullValues:
                counted = $"count(*) FILTER (WHERE {first} IS NULL)";
                break;
            case QualityMetric.MissingValues:
                var missing = check.Values.Where(v => v != ContractCompiler.NullMarker).Select(Literal).ToList();
                counted = missing.Count == 0
                    ? $"count(*) FILTER (WHERE {first} IS NULL)"
                    : $"count(*) FILTER (WHERE {first} IS NULL OR CAST({first} AS {Text}) IN ({string.Join(", ", missing)}))";
                break;
            case QualityMetric.InvalidValues:
                var valid = check.Values.Where(v => v != ContractCompiler.NullMarker).Select(Literal).ToList();
                counted = valid.Count == 0
                    ? $"count(*) FILTER (WHERE {first} IS NOT NULL)"
                    : $"count(*) FILTER (WHERE {first} IS NOT NULL AND CAST({first} AS {Text}) NOT IN ({string.Join(", ", valid)}))";
                break;
            case QualityMetric.DuplicateValues:
                // Rows beyond the first of each duplicated value (nulls are not values).
                var key = string.Join(", ", columns);
                var notNull = string.Join(" AND ", columns.Select(c => c + " IS NOT NULL"));
                counted = $"(count(*) FILTER (WHERE {notNull})) - (SELECT count(*) FROM (SELECT DISTINCT {key} FROM {source} WHERE {notNull}) AS distinct_values)";
                break;
            default:
                throw new EngineException($"Unknown metric {check.Metric}.");
        }

        return check.Percent
            ? $"SELECT coalesce(100.0 * ({counted}) / nullif(count(*), 0), 0) FROM {source}"
            : $"SELECT {counted} FROM {source}";
    }

    /// <summary>A check's measured value as a number; a non-number is the check's error.</summary>
    public static decimal ToNumber(object? result) => result switch
    {
        null or DBNull => 0,
        System.Numerics.BigInteger big => (decimal)big,
        IConvertible convertible => convertible.ToDecimal(CultureInfo.InvariantCulture),
        _ => throw new EngineException($"The check query returned a {result.GetType().Name}, not a number."),
    };

    /// <summary>The outcome of a check whose value was measured.</summary>
    public static CheckOutcome Outcome(QualityCheck check, decimal value)
    {
        ArgumentNullException.ThrowIfNull(check);
        var passed = check.Threshold.Passes(value);
        var status = passed ? CheckStatus.Passed : check.Severity == Diagnostics.Severity.Error ? CheckStatus.Failed : CheckStatus.Warned;
        var unit = check.Percent ? "%" : string.Empty;
        return new CheckOutcome(check, value, status,
            string.Create(CultureInfo.InvariantCulture, $"{check.Name}: {value:0.####}{unit} ({(passed ? "meets" : "does not meet")} {check.Threshold})"));
    }
}
