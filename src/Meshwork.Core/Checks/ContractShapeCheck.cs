using System.Text.Json;
using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// Inside one contract: a semantic version, unique object and column names, columns named by quality rules,
/// relationships and <c>meshwork.*</c> properties exist, primary keys are required.
/// </summary>
internal sealed class ContractShapeCheck : IMeshCheck
{
    // Quality rule arguments that name columns of the object they are attached to.
    private static readonly string[] ColumnArguments = ["property", "properties", "column", "columns"];

    // meshwork.* custom properties of a schema object whose value names one of its columns.
    private static readonly string[] ColumnProperties = ["meshwork.subjectKey", "meshwork.eventTime", "meshwork.partitionBy"];

    public CheckScope Scope => CheckScope.Document;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        foreach (var contract in mesh.Contracts)
        {
            if (contract.Version.Length > 0 && !Versions.IsSemver(contract.Version))
            {
                diagnostics.Report(Rules.VersionNotSemver, contract.VersionLocation,
                    $"Contract '{contract.Id}' has version '{contract.Version}', which is not a semantic version (MAJOR.MINOR.PATCH).");
            }

            foreach (var duplicate in contract.Schema.GroupBy(o => o.Name).Where(g => g.Key.Length > 0 && g.Count() > 1).SelectMany(g => g.Skip(1)))
            {
                diagnostics.Report(Rules.DuplicateColumn, duplicate.Location, $"Schema object '{duplicate.Name}' is declared twice in contract '{contract.Id}'.");
            }

            foreach (var obj in contract.Schema)
            {
                CheckObject(contract, obj, diagnostics);
            }

            CheckRetention(contract, diagnostics);
        }
    }

    /// <summary>
    /// A retention with <c>element</c> removes the rows older than it by that column (ODCS: <c>object.column</c>, or the
    /// column alone), so the column must exist and hold a date or a timestamp.
    /// </summary>
    private static void CheckRetention(Contract contract, DiagnosticBag diagnostics)
    {
        foreach (var sla in contract.Sla.Where(s => s.Property == "retention" && s.Element is not null))
        {
            foreach (var element in sla.Element!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var dot = element.IndexOf('.', StringComparison.Ordinal);
                var candidates = (dot > 0 ? contract.Schema.Where(o => o.Name == element[..dot]) : contract.Schema)
                    .SelectMany(o => ModelWalk.AllProperties(o.Properties))
                    .Where(p => p.Path == (dot > 0 ? element[(dot + 1)..] : element))
                    .ToList();
                if (candidates.Count == 0)
                {
                    diagnostics.Report(Rules.RetentionColumn, sla.Location, $"The retention's element '{element}' names no column of contract '{contract.Id}'.",
                        Suggestions.Hint(element, contract.Schema.SelectMany(o => ModelWalk.AllProperties(o.Properties).Select(p => $"{o.Name}.{p.Path}"))));
                }
                else if (!candidates.Any(c => c.Property.LogicalType is "date" or "timestamp"))
                {
                    diagnostics.Report(Rules.RetentionColumn, sla.Location,
                        $"The retention's element '{element}' is {(candidates[0].Property.LogicalType is { } type ? $"a {type}" : "a column without a logicalType")}, not a date or timestamp: the rows' age cannot be measured by it.");
                }
            }
        }
    }

    private static void CheckObject(Contract contract, SchemaObject obj, DiagnosticBag diagnostics)
    {
        CheckDuplicates(obj.Name, obj.Properties, diagnostics);
        var columns = ModelWalk.AllProperties(obj.Properties).Select(p => p.Path).ToHashSet(StringComparer.Ordinal);

        foreach (var rule in obj.Quality)
        {
            foreach (var name in ColumnArguments.SelectMany(a => rule.Arguments.TryGetValue(a, out var value) ? Names(value) : []))
            {
                if (!columns.Contains(name))
                {
                    diagnostics.Report(Rules.UnknownColumn, rule.Location,
                        $"Quality rule{Label(rule)} names column '{name}', which object '{obj.Name}' does not have.", Suggestions.Hint(name, columns));
                }
            }
        }

        foreach (var property in obj.CustomProperties.Where(p => ColumnProperties.Contains(p.Property)))
        {
            foreach (var name in Names(property.Value).Where(n => !columns.Contains(n)))
            {
                diagnostics.Report(Rules.UnknownColumn, property.Location, $"{property.Property} names column '{name}', which object '{obj.Name}' does not have.",
                    Suggestions.Hint(name, columns));
            }
        }

        foreach (var relationship in obj.Relationships)
        {
            CheckReferences(contract, relationship.From, relationship, "from", local: true, diagnostics);
            CheckReferences(contract, relationship.To, relationship, "to", local: false, diagnostics);
        }

        foreach (var (path, property) in ModelWalk.AllProperties(obj.Properties))
        {
            foreach (var relationship in property.Relationships)
            {
                CheckReferences(contract, relationship.To, relationship, "to", local: false, diagnostics);
            }

            if (property.PrimaryKey && !property.Required)
            {
                diagnostics.Report(Rules.PrimaryKeyNullable, property.Location, $"Column '{obj.Name}.{path}' is a primary key but not required.");
            }
        }
    }

    private static void CheckDuplicates(string owner, IEnumerable<SchemaProperty> properties, DiagnosticBag diagnostics)
    {
        var list = properties.ToList();
        foreach (var duplicate in list.GroupBy(p => p.Name).Where(g => g.Key.Length > 0 && g.Count() > 1).SelectMany(g => g.Skip(1)))
        {
            diagnostics.Report(Rules.DuplicateColumn, duplicate.Location, $"Column '{duplicate.Name}' is declared twice in '{owner}'.");
        }

        foreach (var property in list)
        {
            CheckDuplicates(owner + "." + property.Name, property.Properties, diagnostics);
            if (property.Items is { } items)
            {
                CheckDuplicates(owner + "." + property.Name, items.Properties, diagnostics);
            }
        }
    }

    /// <summary>
    /// Shorthand references (<c>object.column</c>) are resolved inside the contract. A <c>from</c> must be local;
    /// a <c>to</c> naming an object this contract does not have points elsewhere and is left alone.
    /// </summary>
    private static void CheckReferences(Contract contract, IEnumerable<string> references, Relationship relationship, string side, bool local, DiagnosticBag diagnostics)
    {
        foreach (var reference in references)
        {
            var dot = reference.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || reference.Contains('/', StringComparison.Ordinal) || reference.Contains('#', StringComparison.Ordinal))
            {
                continue; // fully qualified id references are not resolved here
            }

            var objectName = reference[..dot];
            var column = reference[(dot + 1)..];
            var target = contract.Schema.FirstOrDefault(o => o.Name == objectName);
            if (target is null)
            {
                if (local)
                {
                    diagnostics.Report(Rules.UnknownColumn, relationship.Location,
                        $"Relationship '{side}: {reference}' names object '{objectName}', which contract '{contract.Id}' does not have.");
                }

                continue;
            }

            var columns = ModelWalk.AllProperties(target.Properties).Select(p => p.Path).ToList();
            if (!columns.Contains(column))
            {
                diagnostics.Report(Rules.UnknownColumn, relationship.Location,
                    $"Relationship '{side}: {reference}' names column '{column}', which object '{objectName}' does not have.", Suggestions.Hint(column, columns));
            }
        }
    }

    private static IEnumerable<string> Names(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!),
        _ => [],
    };

    private static string Label(QualityRule rule) => rule.Name is { } name ? $" '{name}'" : rule.Metric is { } metric ? $" '{metric}'" : string.Empty;
}
