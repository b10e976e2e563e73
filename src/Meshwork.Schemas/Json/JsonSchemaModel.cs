using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meshwork.Schemas.Json;

/// <summary>
/// A JSON Schema (sub)schema as the checker sees it: one node per kind of schema, the way the Java library
/// behind Confluent's checker (everit) models them, so that the comparison can follow Confluent's rules.
/// </summary>
internal abstract class SchemaNode
{
    /// <summary>The source's text, minified: equal subschemas (e.g. in <c>anyOf</c>) count once.</summary>
    public string Key { get; set; } = string.Empty;

    public string? Id { get; set; }

    public string? Title { get; set; }

    public string? Description { get; set; }

    /// <summary>The <c>default</c> value's text, if any.</summary>
    public string? Default { get; set; }

    public bool HasDefault => Default is not null;
}

/// <summary><c>true</c>, <c>{}</c> or a schema with annotations only: anything is valid.</summary>
internal sealed class EmptyNode : SchemaNode;

/// <summary><c>false</c>: nothing is valid.</summary>
internal sealed class FalseNode : SchemaNode;

internal sealed class BooleanNode : SchemaNode;

internal sealed class NullNode : SchemaNode;

internal sealed class StringNode : SchemaNode
{
    public long? MinLength { get; set; }

    public long? MaxLength { get; set; }

    public string? Pattern { get; set; }
}

/// <summary><c>number</c>, or <c>integer</c> when <see cref="RequiresInteger"/>.</summary>
internal sealed class NumberNode : SchemaNode
{
    public bool RequiresInteger { get; set; }

    public double? Minimum { get; set; }

    public double? Maximum { get; set; }

    public double? ExclusiveMinimum { get; set; }

    public double? ExclusiveMaximum { get; set; }

    /// <summary>The <c>multipleOf</c> value as written, compared exactly.</summary>
    public decimal? MultipleOf { get; set; }
}

internal sealed class ObjectNode : SchemaNode
{
    public List<KeyValuePair<string, SchemaNode>> Properties { get; } = [];

    public Dictionary<string, SchemaNode> PropertyMap { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Required { get; } = new(StringComparer.Ordinal);

    /// <summary>False for <c>additionalProperties: false</c>.</summary>
    public bool PermitsAdditionalProperties { get; set; } = true;

    /// <summary>The schema of <c>additionalProperties</c> when it is one (not a boolean).</summary>
    public SchemaNode? AdditionalProperties { get; set; }

    public List<(string Pattern, Regex Regex, SchemaNode Schema)> PatternProperties { get; } = [];

    public SchemaNode? UnevaluatedProperties { get; set; }

    public long? MinProperties { get; set; }

    public long? MaxProperties { get; set; }

    /// <summary><c>dependencies</c> (array form) and <c>dependentRequired</c>.</summary>
    public Dictionary<string, HashSet<string>> PropertyDependencies { get; } = new(StringComparer.Ordinal);

    /// <summary><c>dependencies</c> (schema form) and <c>dependentSchemas</c>.</summary>
    public Dictionary<string, SchemaNode> SchemaDependencies { get; } = new(StringComparer.Ordinal);
}

internal sealed class ArrayNode : SchemaNode
{
    /// <summary><c>items</c> as one schema for every item.</summary>
    public SchemaNode? AllItems { get; set; }

    /// <summary>Positional item schemas: <c>items</c> as an array (up to draft 2019-09) or <c>prefixItems</c> (2020-12).</summary>
    public List<SchemaNode>? ItemSchemas { get; set; }

    /// <summary>The keyword holding <see cref="ItemSchemas"/>.</summary>
    public string ItemSchemasKeyword { get; set; } = "items";

    /// <summary>False when items past <see cref="ItemSchemas"/> are forbidden.</summary>
    public bool PermitsAdditionalItems { get; set; } = true;

    /// <summary>The schema of items past <see cref="ItemSchemas"/>: <c>additionalItems</c>, or <c>items</c> beside <c>prefixItems</c>.</summary>
    public SchemaNode? AdditionalItems { get; set; }

    /// <summary>The keyword holding <see cref="AdditionalItems"/>.</summary>
    public string AdditionalItemsKeyword { get; set; } = "additionalItems";

    public SchemaNode? UnevaluatedItems { get; set; }

    public long? MinItems { get; set; }

    public long? MaxItems { get; set; }

    public bool UniqueItems { get; set; }

    public long? MinContains { get; set; }

    public long? MaxContains { get; set; }
}

/// <summary><c>enum</c>: the values' minified texts, as a set.</summary>
internal sealed class EnumNode : SchemaNode
{
    public HashSet<string> Values { get; } = new(StringComparer.Ordinal);
}

internal sealed class ConstNode : SchemaNode
{
    public string Value { get; set; } = string.Empty;
}

internal enum Criterion
{
    AllOf,
    AnyOf,
    OneOf,
}

/// <summary>
/// <c>allOf</c>, <c>anyOf</c> or <c>oneOf</c>; also the implicit <c>allOf</c> of a schema object that combines
/// several kinds of keywords (a type and an <c>enum</c>, say), and the <c>anyOf</c> of a type array.
/// </summary>
internal sealed class CombinedNode : SchemaNode
{
    public Criterion Criterion { get; set; }

    /// <summary>
    /// Built by the loader rather than written: the <c>allOf</c> of a schema object's kinds of keywords, or the
    /// <c>anyOf</c> of a type array. Their subschemas are compared kind by kind rather than matched.
    /// </summary>
    public bool Synthetic { get; set; }

    public List<SchemaNode> Subschemas { get; } = [];

    public string Keyword => Criterion switch
    {
        Criterion.AllOf => "allOf",
        Criterion.AnyOf => "anyOf",
        _ => "oneOf",
    };
}

internal sealed class NotNode : SchemaNode
{
    public SchemaNode MustNotMatch { get; set; } = null!;
}

/// <summary>A <c>$ref</c>; <see cref="Referred"/> is set once every schema is loaded.</summary>
internal sealed class ReferenceNode : SchemaNode
{
    public string Reference { get; set; } = string.Empty;

    public SchemaNode? Referred { get; set; }
}

/// <summary>JSON helpers for the loader and the checker.</summary>
internal static class JsonText
{
    public static string Minify(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Appends a JSON-pointer token, escaping <c>~</c> and <c>/</c>.</summary>
    public static string Append(string pointer, string token) =>
        pointer + "/" + token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
