using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Engines.Ir;

/// <summary>
/// Compiles an output port's contract into one <see cref="DatasetSpec"/> per schema object: the typed columns,
/// the row rules enforced on write (type, required, unique and primary key, logicalTypeOptions, allowed values)
/// and the quality checks. Engines compile the result to their SQL; nothing here knows an engine.
/// </summary>
public static class ContractCompiler
{
    private static readonly string[] Operators =
        ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"];

    private static readonly string[] ColumnArguments = ["property", "properties", "column", "columns"];

    public static ImmutableArray<DatasetSpec> Compile(DataProduct product, OutputPort port, Contract contract, DiagnosticBag diagnostics)
    {
        var major = port.Major ?? contract.Major ?? 1;
        return [.. contract.Schema
            .Where(o => !o.Properties.IsEmpty)
            .Select(o => CompileObject(Names.DatasetAddress(product.Domain, product.Name, o.Name, major), contract, o, diagnostics))];
    }

    /// <summary>Compiles one schema object under a given address (tests and tools that have no product).</summary>
    public static DatasetSpec CompileObject(string address, Contract contract, SchemaObject obj, DiagnosticBag diagnostics)
    {
        var columns = obj.Properties.Select(p => new ColumnSpec(p.Name, TypeMapping.Map(p), p.Required || p.PrimaryKey, p.Description)).ToImmutableArray();
        var types = columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
        var rules = ImmutableArray.CreateBuilder<RowRule>();
        var checks = ImmutableArray.CreateBuilder<QualityCheck>();

        foreach (var property in obj.Properties)
        {
            var type = types[property.Name];
            rules.Add(new Castable(property.Name, type));
            if (property.Required || property.PrimaryKey)
            {
                rules.Add(new Required(property.Name));
            }

            rules.AddRange(OptionRules(property, type, diagnostics));
            if (property.Unique && !(property.PrimaryKey && obj.Properties.Count(p => p.PrimaryKey) == 1))
            {
                rules.Add(new UniqueKey([property.Name], PrimaryKey: false));
            }

            foreach (var rule in property.Quality)
            {
                if (CompileCheck(rule, [property.Name], diagnostics) is { } check)
                {
                    checks.Add(check);
                    if (AllowedValuesRule(property.Name, check) is { } allowed)
                    {
                        rules.Add(allowed);
                    }
                }
            }
        }

        var key = obj.Properties.Where(p => p.PrimaryKey).OrderBy(p => p.PrimaryKeyPosition < 0 ? int.MaxValue : p.PrimaryKeyPosition).Select(p => p.Name).ToImmutableArray();
        if (!key.IsEmpty)
        {
            rules.Add(new UniqueKey(key, PrimaryKey: true));
        }

        foreach (var rule in obj.Quality)
        {
            var named = ArgumentColumns(rule);
            if (CompileCheck(rule, named, diagnostics) is { } check)
            {
                checks.Add(check);
            }
        }

        return new DatasetSpec(address, contract.Id, obj.Name, columns, rules.ToImmutable(), checks.ToImmutable());
    }

    private static IEnumerable<RowRule> OptionRules(SchemaProperty property, DataType type, DiagnosticBag diagnostics)
    {
        var options = property.LogicalTypeOptions;
        string? Bound(string name)
        {
            if (!options.TryGetValue(name, out var value))
            {
                return null;
            }

            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            if (type.IsNumeric && !decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                diagnostics.Report(Rules.UnknownType, property.Location, $"'{name}: {text}' of column '{property.Name}' is not a number; the bound is not enforced.");
                return null;
            }

            return text;
        }

        if (Bound("minimum") is { } min)
        {
            yield return new MinValue(property.Name, min, Exclusive: false);
        }

        if (Bound("exclusiveMinimum") is { } xmin)
        {
            yield return new MinValue(property.Name, xmin, Exclusive: true);
        }

        if (Bound("maximum") is { } max)
        {
            yield return new MaxValue(property.Name, max, Exclusive: false);
        }

        if (Bound("exclusiveMaximum") is { } xmax)
        {
            yield return new MaxValue(property.Name, xmax, Exclusive: true);
        }

        if (type.IsNumeric && Bound("multipleOf") is { } multiple)
        {
            yield return new MultipleOf(property.Name, multiple);
        }

        if (options.TryGetValue("minLength", out var minLength) && minLength.TryGetInt32(out var minLen))
        {
            yield return new MinLength(property.Name, minLen);
        }

        if (options.TryGetValue("maxLength", out var maxLength) && maxLength.TryGetInt32(out var maxLen))
        {
            yield return new MaxLength(property.Name, maxLen);
        }

        if (options.TryGetValue("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            yield return new Pattern(property.Name, pattern.GetString()!);
        }

        // For dates and timestamps 'format' describes how the text is written, not a check.
        if (type.Kind == DataKind.String && options.TryGetValue("format", out var format) && format.ValueKind == JsonValueKind.String)
        {
            yield return new Format(property.Name, format.GetString()!);
        }
    }

    /// <summary>
    /// An <c>invalidValues</c> rule with <c>validValues</c> that tolerates no invalid value is also enforced on
    /// write: such rows are quarantined rather than published.
    /// </summary>
    private static AllowedValues? AllowedValuesRule(string column, QualityCheck check) =>
        check is { Metric: QualityMetric.InvalidValues, Values.IsEmpty: false, Percent: false, Threshold: { Operator: "mustBe" } t } && t.Operands[0] == 0
            ? new AllowedValues(column, check.Values)
            : null;

    private static QualityCheck? CompileCheck(QualityRule rule, ImmutableArray<string> columns, DiagnosticBag diagnostics)
    {
        var metric = rule.Type switch
        {
            "sql" => QualityMetric.Sql,
            "library" => rule.Metric switch
            {
                "rowCount" => QualityMetric.RowCount,
                "nullValues" => QualityMetric.NullValues,
                "missingValues" => QualityMetric.MissingValues,
                "invalidValues" => QualityMetric.InvalidValues,
                "duplicateValues" => QualityMetric.DuplicateValues,
                _ => (QualityMetric?)null,
            },
            _ => null, // text and custom rules describe; they are not run
        };
        if (metric is null)
        {
            return null;
        }

        if (metric is QualityMetric.NullValues or QualityMetric.MissingValues or QualityMetric.InvalidValues or QualityMetric.DuplicateValues && columns.IsEmpty)
        {
            diagnostics.Report(Rules.UnknownColumn, rule.Location, $"Quality rule '{rule.Metric}' names no column (arguments.properties); it is not run.");
            return null;
        }

        var threshold = CompileThreshold(rule, metric.Value, diagnostics);
        if (threshold is null)
        {
            return null;
        }

        var values = metric switch
        {
            QualityMetric.MissingValues => ArgumentValues(rule, "missingValues"),
            QualityMetric.InvalidValues => ArgumentValues(rule, "validValues"),
            _ => [],
        };
        var severity = rule.Severity?.ToLowerInvariant() switch
        {
            "warning" or "warn" => Severity.Warning,
            "info" => Severity.Info,
            _ => Severity.Error,
        };
        var name = rule.Name ?? (metric == QualityMetric.Sql ? rule.Description ?? "sql" : $"{rule.Metric}{(columns.IsEmpty ? string.Empty : " " + string.Join(",", columns))}");
        return new QualityCheck(name, metric.Value, metric is QualityMetric.RowCount ? [] : columns, values,
            rule.Query, threshold, rule.Unit == "percent", severity, rule.Location);
    }

    private static Threshold? CompileThreshold(QualityRule rule, QualityMetric metric, DiagnosticBag diagnostics)
    {
        if (rule.Threshold is not { } t)
        {
            // No operator: no rows may fail (a non-empty dataset for rowCount).
            return metric == QualityMetric.RowCount ? new Threshold("mustBeGreaterThan", [0]) : new Threshold("mustBe", [0]);
        }

        var operands = t.Value.ValueKind == JsonValueKind.Array ? t.Value.EnumerateArray().ToList() : [t.Value];
        var numbers = new List<decimal>();
        foreach (var operand in operands)
        {
            if (operand.ValueKind != JsonValueKind.Number || !operand.TryGetDecimal(out var number))
            {
                diagnostics.Report(Rules.UnknownType, rule.Location, $"Quality rule operand '{operand.GetRawText()}' of {t.Operator} is not a number; the rule is not run.");
                return null;
            }

            numbers.Add(number);
        }

        if (numbers.Count != (t.Operator is "mustBeBetween" or "mustNotBeBetween" ? 2 : 1) || !Operators.Contains(t.Operator))
        {
            diagnostics.Report(Rules.UnknownType, rule.Location, $"Quality rule {t.Operator} has {numbers.Count} operand(s); the rule is not run.");
            return null;
        }

        return new Threshold(t.Operator, [.. numbers]);
    }

    private static ImmutableArray<string> ArgumentColumns(QualityRule rule) =>
        [.. ColumnArguments
            .Where(rule.Arguments.ContainsKey)
            .SelectMany(a => rule.Arguments[a] is { ValueKind: JsonValueKind.Array } list
                ? list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)
                : rule.Arguments[a].ValueKind == JsonValueKind.String ? [rule.Arguments[a].GetString()!] : [])];

    /// <summary>Listed values as text; JSON null stays null (written as the empty marker by engines).</summary>
    private static ImmutableArray<string> ArgumentValues(QualityRule rule, string name) =>
        rule.Arguments.TryGetValue(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(v => v.ValueKind switch
            {
                JsonValueKind.Null => NullMarker,
                JsonValueKind.String => v.GetString()!,
                _ => v.GetRawText(),
            })]
            : [];

    /// <summary>How a JSON null in a values list is carried in the IR (a string no real value equals).</summary>
    public const string NullMarker = "\u0000null";
}
