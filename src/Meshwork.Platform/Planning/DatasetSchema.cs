using System.Collections.Immutable;
using Meshwork.Engines.Ir;
using UniqueKey = Meshwork.Engines.Ir.UniqueKey;

namespace Meshwork.Platform.Planning;

/// <summary>
/// What consumers of a dataset rely on: its columns, their types, and the constraints rows are guaranteed to
/// satisfy. Stored with every applied dataset, so the next plan can tell compatible changes from breaking ones.
/// </summary>
public sealed record DatasetSchema(ImmutableArray<SchemaColumn> Columns)
{
    public static DatasetSchema From(DatasetSpec spec)
    {
        var keys = spec.Rules.OfType<UniqueKey>().ToList();
        return new DatasetSchema([.. spec.Columns.Select(c => new SchemaColumn(
            c.Name,
            c.Type.ToString(),
            c.Required,
            keys.Any(k => !k.PrimaryKey && k.Columns is [var only] && only == c.Name),
            keys.Any(k => k.PrimaryKey && k.Columns.Contains(c.Name)),
            Constraints(spec.Rules.Where(r => r is not (Castable or Required or UniqueKey) && r.Column == c.Name))))]);
    }

    private static ImmutableSortedDictionary<string, string> Constraints(IEnumerable<RowRule> rules) =>
        rules.ToImmutableSortedDictionary(r => r.Reason, r => r switch
        {
            MinValue min => min.Value,
            MaxValue max => max.Value,
            MultipleOf multiple => multiple.Value,
            MinLength min => min.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            MaxLength max => max.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Pattern pattern => pattern.Regex,
            Format format => format.Name,
            AllowedValues allowed => string.Join('\u001f', allowed.Values.Order(StringComparer.Ordinal)),
            _ => string.Empty,
        }, StringComparer.Ordinal);
}

/// <summary>A column as consumers see it. <see cref="Constraints"/> maps a row rule's reason code to its operand.</summary>
public sealed record SchemaColumn(
    string Name,
    string Type,
    bool Required,
    bool Unique,
    bool PrimaryKey,
    ImmutableSortedDictionary<string, string> Constraints)
{
    public bool Equals(SchemaColumn? other) =>
        other is not null && Name == other.Name && Type == other.Type && Required == other.Required && Unique == other.Unique
        && PrimaryKey == other.PrimaryKey && Constraints.Count == other.Constraints.Count && Constraints.All(c => other.Constraints.TryGetValue(c.Key, out var v) && v == c.Value);

    public override int GetHashCode() => HashCode.Combine(Name, Type, Required, Unique, PrimaryKey, Constraints.Count);
}
