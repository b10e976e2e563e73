using System.Globalization;
using Meshwork.Engines;
using Meshwork.Engines.Ir;
using Meshwork.Model;
using Meshwork.Platform.Planning;
using Meshwork.Platform.Quality;

namespace Meshwork.Platform.Privacy;

/// <summary>
/// What privacy asks of one dataset, read from its output contract: the columns that identify a data subject
/// (<see cref="Model.SubjectKeys"/>) and its retention (an SLA <c>retention</c>
/// whose <c>element</c> names the date or timestamp column that dates a row, or no element: whole snapshots).
/// </summary>
public sealed record DatasetPrivacy(DatasetSpec Spec, IReadOnlyList<ColumnSpec> SubjectKeys, TimeSpan? Retention, ColumnSpec? RetentionColumn)
{
    /// <summary>Whether any output contract of a product declares a retention (its grain then applies it daily).</summary>
    public static bool HasRetention(Mesh mesh, DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        ArgumentNullException.ThrowIfNull(product);
        return product.OutputPorts.Select(p => p.ContractId).OfType<string>().Select(mesh.FindContract).OfType<Contract>()
            .Any(c => c.Sla.Any(s => string.Equals(s.Property, "retention", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>What privacy asks of every dataset the mesh's products publish, by address.</summary>
    public static IReadOnlyDictionary<string, DatasetPrivacy> Index(Mesh mesh)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        var index = new Dictionary<string, DatasetPrivacy>(StringComparer.Ordinal);
        foreach (var (contract, spec) in PublishedDatasets.Of(mesh))
        {
            index[spec.Address] = Of(contract, spec);
        }

        return index;
    }

    public static IReadOnlyList<DatasetPrivacy> Of(DesiredPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return [.. port.Datasets.Select(spec => Of(port.Contract, spec))];
    }

    public static DatasetPrivacy Of(Contract contract, DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(spec);
        var schemaObject = contract.Schema.FirstOrDefault(o => o.Name == spec.ObjectName);
        var keys = (schemaObject is null ? [] : Model.SubjectKeys.Of(schemaObject))
            .Select(name => spec.Columns.FirstOrDefault(c => c.Name == name)).OfType<ColumnSpec>().ToList();

        TimeSpan? retention = null;
        ColumnSpec? column = null;
        foreach (var sla in contract.Sla.Where(s => string.Equals(s.Property, "retention", StringComparison.OrdinalIgnoreCase)))
        {
            if (Slo.Duration(sla.Value, sla.Unit) is not { } limit)
            {
                continue;
            }

            if (sla.Element is null)
            {
                retention ??= limit;
                continue;
            }

            // ODCS names the element object.column, or the column alone; the first that dates this object's rows applies.
            foreach (var element in sla.Element.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var dot = element.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && element[..dot] != spec.ObjectName)
                {
                    continue;
                }

                if (spec.Columns.FirstOrDefault(c => c.Name == element[(dot + 1)..] && c.Type.Kind is DataKind.Date or DataKind.Timestamp or DataKind.TimestampTz) is { } dated
                    && column is null)
                {
                    (retention, column) = (limit, dated);
                }
            }
        }

        return new DatasetPrivacy(spec, keys, retention, column);
    }

    /// <summary>The rows older than the retention at <paramref name="now"/> by its column; null without a retention column.</summary>
    public FilterExpr? Expired(DateTimeOffset now)
    {
        if (Retention is not { } retention || RetentionColumn is not { } column)
        {
            return null;
        }

        var cutoff = now - retention;
        object bound = column.Type.Kind switch
        {
            DataKind.Date => DateOnly.FromDateTime(cutoff.UtcDateTime),
            DataKind.Timestamp => DateTime.SpecifyKind(cutoff.UtcDateTime, DateTimeKind.Unspecified),
            _ => cutoff,
        };
        return new FilterBinary(FilterOperator.Less, new FilterColumn(column.Name), new FilterConstant(bound));
    }

    /// <summary>The rows of a subject given in clear, in any subject-key column; null when no column can hold it.</summary>
    public FilterExpr? OfSubject(string subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        // Compared in the column's own type, so the engine can skip files and row groups by their statistics.
        var tests = SubjectKeys.Select(c => Constant(c.Type, subject) is { } value ? new FilterBinary(FilterOperator.Equal, new FilterColumn(c.Name), value) : null)
            .OfType<FilterExpr>().ToList();
        return Any(tests);
    }

    /// <summary>The rows of any of the subjects given by keyed hash, in any subject-key column; null without such columns or hashes.</summary>
    public FilterExpr? OfSuppressed(IReadOnlyList<string> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count == 0)
        {
            return null;
        }

        var items = hashes.Select(h => (FilterExpr)new FilterConstant(h)).ToList();
        return Any([.. SubjectKeys.Select(c => (FilterExpr)new FilterIn(new FilterKeyedHash(new FilterColumn(c.Name)), items))]);
    }

    /// <summary>
    /// The rows of none of the given subjects (in clear) in any subject-key column, rows whose key is null included: what a
    /// reader sees when those subjects objected to the read's purpose. Null when there is nothing to hide.
    /// </summary>
    public FilterExpr? Without(IReadOnlyCollection<string> subjects)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        FilterExpr? kept = null;
        foreach (var column in SubjectKeys)
        {
            var items = subjects.Select(s => Constant(column.Type, s)).OfType<FilterExpr>().ToList();
            if (items.Count == 0)
            {
                continue;
            }

            var name = new FilterColumn(column.Name);
            FilterExpr keeps = new FilterBinary(FilterOperator.Or, new FilterBinary(FilterOperator.Equal, name, new FilterConstant(null)), new FilterNot(new FilterIn(name, items)));
            kept = kept is null ? keeps : new FilterBinary(FilterOperator.And, kept, keeps);
        }

        return kept;
    }

    /// <summary>Rows any of the conditions matches; null for none.</summary>
    public static FilterExpr? Any(IReadOnlyList<FilterExpr?> conditions)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        FilterExpr? any = null;
        foreach (var condition in conditions.OfType<FilterExpr>())
        {
            any = any is null ? condition : new FilterBinary(FilterOperator.Or, any, condition);
        }

        return any;
    }

    /// <summary>A subject's text as a constant of the column's type; null when no value of that type can equal it.</summary>
    private static FilterConstant? Constant(DataType type, string subject) => type.Kind switch
    {
        DataKind.String => new FilterConstant(subject),
        DataKind.Int32 or DataKind.Int64 => long.TryParse(subject.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? new FilterConstant(number) : null,
        _ => null,
    };
}
