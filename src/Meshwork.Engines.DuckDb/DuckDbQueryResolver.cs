using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Meshwork.Engines.DuckDb;

/// <summary>
/// Resolves every relation a consumer's query names, over the syntax tree DuckDB's own parser gives
/// (<c>json_serialize_sql</c>), with SQL's scoping of common table expressions. A name is accepted only when it
/// is a dataset address (three parts) or a CTE visible where it is used; anything else could be a file DuckDB
/// would scan in its place (a replacement scan: <c>FROM 'data/x.parquet'</c>), so it is refused.
/// </summary>
internal static class DuckDbQueryResolver
{
    // Table functions that read nothing but their arguments. Every other one (read_parquet, read_csv, glob,
    // query, duckdb_settings ...) could reach files or the catalog around the governed views.
    private static readonly HashSet<string> AllowedTableFunctions = new(StringComparer.OrdinalIgnoreCase) { "range", "generate_series", "unnest" };

    // Functions that generate rows or list elements from their arguments alone: bounded by a cost guard.
    private static readonly HashSet<string> Generators = new(StringComparer.OrdinalIgnoreCase) { "range", "generate_series" };

    // Characters no CTE name needs and every path or glob does: such a name is refused where it is declared.
    private static readonly System.Buffers.SearchValues<char> PathCharacters = System.Buffers.SearchValues.Create("/\\.*?[]{}~:$");

    /// <summary>The dataset addresses <paramref name="statement"/> reads; throws <see cref="QueryRefusedException"/> for any other name.</summary>
    public static IReadOnlyList<string> Datasets(JsonElement statement, long maxGeneratedRows)
    {
        var datasets = new SortedSet<string>(StringComparer.Ordinal);
        new Walker(datasets, maxGeneratedRows).Walk(statement, ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase));
        return [.. datasets];
    }

    private sealed class Walker(SortedSet<string> datasets, long maxGeneratedRows)
    {
        public void Walk(JsonElement element, ImmutableHashSet<string> scope)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    WalkObject(element, scope);
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Walk(item, scope);
                    }

                    break;
            }
        }

        private void WalkObject(JsonElement element, ImmutableHashSet<string> scope)
        {
            var type = element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var isExpression = element.TryGetProperty("class", out _);
            if (!isExpression)
            {
                switch (type)
                {
                    case "BASE_TABLE":
                        Resolve(element, scope);
                        return;
                    case "TABLE_FUNCTION":
                        CheckTableFunction(element);
                        break;
                    case "SHOW_REF" when element.TryGetProperty("table_name", out var shown) && !string.IsNullOrEmpty(shown.GetString()):
                        // DESCRIBE/SUMMARIZE of a bare name resolves it like a table reference; the query form is walked below.
                        throw Refused(shown.GetString()!);
                    case "COLUMN_DATA" or "DELIM_GET":
                        throw new QueryRefusedException($"The query uses a relation of kind {type}, which consumer queries may not use.");
                    case "RECURSIVE_CTE_NODE":
                        // The recursive term (right) sees the CTE itself; the anchor (left) does not.
                        WalkQueryNode(element, scope, element.TryGetProperty("cte_name", out var name) ? name.GetString() : null);
                        return;
                }
            }
            else if (type == "FUNCTION" && element.TryGetProperty("function_name", out var function) && Generators.Contains(function.GetString() ?? string.Empty))
            {
                CheckGenerator(function.GetString()!, element.GetProperty("children"));
            }

            if (element.TryGetProperty("cte_map", out _))
            {
                WalkQueryNode(element, scope, null);
                return;
            }

            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, scope);
            }
        }

        /// <summary>
        /// A query node: each CTE's body sees the outer scope and the CTEs declared before it (not itself: a
        /// non-recursive CTE naming itself would resolve to a file); the rest of the node sees them all.
        /// </summary>
        private void WalkQueryNode(JsonElement node, ImmutableHashSet<string> scope, string? recursiveName)
        {
            var inner = scope;
            if (node.TryGetProperty("cte_map", out var cteMap) && cteMap.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Array)
            {
                foreach (var cte in map.EnumerateArray())
                {
                    var name = cte.GetProperty("key").GetString() ?? string.Empty;
                    if (name.Length == 0 || name.AsSpan().ContainsAny(PathCharacters))
                    {
                        throw new QueryRefusedException($"'{name}' is not a valid name for a common table expression: use letters, digits and underscores.");
                    }

                    Walk(cte.GetProperty("value"), inner);
                    inner = inner.Add(name);
                }
            }

            foreach (var property in node.EnumerateObject())
            {
                if (property.NameEquals("cte_map"))
                {
                    continue;
                }

                var sees = recursiveName is not null && property.NameEquals("right") ? inner.Add(recursiveName) : inner;
                Walk(property.Value, sees);
            }
        }

        private void Resolve(JsonElement table, ImmutableHashSet<string> scope)
        {
            var catalog = table.GetProperty("catalog_name").GetString();
            var schema = table.GetProperty("schema_name").GetString();
            var name = table.GetProperty("table_name").GetString() ?? string.Empty;
            if (table.TryGetProperty("at_clause", out var at) && at.ValueKind != JsonValueKind.Null)
            {
                throw new QueryRefusedException($"'{name}' is read with AT (...): time travel is not offered to consumer queries.");
            }

            if (!string.IsNullOrEmpty(catalog) && !string.IsNullOrEmpty(schema))
            {
                datasets.Add($"{catalog}.{schema}.{name}");
            }
            else if (!string.IsNullOrEmpty(schema) || !scope.Contains(name))
            {
                throw Refused(string.IsNullOrEmpty(schema) ? name : $"{schema}.{name}");
            }
        }

        private static void CheckTableFunction(JsonElement element)
        {
            var name = element.GetProperty("function").GetProperty("function_name").GetString() ?? string.Empty;
            if (!AllowedTableFunctions.Contains(name))
            {
                throw new QueryRefusedException($"The table function '{name}' is not allowed: read datasets by their address (domain.product.object_vN).");
            }

            // Its arguments (and a generator's cost guard, on the function expression) are checked by the walk below.
        }

        /// <summary>
        /// The cost guard of <c>range</c> and <c>generate_series</c>: constant numeric bounds, and no more values
        /// than the limit. A generator of a trillion rows would keep the cores busy until the read's time limit.
        /// </summary>
        private void CheckGenerator(string name, JsonElement arguments)
        {
            var values = new List<decimal>();
            foreach (var argument in arguments.EnumerateArray())
            {
                if (Number(argument) is not { } value)
                {
                    throw new QueryRefusedException($"{name}() in a consumer query takes constant whole numbers as its bounds and step.");
                }

                values.Add(value);
            }

            var (start, stop, step) = values.Count switch
            {
                1 => (0m, values[0], 1m),
                2 => (values[0], values[1], 1m),
                3 => (values[0], values[1], values[2]),
                _ => throw new QueryRefusedException($"{name}() takes one to three arguments."),
            };
            // range stops before its end, generate_series at it; a step of 0 never ends.
            var span = step == 0 ? decimal.MaxValue : (stop - start) / step;
            var count = step == 0 ? decimal.MaxValue
                : name.Equals("range", StringComparison.OrdinalIgnoreCase) ? Math.Max(0, Math.Ceiling(span)) : Math.Max(0, Math.Floor(span) + 1);
            if (count > maxGeneratedRows)
            {
                throw new QueryRefusedException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}({string.Join(", ", values)}) would generate more than {maxGeneratedRows:N0} values, the limit of one consumer query."));
            }
        }

        /// <summary>A constant whole number (negated or not), or null.</summary>
        private static decimal? Number(JsonElement expression)
        {
            var type = expression.GetProperty("type").GetString();
            if (type == "VALUE_CONSTANT" && expression.GetProperty("value") is var constant && !constant.GetProperty("is_null").GetBoolean())
            {
                var id = constant.GetProperty("type").GetProperty("id").GetString();
                var value = constant.GetProperty("value");
                return id is "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT"
                    && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) ? number : null;
            }

            // -5 is the operator '-' over 5.
            return type == "FUNCTION" && expression.GetProperty("function_name").GetString() == "-"
                && expression.GetProperty("children") is { ValueKind: JsonValueKind.Array } children && children.GetArrayLength() == 1
                && Number(children[0]) is { } operand ? -operand : null;
        }

        private static QueryRefusedException Refused(string name) =>
            new($"'{name}' is not a dataset: read datasets by their address (domain.product.object_vN); a query may name nothing else but its own WITH names.");
    }
}
