namespace Meshwork.Model;

/// <summary>
/// Who a row is about (DESIGN.md §6, privacy): the columns of a schema object tagged <c>subject-key</c>, and those its
/// <c>meshwork.subjectKey</c> custom property names. Erasure finds a subject by them, objections and the suppression
/// list filter by them, and lint checks the consent dataset has one: read here, one way.
/// </summary>
public static class SubjectKeys
{
    /// <summary>The tag that marks a column identifying a data subject.</summary>
    public const string Tag = "subject-key";

    /// <summary>The object-level custom property naming subject columns (one name, or several comma-separated).</summary>
    public const string Property = "meshwork.subjectKey";

    /// <summary>The names of the object's subject columns, each once: those its property names, then the tagged ones.</summary>
    public static IReadOnlyList<string> Of(SchemaObject schemaObject)
    {
        ArgumentNullException.ThrowIfNull(schemaObject);
        var named = schemaObject.CustomProperties.Where(p => p.Property == Property).Select(p => p.StringValue).OfType<string>()
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var tagged = schemaObject.Properties.Where(p => p.Tags.Contains(Tag, StringComparer.OrdinalIgnoreCase)).Select(p => p.Name);
        return [.. named.Concat(tagged).Distinct(StringComparer.Ordinal)];
    }
}
