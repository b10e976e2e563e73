using System.Collections.Immutable;
using System.Globalization;

namespace Meshwork.Platform.Planning;

/// <summary>One difference between the schema consumers rely on and the new one.</summary>
public sealed record SchemaChange(string Column, string Description, bool Breaking)
{
    public override string ToString() => $"{(Breaking ? "breaking" : "compatible")}: {Description}";
}

/// <summary>
/// Classifies schema changes from a consumer's side: a change is compatible when every row valid under the
/// old schema is still valid and readable the same way (column added as optional, constraint relaxed, type
/// widened); anything else breaks consumers (column removed or renamed, type narrowed, optional → required,
/// constraint tightened).
/// </summary>
public static class SchemaDiff
{
    // Type widenings a reader of the old type survives.
    private static readonly HashSet<(string From, string To)> Widenings =
    [
        ("int32", "int64"), ("int32", "double"), ("int64", "double"), ("date", "timestamp"), ("timestamp", "timestamptz"),
    ];

    public static ImmutableArray<SchemaChange> Compare(DatasetSchema before, DatasetSchema after)
    {
        var changes = ImmutableArray.CreateBuilder<SchemaChange>();
        var old = before.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var now = after.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);

        foreach (var column in before.Columns.Where(c => !now.ContainsKey(c.Name)))
        {
            var renamed = after.Columns.FirstOrDefault(c => !old.ContainsKey(c.Name) && c.Type == column.Type);
            changes.Add(new SchemaChange(column.Name,
                renamed is null ? $"column '{column.Name}' removed" : $"column '{column.Name}' removed (renamed to '{renamed.Name}'?)", Breaking: true));
        }

        foreach (var column in after.Columns.Where(c => !old.ContainsKey(c.Name)))
        {
            changes.Add(column.Required
                ? new SchemaChange(column.Name, $"column '{column.Name}' added as required", Breaking: true)
                : new SchemaChange(column.Name, $"column '{column.Name}' added as optional", Breaking: false));
        }

        foreach (var column in after.Columns.Where(c => old.ContainsKey(c.Name)))
        {
            changes.AddRange(CompareColumn(old[column.Name], column));
        }

        return changes.ToImmutable();
    }

    private static IEnumerable<SchemaChange> CompareColumn(SchemaColumn before, SchemaColumn after)
    {
        var name = after.Name;
        if (before.Type != after.Type)
        {
            var widened = Widenings.Contains((before.Type, after.Type)) || DecimalWidened(before.Type, after.Type);
            yield return new SchemaChange(name, $"column '{name}' type {before.Type} → {after.Type} ({(widened ? "widened" : "narrowed or changed")})", !widened);
        }

        if (before.Required != after.Required)
        {
            yield return after.Required
                ? new SchemaChange(name, $"column '{name}' optional → required", Breaking: true)
                : new SchemaChange(name, $"column '{name}' required → optional", Breaking: false);
        }

        if (before.Unique != after.Unique)
        {
            yield return new SchemaChange(name, $"column '{name}' {(after.Unique ? "made unique" : "no longer unique")}", after.Unique);
        }

        if (before.PrimaryKey != after.PrimaryKey)
        {
            yield return new SchemaChange(name, $"column '{name}' {(after.PrimaryKey ? "added to" : "removed from")} the primary key", Breaking: true);
        }

        foreach (var key in before.Constraints.Keys.Union(after.Constraints.Keys).Order(StringComparer.Ordinal))
        {
            var had = before.Constraints.TryGetValue(key, out var was);
            var has = after.Constraints.TryGetValue(key, out var now);
            if (had && has && was == now)
            {
                continue;
            }

            if (!has)
            {
                yield return new SchemaChange(name, $"column '{name}' constraint {key} removed", Breaking: false);
            }
            else if (!had)
            {
                yield return new SchemaChange(name, $"column '{name}' constraint {key} {Show(key, now!)} added", Breaking: true);
            }
            else
            {
                var relaxed = Relaxed(key, was!, now!);
                yield return new SchemaChange(name, $"column '{name}' constraint {key} {Show(key, was!)} → {Show(key, now!)} ({(relaxed ? "relaxed" : "tightened")})", !relaxed);
            }
        }
    }

    /// <summary>Whether changing a constraint's operand from <paramref name="was"/> to <paramref name="now"/> accepts every value it accepted before.</summary>
    private static bool Relaxed(string constraint, string was, string now) => constraint switch
    {
        "minimum" or "exclusive_minimum" or "min_length" => Compare(now, was) <= 0,
        "maximum" or "exclusive_maximum" or "max_length" => Compare(now, was) >= 0,
        "allowed_values" => was.Split('\u001f').ToHashSet(StringComparer.Ordinal).IsSubsetOf(now.Split('\u001f')),
        _ => false, // a different pattern, format or multipleOf may refuse values the old one accepted
    };

    /// <summary>Numbers compare as numbers; anything else (ISO dates and times) as text, which orders them correctly.</summary>
    private static int Compare(string a, string b) =>
        decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);

    private static bool DecimalWidened(string from, string to)
    {
        static (int P, int S)? Parse(string type) =>
            type.StartsWith("decimal(", StringComparison.Ordinal) && type.TrimEnd(')')[8..].Split(',') is [var p, var s]
                ? (int.Parse(p, CultureInfo.InvariantCulture), int.Parse(s, CultureInfo.InvariantCulture))
                : null;

        return Parse(from) is { } f && Parse(to) is { } t && t.S >= f.S && t.P - t.S >= f.P - f.S;
    }

    private static string Show(string constraint, string value) =>
        constraint == "allowed_values" ? "[" + value.Replace('\u001f', ',') + "]" : value;
}
