using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Meshwork.Schemas.Json;

/// <summary>
/// Reads a JSON Schema document (and the documents it references) into <see cref="SchemaNode"/>s, checking the
/// keywords the checker uses; every problem names its JSON pointer.
/// </summary>
/// <remarks>
/// Drafts 4 to 2020-12 are read alike: <c>items</c> as an array or <c>prefixItems</c> for tuples, <c>dependencies</c>
/// or <c>dependentRequired</c>/<c>dependentSchemas</c>, boolean or numeric <c>exclusiveMinimum</c>. A <c>$ref</c>
/// may point into the same document (<c>#/definitions/x</c>, <c>#/$defs/x</c>, an anchor) or at a reference by its
/// name (or its <c>$id</c>, or a URI relative to the root's <c>$id</c>), with an optional fragment.
/// </remarks>
internal sealed class JsonSchemaLoader
{
    private const string FormatType = "JSON";
    private static readonly string[] StringKeywords = ["minLength", "maxLength", "pattern"];
    private static readonly string[] NumberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
    private static readonly string[] ObjectKeywords =
        ["properties", "required", "additionalProperties", "patternProperties", "unevaluatedProperties", "minProperties", "maxProperties",
         "dependencies", "dependentRequired", "dependentSchemas", "propertyNames"];
    private static readonly string[] ArrayKeywords =
        ["items", "prefixItems", "additionalItems", "unevaluatedItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"];

    private readonly Dictionary<string, JsonElement> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Document, string Pointer), SchemaNode> _loaded = [];
    private readonly Queue<(ReferenceNode Node, string Document, string Pointer)> _pending = new();
    private readonly List<(ReferenceNode Node, string Document, string Pointer)> _references = [];

    /// <param name="main">The schema's root.</param>
    /// <param name="references">The referenced documents' roots by reference name.</param>
    public JsonSchemaLoader(JsonElement main, IReadOnlyList<(string Name, JsonElement Root)> references)
    {
        _documents[string.Empty] = main;
        RegisterId(string.Empty, main);
        foreach (var (name, root) in references)
        {
            _documents[name] = root;
            RegisterId(name, root);
        }
    }

    public SchemaNode Load()
    {
        var root = Load(string.Empty, _documents[string.Empty], string.Empty);
        while (_pending.TryDequeue(out var reference))
        {
            reference.Node.Referred = Resolve(reference.Node.Reference, reference.Document, reference.Pointer);
            _references.Add(reference);
        }

        // A $ref that only leads to other $refs in a circle describes no schema at all.
        foreach (var (node, document, pointer) in _references)
        {
            var seen = new HashSet<SchemaNode>(ReferenceEqualityComparer.Instance);
            for (SchemaNode? at = node; at is ReferenceNode next; at = next.Referred)
            {
                if (!seen.Add(next))
                {
                    throw Error(document, pointer, $"'$ref' '{node.Reference}' only leads to other $refs in a circle");
                }
            }
        }

        return root;
    }

    private void RegisterId(string document, JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("$id", out var id) || root.TryGetProperty("id", out id)) && id.ValueKind == JsonValueKind.String)
        {
            var text = id.GetString()!.TrimEnd('#');
            if (text.Length > 0)
            {
                _ids.TryAdd(text, document);
            }
        }
    }

    private SchemaNode Load(string document, JsonElement element, string pointer)
    {
        if (_loaded.TryGetValue((document, pointer), out var known))
        {
            return known;
        }

        SchemaNode node = element.ValueKind switch
        {
            JsonValueKind.True => new EmptyNode { Key = "true" },
            JsonValueKind.False => new FalseNode { Key = "false" },
            JsonValueKind.Object => LoadObject(document, element, pointer),
            _ => throw Error(document, pointer, $"a schema must be an object or a boolean, not {Describe(element)}"),
        };
        _loaded[(document, pointer)] = node;
        return node;
    }

    private SchemaNode LoadObject(string document, JsonElement schema, string pointer)
    {
        var key = JsonText.Minify(schema);
        var facets = new List<(string Name, SchemaNode Node)>();

        if (schema.TryGetProperty("$ref", out var reference))
        {
            if (reference.ValueKind != JsonValueKind.String)
            {
                throw Error(document, JsonText.Append(pointer, "$ref"), $"'$ref' must be a string, not {Describe(reference)}");
            }

            var node = new ReferenceNode { Reference = reference.GetString()! };
            _pending.Enqueue((node, document, JsonText.Append(pointer, "$ref")));
            facets.Add(("$ref", node));
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = TypeNames(document, type, JsonText.Append(pointer, "type"));
            if (types.Count == 1)
            {
                facets.Add(("type", Typed(types[0], requiresType: true, document, schema, pointer)));
            }
            else
            {
                // A type array is a union of one schema per type, each with the keywords of its type.
                var union = new CombinedNode { Criterion = Criterion.AnyOf, Key = key + "|type", Synthetic = true };
                foreach (var name in types)
                {
                    var typed = Typed(name, requiresType: true, document, schema, pointer);
                    typed.Key = key + "|type:" + name;
                    union.Subschemas.Add(typed);
                }

                facets.Add(("type", union));
            }
        }
        else
        {
            // Without a type, each kind's keywords constrain only values of that kind.
            AddImplicit("string", StringKeywords);
            AddImplicit("number", NumberKeywords);
            AddImplicit("object", ObjectKeywords);
            AddImplicit("array", ArrayKeywords);
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array)
            {
                throw Error(document, JsonText.Append(pointer, "enum"), $"'enum' must be an array, not {Describe(values)}");
            }

            var node = new EnumNode();
            foreach (var item in values.EnumerateArray())
            {
                node.Values.Add(JsonText.Minify(item));
            }

            facets.Add(("enum", node));
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            facets.Add(("const", new ConstNode { Value = JsonText.Minify(constant) }));
        }

        foreach (var (keyword, criterion) in new[] { ("allOf", Criterion.AllOf), ("anyOf", Criterion.AnyOf), ("oneOf", Criterion.OneOf) })
        {
            if (schema.TryGetProperty(keyword, out var subschemas))
            {
                var at = JsonText.Append(pointer, keyword);
                if (subschemas.ValueKind != JsonValueKind.Array || subschemas.GetArrayLength() == 0)
                {
                    throw Error(document, at, $"'{keyword}' must be a non-empty array of schemas");
                }

                var node = new CombinedNode { Criterion = criterion };
                var index = 0;
                foreach (var subschema in subschemas.EnumerateArray())
                {
                    node.Subschemas.Add(Load(document, subschema, JsonText.Append(at, index.ToString(CultureInfo.InvariantCulture))));
                    index++;
                }

                facets.Add((keyword, node));
            }
        }

        if (schema.TryGetProperty("not", out var not))
        {
            facets.Add(("not", new NotNode { MustNotMatch = Load(document, not, JsonText.Append(pointer, "not")) }));
        }

        SchemaNode result;
        if (facets.Count == 0)
        {
            result = new EmptyNode();
        }
        else if (facets.Count == 1)
        {
            result = facets[0].Node;
        }
        else
        {
            // Several kinds of keywords in one object must all hold: an implicit allOf, as everit builds it.
            var all = new CombinedNode { Criterion = Criterion.AllOf, Synthetic = true };
            foreach (var (name, node) in facets)
            {
                if (node.Key.Length == 0)
                {
                    node.Key = key + "|" + name;
                }

                all.Subschemas.Add(node);
            }

            result = all;
        }

        if (result.Key.Length == 0 || facets.Count == 1)
        {
            result.Key = key;
        }

        result.Id = Text(schema, "$id") ?? Text(schema, "id");
        result.Title = Text(schema, "title");
        result.Description = Text(schema, "description");
        result.Default = schema.TryGetProperty("default", out var value) ? JsonText.Minify(value) : null;
        return result;

        void AddImplicit(string name, string[] keywords)
        {
            if (keywords.Any(k => schema.TryGetProperty(k, out _)))
            {
                facets.Add((name, Typed(name, requiresType: false, document, schema, pointer)));
            }
        }
    }

    private static List<string> TypeNames(string document, JsonElement type, string pointer)
    {
        var names = new List<string>();
        if (type.ValueKind == JsonValueKind.String)
        {
            names.Add(TypeName(type.GetString()!, pointer));
        }
        else if (type.ValueKind == JsonValueKind.Array && type.GetArrayLength() > 0)
        {
            var index = 0;
            foreach (var item in type.EnumerateArray())
            {
                var at = JsonText.Append(pointer, index.ToString(CultureInfo.InvariantCulture));
                var name = item.ValueKind == JsonValueKind.String ? TypeName(item.GetString()!, at) : throw Error(document, at, $"a type name must be a string, not {Describe(item)}");
                if (!names.Contains(name))
                {
                    names.Add(name);
                }

                index++;
            }
        }
        else
        {
            throw Error(document, pointer, $"'type' must be a type name or a non-empty array of them, not {Describe(type)}");
        }

        return names;

        string TypeName(string name, string at) => name is "string" or "number" or "integer" or "boolean" or "null" or "object" or "array"
            ? name
            : throw Error(document, at, $"unknown type '{name}'; the types are string, number, integer, boolean, null, object and array");
    }

    private SchemaNode Typed(string type, bool requiresType, string document, JsonElement schema, string pointer) => type switch
    {
        "string" => new StringNode
        {
            MinLength = Count(document, schema, pointer, "minLength"),
            MaxLength = Count(document, schema, pointer, "maxLength"),
            Pattern = Pattern(document, schema, pointer),
        },
        "number" or "integer" => LoadNumber(type == "integer", document, schema, pointer),
        "boolean" => new BooleanNode(),
        "null" => new NullNode(),
        "object" => LoadObjectType(document, schema, pointer),
        "array" => LoadArray(document, schema, pointer),
        _ => throw new InvalidOperationException($"Unknown type {type} (requires type: {requiresType})."),
    };

    private static NumberNode LoadNumber(bool integer, string document, JsonElement schema, string pointer)
    {
        var node = new NumberNode
        {
            RequiresInteger = integer,
            Minimum = Number(document, schema, pointer, "minimum"),
            Maximum = Number(document, schema, pointer, "maximum"),
        };

        // Draft 4 says "exclusiveMinimum": true beside "minimum"; later drafts give the bound itself.
        if (schema.TryGetProperty("exclusiveMinimum", out var exclusiveMinimum) && exclusiveMinimum.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            if (exclusiveMinimum.ValueKind == JsonValueKind.True)
            {
                (node.ExclusiveMinimum, node.Minimum) = (node.Minimum, null);
            }
        }
        else
        {
            node.ExclusiveMinimum = Number(document, schema, pointer, "exclusiveMinimum");
        }

        if (schema.TryGetProperty("exclusiveMaximum", out var exclusiveMaximum) && exclusiveMaximum.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            if (exclusiveMaximum.ValueKind == JsonValueKind.True)
            {
                (node.ExclusiveMaximum, node.Maximum) = (node.Maximum, null);
            }
        }
        else
        {
            node.ExclusiveMaximum = Number(document, schema, pointer, "exclusiveMaximum");
        }

        if (schema.TryGetProperty("multipleOf", out var multipleOf))
        {
            var at = JsonText.Append(pointer, "multipleOf");
            node.MultipleOf = multipleOf.ValueKind == JsonValueKind.Number && multipleOf.TryGetDecimal(out var factor) && factor > 0
                ? factor
                : throw Error(document, at, $"'multipleOf' must be a number greater than 0, not {Describe(multipleOf)}");
        }

        return node;
    }

    private ObjectNode LoadObjectType(string document, JsonElement schema, string pointer)
    {
        var node = new ObjectNode
        {
            MinProperties = Count(document, schema, pointer, "minProperties"),
            MaxProperties = Count(document, schema, pointer, "maxProperties"),
        };

        if (schema.TryGetProperty("properties", out var properties))
        {
            var at = JsonText.Append(pointer, "properties");
            foreach (var property in Members(document, properties, at, "properties"))
            {
                var child = Load(document, property.Value, JsonText.Append(at, property.Name));
                if (node.PropertyMap.TryAdd(property.Name, child))
                {
                    node.Properties.Add(new(property.Name, child));
                }
            }
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in Strings(document, required, JsonText.Append(pointer, "required"), "required"))
            {
                node.Required.Add(name);
            }
        }

        if (schema.TryGetProperty("additionalProperties", out var additional))
        {
            switch (additional.ValueKind)
            {
                case JsonValueKind.False:
                    node.PermitsAdditionalProperties = false;
                    break;
                case JsonValueKind.True:
                    break;
                default:
                    node.AdditionalProperties = Load(document, additional, JsonText.Append(pointer, "additionalProperties"));
                    break;
            }
        }

        if (schema.TryGetProperty("patternProperties", out var patterns))
        {
            var at = JsonText.Append(pointer, "patternProperties");
            foreach (var property in Members(document, patterns, at, "patternProperties"))
            {
                var where = JsonText.Append(at, property.Name);
                node.PatternProperties.Add((property.Name, Regex(document, property.Name, where), Load(document, property.Value, where)));
            }
        }

        if (schema.TryGetProperty("unevaluatedProperties", out var unevaluated))
        {
            node.UnevaluatedProperties = Load(document, unevaluated, JsonText.Append(pointer, "unevaluatedProperties"));
        }

        if (schema.TryGetProperty("dependencies", out var dependencies))
        {
            var at = JsonText.Append(pointer, "dependencies");
            foreach (var dependency in Members(document, dependencies, at, "dependencies"))
            {
                var where = JsonText.Append(at, dependency.Name);
                if (dependency.Value.ValueKind == JsonValueKind.Array)
                {
                    node.PropertyDependencies[dependency.Name] = [.. Strings(document, dependency.Value, where, "dependencies")];
                }
                else
                {
                    node.SchemaDependencies[dependency.Name] = Load(document, dependency.Value, where);
                }
            }
        }

        if (schema.TryGetProperty("dependentRequired", out var dependentRequired))
        {
            var at = JsonText.Append(pointer, "dependentRequired");
            foreach (var dependency in Members(document, dependentRequired, at, "dependentRequired"))
            {
                node.PropertyDependencies[dependency.Name] = [.. Strings(document, dependency.Value, JsonText.Append(at, dependency.Name), "dependentRequired")];
            }
        }

        if (schema.TryGetProperty("dependentSchemas", out var dependentSchemas))
        {
            var at = JsonText.Append(pointer, "dependentSchemas");
            foreach (var dependency in Members(document, dependentSchemas, at, "dependentSchemas"))
            {
                node.SchemaDependencies[dependency.Name] = Load(document, dependency.Value, JsonText.Append(at, dependency.Name));
            }
        }

        return node;
    }

    private ArrayNode LoadArray(string document, JsonElement schema, string pointer)
    {
        var node = new ArrayNode
        {
            MinItems = Count(document, schema, pointer, "minItems"),
            MaxItems = Count(document, schema, pointer, "maxItems"),
            MinContains = Count(document, schema, pointer, "minContains"),
            MaxContains = Count(document, schema, pointer, "maxContains"),
        };

        if (schema.TryGetProperty("uniqueItems", out var unique))
        {
            node.UniqueItems = unique.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(document, JsonText.Append(pointer, "uniqueItems"), $"'uniqueItems' must be a boolean, not {Describe(unique)}"),
            };
        }

        schema.TryGetProperty("items", out var items);
        if (schema.TryGetProperty("prefixItems", out var prefixItems))
        {
            // Draft 2020-12: prefixItems are the positions, items the rest.
            node.ItemSchemas = Positional(prefixItems, "prefixItems");
            node.ItemSchemasKeyword = "prefixItems";
            node.AdditionalItemsKeyword = "items";
            AdditionalItems(items);
        }
        else if (items.ValueKind == JsonValueKind.Array)
        {
            node.ItemSchemas = Positional(items, "items");
            schema.TryGetProperty("additionalItems", out var additional);
            AdditionalItems(additional);
        }
        else if (items.ValueKind != JsonValueKind.Undefined)
        {
            node.AllItems = Load(document, items, JsonText.Append(pointer, "items"));
        }

        if (schema.TryGetProperty("unevaluatedItems", out var unevaluated))
        {
            node.UnevaluatedItems = Load(document, unevaluated, JsonText.Append(pointer, "unevaluatedItems"));
        }

        return node;

        List<SchemaNode> Positional(JsonElement array, string keyword)
        {
            var at = JsonText.Append(pointer, keyword);
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw Error(document, at, $"'{keyword}' must be an array of schemas, not {Describe(array)}");
            }

            var list = new List<SchemaNode>();
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                list.Add(Load(document, item, JsonText.Append(at, index.ToString(CultureInfo.InvariantCulture))));
                index++;
            }

            return list;
        }

        void AdditionalItems(JsonElement additional)
        {
            switch (additional.ValueKind)
            {
                case JsonValueKind.Undefined or JsonValueKind.True:
                    break;
                case JsonValueKind.False:
                    node.PermitsAdditionalItems = false;
                    break;
                default:
                    node.AdditionalItems = Load(document, additional, JsonText.Append(pointer, node.AdditionalItemsKeyword));
                    break;
            }
        }
    }

    private SchemaNode Resolve(string reference, string document, string pointer)
    {
        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var address = hash < 0 ? reference : reference[..hash];
        var fragment = hash < 0 ? string.Empty : Uri.UnescapeDataString(reference[(hash + 1)..]);
        var target = address.Length == 0 ? document : FindDocument(address, document)
            ?? throw Error(document, pointer, $"'$ref' '{reference}' names no schema: it is not a reference's name or $id"
                + (_documents.Count > 1 ? $" (the references are {string.Join(", ", _documents.Keys.Where(k => k.Length > 0).Select(k => "'" + k + "'"))})" : " (the schema has no references)"));

        var root = _documents[target];
        if (fragment.Length == 0 || fragment.StartsWith('/'))
        {
            var element = root;
            var at = string.Empty;
            foreach (var token in fragment.Length == 0 ? [] : fragment[1..].Split('/'))
            {
                var name = token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child))
                {
                    element = child;
                }
                else if (element.ValueKind == JsonValueKind.Array && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < element.GetArrayLength())
                {
                    element = element[index];
                }
                else
                {
                    throw Error(document, pointer, $"'$ref' '{reference}' points at nothing: {(target.Length == 0 ? "the schema" : $"reference '{target}'")} has no '{JsonText.Append(at, name)}'");
                }

                at = JsonText.Append(at, name);
            }

            return Load(target, element, at);
        }

        // A plain-name fragment is an anchor ($anchor, or a draft-6/7 "$id": "#name").
        return FindAnchor(target, root, string.Empty, fragment) is { } anchor
            ? Load(target, anchor.Element, anchor.Pointer)
            : throw Error(document, pointer, $"'$ref' '{reference}' points at nothing: no $anchor '{fragment}'");
    }

    private string? FindDocument(string address, string from)
    {
        if (_documents.ContainsKey(address) && address.Length > 0)
        {
            return address;
        }

        if (_ids.TryGetValue(address, out var byId))
        {
            return byId;
        }

        // Relative to the referring document's $id, as a URI.
        var root = _documents[from];
        if (root.ValueKind == JsonValueKind.Object && Text(root, "$id") is { } id && Uri.TryCreate(id, UriKind.Absolute, out var baseUri)
            && Uri.TryCreate(baseUri, address, out var absolute))
        {
            var full = absolute.ToString();
            if (_documents.ContainsKey(full))
            {
                return full;
            }

            if (_ids.TryGetValue(full, out var byFullId))
            {
                return byFullId;
            }
        }

        return null;
    }

    private static (JsonElement Element, string Pointer)? FindAnchor(string document, JsonElement element, string pointer, string anchor)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (Text(element, "$anchor") == anchor || Text(element, "$id") == "#" + anchor)
            {
                return (element, pointer);
            }

            foreach (var property in element.EnumerateObject())
            {
                if (property.Name is not ("enum" or "const" or "default" or "examples")
                    && FindAnchor(document, property.Value, JsonText.Append(pointer, property.Name), anchor) is { } found)
                {
                    return found;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (FindAnchor(document, item, JsonText.Append(pointer, index.ToString(CultureInfo.InvariantCulture)), anchor) is { } found)
                {
                    return found;
                }

                index++;
            }
        }

        return null;
    }

    private static string? Text(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Count(string document, JsonElement schema, string pointer, string keyword)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= 0 && Math.Floor(number) == number && number <= long.MaxValue
            ? (long)number
            : throw Error(document, JsonText.Append(pointer, keyword), $"'{keyword}' must be a non-negative integer, not {Describe(value)}");
    }

    private static double? Number(string document, JsonElement schema, string pointer, string keyword)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number)
            ? number
            : throw Error(document, JsonText.Append(pointer, keyword), $"'{keyword}' must be a number, not {Describe(value)}");
    }

    private static string? Pattern(string document, JsonElement schema, string pointer)
    {
        if (!schema.TryGetProperty("pattern", out var value))
        {
            return null;
        }

        var at = JsonText.Append(pointer, "pattern");
        var pattern = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(document, at, $"'pattern' must be a string, not {Describe(value)}");
        Regex(document, pattern, at);
        return pattern;
    }

    private static Regex Regex(string document, string pattern, string pointer)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw Error(document, pointer, $"'{pattern}' is not a valid regular expression: {e.Message}");
        }
    }

    private static JsonElement.ObjectEnumerator Members(string document, JsonElement value, string pointer, string keyword) =>
        value.ValueKind == JsonValueKind.Object ? value.EnumerateObject() : throw Error(document, pointer, $"'{keyword}' must be an object, not {Describe(value)}");

    private static List<string> Strings(string document, JsonElement value, string pointer, string keyword)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(document, pointer, $"'{keyword}' must be an array of property names, not {Describe(value)}");
        }

        var names = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            names.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Error(document, pointer, $"'{keyword}' must hold property names (strings), not {Describe(item)}"));
        }

        return names;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };

    internal static InvalidSchemaException Error(string document, string pointer, string reason) =>
        new(FormatType, Where(document, pointer), reason);

    internal static string Where(string document, string pointer) =>
        (pointer.Length == 0 ? "/" : pointer) + (document.Length == 0 ? string.Empty : $" of reference '{document}'");
}
