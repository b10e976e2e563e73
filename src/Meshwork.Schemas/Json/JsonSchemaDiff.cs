using System.Globalization;
using static Meshwork.Schemas.Json.JsonSchemaDifferenceKinds;

namespace Meshwork.Schemas.Json;

/// <summary>
/// Compares an original (writer) JSON Schema with an update (reader) the way the Confluent schema registry's
/// <c>SchemaDiff</c> does: node kind by node kind, content models (open, closed, partially open) deciding what
/// adding or removing a property means, subschemas of combinations matched one to one.
/// </summary>
internal static class JsonSchemaDiff
{
    public static List<Change> Compare(SchemaNode original, SchemaNode update)
    {
        var context = new DiffContext();
        Compare(context, original, update);
        return context.Changes;
    }

    private static void Compare(DiffContext context, SchemaNode? original, SchemaNode? update)
    {
        if (original is null && update is null)
        {
            return;
        }

        if (original is null)
        {
            context.Add(SchemaAdded);
            return;
        }

        if (update is null)
        {
            context.Add(SchemaRemoved);
            return;
        }

        original = Normalize(original);
        update = Normalize(update);
        context.CompareMemoized(original, update, pair => ComparePair(pair, original, update));
    }

    private static void ComparePair(DiffContext context, SchemaNode original, SchemaNode update)
    {
        if (CompareFacets(context, original, update))
        {
            return;
        }

        if (original is not CombinedNode && update is CombinedNode union)
        {
            if (union.Subschemas.Count == 1)
            {
                // A one-schema combination reads like the schema itself.
                var single = context.Sub();
                Compare(single, original, union.Subschemas[0]);
                if (single.IsCompatible)
                {
                    context.AddAll(single.Changes);
                    return;
                }
            }
            else if (union.Criterion is Criterion.AnyOf or Criterion.OneOf)
            {
                // Turning a schema into a union of it and others widens it.
                foreach (var subschema in union.Subschemas)
                {
                    var branch = context.Sub();
                    Compare(branch, original, subschema);
                    if (branch.IsCompatible)
                    {
                        context.AddAll(branch.Changes);
                        context.Add(SumTypeExtended);
                        return;
                    }
                }
            }
        }
        else if (original is CombinedNode { Subschemas.Count: 1 } singleton && update is not CombinedNode)
        {
            var single = context.Sub();
            Compare(single, singleton.Subschemas[0], update);
            if (single.IsCompatible)
            {
                context.AddAll(single.Changes);
                return;
            }
        }

        if (original.GetType() != update.GetType())
        {
            // Nothing was valid before (false), or everything is valid now (true, {}): no change matters.
            if (original is not FalseNode && update is not EmptyNode)
            {
                context.Add(TypeChanged);
            }

            return;
        }

        if (!string.Equals(original.Id, update.Id, StringComparison.Ordinal))
        {
            context.Add(IdChanged);
        }

        if (!string.Equals(original.Title, update.Title, StringComparison.Ordinal))
        {
            context.Add(TitleChanged);
        }

        if (!string.Equals(original.Description, update.Description, StringComparison.Ordinal))
        {
            context.Add(DescriptionChanged);
        }

        if (!string.Equals(original.Default, update.Default, StringComparison.Ordinal))
        {
            context.Add(DefaultChanged);
        }

        switch (original)
        {
            case StringNode text:
                CompareStrings(context, text, (StringNode)update);
                break;
            case NumberNode number:
                CompareNumbers(context, number, (NumberNode)update);
                break;
            case EnumNode values:
                CompareEnums(context, values, (EnumNode)update);
                break;
            case ConstNode constant:
                if (!string.Equals(constant.Value, ((ConstNode)update).Value, StringComparison.Ordinal))
                {
                    context.Add("const", EnumArrayChanged);
                }

                break;
            case CombinedNode combined:
                CompareCombined(context, combined, (CombinedNode)update);
                break;
            case NotNode not:
                CompareNot(context, not, (NotNode)update);
                break;
            case ObjectNode obj:
                CompareObjects(context, obj, (ObjectNode)update);
                break;
            case ArrayNode array:
                CompareArrays(context, array, (ArrayNode)update);
                break;
            default:
                // Empty, false, boolean and null schemas have nothing more to compare.
                break;
        }
    }

    /// <summary>
    /// Compares schemas the loader split into kinds of keywords (a type and an <c>enum</c>; the types of a type
    /// array) kind by kind, so that a change inside one kind is reported as itself (<c>/enum</c> narrowed,
    /// <c>/maxLength</c> added) rather than as a combination whose subschemas no longer match. Returns false
    /// when neither side is such a schema, or the kinds are ambiguous; the schemas are then compared as usual.
    /// </summary>
    private static bool CompareFacets(DiffContext context, SchemaNode original, SchemaNode update)
    {
        if (original is CombinedNode { Synthetic: true, Criterion: Criterion.AllOf } || update is CombinedNode { Synthetic: true, Criterion: Criterion.AllOf })
        {
            // Every kind must hold: a kind the reader adds constrains old documents, one it drops relaxes them.
            if (Facets(original, byType: false) is not { } before || Facets(update, byType: false) is not { } after)
            {
                return false;
            }

            foreach (var (name, node) in before)
            {
                if (after.TryGetValue(name, out var updated))
                {
                    Compare(context, node, updated);
                }
                else
                {
                    context.Add(name, ProductTypeNarrowed);
                }
            }

            foreach (var name in after.Keys.Where(k => !before.ContainsKey(k)))
            {
                context.Add(name, ProductTypeExtended);
            }

            return true;
        }

        if (IsUnion(original) || IsUnion(update))
        {
            // One of the types must hold: each type the writer allowed needs a reader type that reads it.
            if (!(IsUnion(original) || IsTyped(original)) || !(IsUnion(update) || IsTyped(update))
                || Facets(original, byType: true) is not { } before || Facets(update, byType: true) is not { } after)
            {
                return false;
            }

            foreach (var (name, node) in before)
            {
                var same = after.GetValueOrDefault(name);
                var direct = context.Sub();
                if (same is not null)
                {
                    Compare(direct, node, same);
                    if (direct.IsCompatible)
                    {
                        context.AddAll(direct.Changes);
                        continue;
                    }
                }

                var other = after.Values.Where(n => n != same).Select(n =>
                {
                    var attempt = context.Sub();
                    Compare(attempt, node, n);
                    return attempt;
                }).FirstOrDefault(a => a.IsCompatible);
                if (other is not null)
                {
                    context.AddAll(other.Changes);
                }
                else if (same is not null)
                {
                    context.AddAll(direct.Changes);
                }
                else
                {
                    context.Add("type", SumTypeNarrowed);
                }
            }

            if (after.Keys.Any(k => !before.ContainsKey(k)))
            {
                context.Add("type", SumTypeExtended);
            }

            return true;
        }

        return false;
    }

    private static bool IsUnion(SchemaNode node) => node is CombinedNode { Synthetic: true, Criterion: Criterion.AnyOf };

    private static bool IsTyped(SchemaNode node) => node is StringNode or NumberNode or BooleanNode or NullNode or ObjectNode or ArrayNode;

    /// <summary>
    /// A schema's kinds by name: the subschemas of a synthetic combination, else the schema alone. Typed kinds are
    /// named "type" for an <c>allOf</c> (a type matches a type whatever it is) and by type for a union (integer and
    /// number both "number"). Null when two kinds share a name.
    /// </summary>
    private static Dictionary<string, SchemaNode>? Facets(SchemaNode node, bool byType)
    {
        var facets = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        var parts = node is CombinedNode { Synthetic: true } combined && (byType ? combined.Criterion == Criterion.AnyOf : combined.Criterion == Criterion.AllOf)
            ? combined.Subschemas
            : [node];
        foreach (var part in parts)
        {
            if (!facets.TryAdd(Name(part), part))
            {
                return null;
            }
        }

        return facets;

        string Name(SchemaNode part) => part switch
        {
            _ when !byType && (IsTyped(part) || IsUnion(part)) => "type",
            StringNode => "string",
            NumberNode => "number",
            BooleanNode => "boolean",
            NullNode => "null",
            ObjectNode => "object",
            ArrayNode => "array",
            CombinedNode c => c.Keyword,
            EnumNode => "enum",
            ConstNode => "const",
            NotNode => "not",
            ReferenceNode => "$ref",
            FalseNode => "false",
            _ => "true",
        };
    }

    /// <summary>A <c>$ref</c> stands for the schema it points at.</summary>
    private static SchemaNode Normalize(SchemaNode node)
    {
        while (node is ReferenceNode { Referred: { } referred })
        {
            node = referred;
        }

        return node;
    }

    private static void CompareStrings(DiffContext context, StringNode original, StringNode update)
    {
        Limit(context, "maxLength", original.MaxLength, update.MaxLength, MaxLengthAdded, MaxLengthRemoved, MaxLengthIncreased, MaxLengthDecreased);
        Limit(context, "minLength", original.MinLength, update.MinLength, MinLengthAdded, MinLengthRemoved, MinLengthIncreased, MinLengthDecreased);
        if (original.Pattern is null && update.Pattern is not null)
        {
            context.Add("pattern", PatternAdded);
        }
        else if (original.Pattern is not null && update.Pattern is null)
        {
            context.Add("pattern", PatternRemoved);
        }
        else if (!string.Equals(original.Pattern, update.Pattern, StringComparison.Ordinal))
        {
            context.Add("pattern", PatternChanged);
        }
    }

    private static void CompareNumbers(DiffContext context, NumberNode original, NumberNode update)
    {
        Limit(context, "maximum", original.Maximum, update.Maximum, MaximumAdded, MaximumRemoved, MaximumIncreased, MaximumDecreased);
        Limit(context, "minimum", original.Minimum, update.Minimum, MinimumAdded, MinimumRemoved, MinimumIncreased, MinimumDecreased);
        Limit(context, "exclusiveMaximum", original.ExclusiveMaximum, update.ExclusiveMaximum,
            ExclusiveMaximumAdded, ExclusiveMaximumRemoved, ExclusiveMaximumIncreased, ExclusiveMaximumDecreased);
        Limit(context, "exclusiveMinimum", original.ExclusiveMinimum, update.ExclusiveMinimum,
            ExclusiveMinimumAdded, ExclusiveMinimumRemoved, ExclusiveMinimumIncreased, ExclusiveMinimumDecreased);

        if (original.MultipleOf != update.MultipleOf)
        {
            if (original.MultipleOf is null)
            {
                context.Add("multipleOf", MultipleOfAdded);
            }
            else if (update.MultipleOf is null)
            {
                context.Add("multipleOf", MultipleOfRemoved);
            }
            else if (update.MultipleOf.Value % original.MultipleOf.Value == 0)
            {
                // Every multiple of the reader's factor is a multiple of the writer's, not the other way round.
                context.Add("multipleOf", MultipleOfExpanded);
            }
            else if (original.MultipleOf.Value % update.MultipleOf.Value == 0)
            {
                context.Add("multipleOf", MultipleOfReduced);
            }
            else
            {
                context.Add("multipleOf", MultipleOfChanged);
            }
        }

        if (original.RequiresInteger != update.RequiresInteger)
        {
            context.Add(original.RequiresInteger ? TypeExtended : TypeNarrowed);
        }
    }

    private static void CompareEnums(DiffContext context, EnumNode original, EnumNode update)
    {
        if (original.Values.SetEquals(update.Values))
        {
            return;
        }

        context.Add("enum", update.Values.IsSupersetOf(original.Values) ? EnumArrayExtended
            : original.Values.IsSupersetOf(update.Values) ? EnumArrayNarrowed
            : EnumArrayChanged);
    }

    private static void CompareNot(DiffContext context, NotNode original, NotNode update)
    {
        using var scope = context.Enter("not");

        // The reader excludes no more than the writer did when the writer's excluded schema reads the reader's.
        var reversed = context.Sub();
        Compare(reversed, update.MustNotMatch, original.MustNotMatch);
        context.Add(reversed.IsCompatible ? NotTypeNarrowed : NotTypeExtended);
    }

    private static void CompareCombined(DiffContext context, CombinedNode original, CombinedNode update)
    {
        var criterionChange = CompareCriteria(original, update);
        if (criterionChange is not null)
        {
            context.Add(criterionChange);
            if (criterionChange == CombinedTypeChanged)
            {
                return;
            }
        }

        // Equal subschemas count once.
        var originals = original.Subschemas.DistinctBy(s => s.Key, StringComparer.Ordinal).ToList();
        var updates = update.Subschemas.DistinctBy(s => s.Key, StringComparer.Ordinal).ToList();
        if (originals.Count < updates.Count)
        {
            context.Add(update.Criterion == Criterion.AllOf ? ProductTypeExtended : SumTypeExtended);
        }
        else if (originals.Count > updates.Count)
        {
            context.Add(update.Criterion == Criterion.AllOf ? ProductTypeNarrowed : SumTypeNarrowed);
        }

        // Which original subschema each update subschema reads, then a largest one-to-one matching of them.
        var edges = new List<Change>?[originals.Count, updates.Count];
        for (var i = 0; i < originals.Count; i++)
        {
            using var scope = context.Enter(original.Keyword, i.ToString(CultureInfo.InvariantCulture));
            for (var j = 0; j < updates.Count; j++)
            {
                var pair = context.Sub();
                Compare(pair, originals[i], updates[j]);
                if (pair.IsCompatible)
                {
                    edges[i, j] = pair.Changes;
                }
            }
        }

        var matching = BipartiteMatching.Maximum(originals.Count, updates.Count, (i, j) => edges[i, j] is not null);
        foreach (var (i, j) in matching)
        {
            context.AddAll(edges[i, j]!);
        }

        if (matching.Count < Math.Min(originals.Count, updates.Count))
        {
            context.Add(CombinedTypeSubschemasChanged);
        }
    }

    private static string? CompareCriteria(CombinedNode original, CombinedNode update)
    {
        if (original.Criterion == update.Criterion)
        {
            return null;
        }

        return update.Criterion switch
        {
            // allOf or oneOf to anyOf accepts at least as much.
            Criterion.AnyOf => CombinedTypeExtended,
            Criterion.OneOf => original.Subschemas.Count == 1 ? CombinedTypeExtended : CombinedTypeChanged,
            _ => original.Subschemas.Count == 1 && update.Subschemas.Count == 1 ? CombinedTypeExtended : CombinedTypeChanged,
        };
    }

    private static void CompareObjects(DiffContext context, ObjectNode original, ObjectNode update)
    {
        CompareRequired(context, original, update);
        CompareProperties(context, original, update);
        CompareDependencies(context, original, update);
        CompareAdditionalProperties(context, original, update);
        CompareUnevaluated(context, "unevaluatedProperties", original.UnevaluatedProperties, update.UnevaluatedProperties,
            UnevaluatedPropertiesAdded, UnevaluatedPropertiesRemoved, UnevaluatedPropertiesExtended, UnevaluatedPropertiesNarrowed);
        Limit(context, "maxProperties", original.MaxProperties, update.MaxProperties, MaxPropertiesAdded, MaxPropertiesRemoved, MaxPropertiesIncreased, MaxPropertiesDecreased);
        Limit(context, "minProperties", original.MinProperties, update.MinProperties, MinPropertiesAdded, MinPropertiesRemoved, MinPropertiesIncreased, MinPropertiesDecreased);
    }

    private static void CompareRequired(DiffContext context, ObjectNode original, ObjectNode update)
    {
        using var scope = context.Enter("required");
        foreach (var (name, _) in original.Properties)
        {
            if (!update.PropertyMap.TryGetValue(name, out var updated))
            {
                continue;
            }

            var wasRequired = original.Required.Contains(name);
            var isRequired = update.Required.Contains(name);
            if (wasRequired && !isRequired)
            {
                context.Add(name, RequiredAttributeRemoved);
            }
            else if (!wasRequired && isRequired)
            {
                context.Add(name, updated.HasDefault ? RequiredAttributeWithDefaultAdded : RequiredAttributeAdded);
            }
        }
    }

    private static void CompareProperties(DiffContext context, ObjectNode original, ObjectNode update)
    {
        using var properties = context.Enter("properties");
        var names = original.Properties.Select(p => p.Key).Concat(update.Properties.Select(p => p.Key)).Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            using var scope = context.Enter(name);
            original.PropertyMap.TryGetValue(name, out var before);
            update.PropertyMap.TryGetValue(name, out var after);
            if (after is null)
            {
                // Only the reader's content model decides whether a property it no longer names is still accepted.
                if (IsOpen(update))
                {
                    context.Add(PropertyRemovedFromOpenContentModel);
                }
                else if (PartiallyOpenSchema(update, name) is { } covering)
                {
                    var covered = context.Sub();
                    Compare(covered, before, covering);
                    context.AddAll(covered.Changes);
                    context.Add(covered.IsCompatible ? PropertyRemovedIsCoveredByPartiallyOpenContentModel : PropertyRemovedNotCoveredByPartiallyOpenContentModel);
                }
                else
                {
                    context.Add(Normalize(before!) is FalseNode ? PropertyWithFalseRemovedFromClosedContentModel : PropertyRemovedFromClosedContentModel);
                }
            }
            else if (before is null)
            {
                // Only the writer's content model decides what old documents may already hold under the new name.
                if (IsOpen(original))
                {
                    context.Add(Normalize(after) is EmptyNode ? PropertyWithEmptySchemaAddedToOpenContentModel
                        : !update.Required.Contains(name) ? OptionalPropertyAddedToOpenContentModel
                        : after.HasDefault ? RequiredPropertyWithDefaultAddedToOpenContentModel
                        : RequiredPropertyAddedToOpenContentModel);
                }
                else
                {
                    if (PartiallyOpenSchema(original, name) is { } covering)
                    {
                        var covered = context.Sub();
                        Compare(covered, covering, after);
                        context.AddAll(covered.Changes);
                        context.Add(covered.IsCompatible ? PropertyAddedIsCoveredByPartiallyOpenContentModel : PropertyAddedNotCoveredByPartiallyOpenContentModel);
                    }

                    context.Add(!update.Required.Contains(name) ? OptionalPropertyAddedToUnopenContentModel
                        : after.HasDefault ? RequiredPropertyWithDefaultAddedToUnopenContentModel
                        : RequiredPropertyAddedToUnopenContentModel);
                }
            }
            else
            {
                Compare(context, before, after);
            }
        }
    }

    private static void CompareDependencies(DiffContext context, ObjectNode original, ObjectNode update)
    {
        using var scope = context.Enter("dependencies");
        foreach (var name in original.PropertyDependencies.Keys.Concat(update.PropertyDependencies.Keys).Distinct(StringComparer.Ordinal))
        {
            original.PropertyDependencies.TryGetValue(name, out var before);
            update.PropertyDependencies.TryGetValue(name, out var after);
            if (after is null)
            {
                context.Add(name, DependencyArrayRemoved);
            }
            else if (before is null)
            {
                context.Add(name, DependencyArrayAdded);
            }
            else if (!before.SetEquals(after))
            {
                context.Add(name, after.IsSupersetOf(before) ? DependencyArrayExtended : before.IsSupersetOf(after) ? DependencyArrayNarrowed : DependencyArrayChanged);
            }
        }

        foreach (var name in original.SchemaDependencies.Keys.Concat(update.SchemaDependencies.Keys).Distinct(StringComparer.Ordinal))
        {
            original.SchemaDependencies.TryGetValue(name, out var before);
            update.SchemaDependencies.TryGetValue(name, out var after);
            if (after is null)
            {
                context.Add(name, DependencySchemaRemoved);
            }
            else if (before is null)
            {
                context.Add(name, DependencySchemaAdded);
            }
            else
            {
                using var dependency = context.Enter(name);
                Compare(context, before, after);
            }
        }
    }

    private static void CompareAdditionalProperties(DiffContext context, ObjectNode original, ObjectNode update)
    {
        using var scope = context.Enter("additionalProperties");
        if (original.PermitsAdditionalProperties != update.PermitsAdditionalProperties)
        {
            context.Add(update.PermitsAdditionalProperties ? AdditionalPropertiesAdded : AdditionalPropertiesRemoved);
        }
        else if (original.AdditionalProperties is null && update.AdditionalProperties is not null)
        {
            context.Add(AdditionalPropertiesNarrowed);
        }
        else if (original.AdditionalProperties is not null && update.AdditionalProperties is null)
        {
            context.Add(AdditionalPropertiesExtended);
        }
        else
        {
            Compare(context, original.AdditionalProperties, update.AdditionalProperties);
        }
    }

    /// <summary>
    /// Open: any property the schema does not name may hold anything (no <c>patternProperties</c>, and
    /// <c>additionalProperties</c> and <c>unevaluatedProperties</c> absent or true).
    /// </summary>
    private static bool IsOpen(ObjectNode schema) =>
        schema.PatternProperties.Count == 0 && schema.AdditionalProperties is null && schema.PermitsAdditionalProperties
        && (schema.UnevaluatedProperties is null || Normalize(schema.UnevaluatedProperties) is EmptyNode);

    /// <summary>
    /// Partially open: the schema a property the object does not name must satisfy (the first matching
    /// <c>patternProperties</c>, else <c>additionalProperties</c>, else <c>unevaluatedProperties</c>); null when closed.
    /// </summary>
    private static SchemaNode? PartiallyOpenSchema(ObjectNode schema, string name)
    {
        foreach (var (_, regex, subschema) in schema.PatternProperties)
        {
            if (regex.IsMatch(name))
            {
                return subschema;
            }
        }

        if (schema.AdditionalProperties is not null)
        {
            return schema.AdditionalProperties;
        }

        return schema.PermitsAdditionalProperties && schema.UnevaluatedProperties is { } unevaluated && Normalize(unevaluated) is not FalseNode ? unevaluated : null;
    }

    private static void CompareArrays(DiffContext context, ArrayNode original, ArrayNode update)
    {
        using (context.Enter("items"))
        {
            Compare(context, original.AllItems, update.AllItems);
        }

        CompareItemSchemas(context, original, update);
        CompareAdditionalItems(context, original, update);
        CompareUnevaluated(context, "unevaluatedItems", original.UnevaluatedItems, update.UnevaluatedItems,
            UnevaluatedItemsAdded, UnevaluatedItemsRemoved, UnevaluatedItemsExtended, UnevaluatedItemsNarrowed);
        Limit(context, "maxItems", original.MaxItems, update.MaxItems, MaxItemsAdded, MaxItemsRemoved, MaxItemsIncreased, MaxItemsDecreased);
        Limit(context, "minItems", original.MinItems, update.MinItems, MinItemsAdded, MinItemsRemoved, MinItemsIncreased, MinItemsDecreased);
        if (original.UniqueItems != update.UniqueItems)
        {
            context.Add("uniqueItems", original.UniqueItems ? UniqueItemsRemoved : UniqueItemsAdded);
        }

        Limit(context, "maxContains", original.MaxContains, update.MaxContains, MaxContainsAdded, MaxContainsRemoved, MaxContainsIncreased, MaxContainsDecreased);
        Limit(context, "minContains", original.MinContains, update.MinContains, MinContainsAdded, MinContainsRemoved, MinContainsIncreased, MinContainsDecreased);
    }

    private static void CompareItemSchemas(DiffContext context, ArrayNode original, ArrayNode update)
    {
        var before = original.ItemSchemas ?? [];
        var after = update.ItemSchemas ?? [];
        var keyword = original.ItemSchemas is null ? update.ItemSchemasKeyword : original.ItemSchemasKeyword;
        for (var index = 0; index < Math.Max(before.Count, after.Count); index++)
        {
            using var scope = context.Enter(keyword, index.ToString(CultureInfo.InvariantCulture));
            if (index < before.Count && index < after.Count)
            {
                Compare(context, before[index], after[index]);
            }
            else if (index < before.Count)
            {
                if (IsOpen(update))
                {
                    context.Add(ItemRemovedFromOpenContentModel);
                }
                else if (PartiallyOpenSchema(update) is { } covering)
                {
                    var covered = context.Sub();
                    Compare(covered, before[index], covering);
                    context.AddAll(covered.Changes);
                    context.Add(covered.IsCompatible ? ItemRemovedIsCoveredByPartiallyOpenContentModel : ItemRemovedNotCoveredByPartiallyOpenContentModel);
                }
                else
                {
                    context.Add(Normalize(before[index]) is FalseNode ? ItemWithFalseRemovedFromClosedContentModel : ItemRemovedFromClosedContentModel);
                }
            }
            else if (IsOpen(original))
            {
                context.Add(Normalize(after[index]) is EmptyNode ? ItemWithEmptySchemaAddedToOpenContentModel : ItemAddedToOpenContentModel);
            }
            else if (PartiallyOpenSchema(original) is { } covering)
            {
                var covered = context.Sub();
                Compare(covered, covering, after[index]);
                context.AddAll(covered.Changes);
                context.Add(covered.IsCompatible ? ItemAddedIsCoveredByPartiallyOpenContentModel : ItemAddedNotCoveredByPartiallyOpenContentModel);
            }
            else
            {
                context.Add(ItemAddedToClosedContentModel);
            }
        }
    }

    private static void CompareAdditionalItems(DiffContext context, ArrayNode original, ArrayNode update)
    {
        using var scope = context.Enter(original.AdditionalItemsKeyword);
        if (original.PermitsAdditionalItems != update.PermitsAdditionalItems)
        {
            context.Add(original.PermitsAdditionalItems ? AdditionalItemsRemoved : AdditionalItemsAdded);
        }
        else if (original.AdditionalItems is null && update.AdditionalItems is not null)
        {
            context.Add(AdditionalItemsNarrowed);
        }
        else if (original.AdditionalItems is not null && update.AdditionalItems is null)
        {
            context.Add(AdditionalItemsExtended);
        }
        else
        {
            Compare(context, original.AdditionalItems, update.AdditionalItems);
        }
    }

    /// <summary>Open: items past the positional ones may be anything.</summary>
    private static bool IsOpen(ArrayNode schema) =>
        schema.PermitsAdditionalItems && schema.AdditionalItems is null
        && (schema.UnevaluatedItems is null || Normalize(schema.UnevaluatedItems) is EmptyNode);

    private static SchemaNode? PartiallyOpenSchema(ArrayNode schema) =>
        schema.AdditionalItems
        ?? (schema.PermitsAdditionalItems && schema.UnevaluatedItems is { } unevaluated && Normalize(unevaluated) is not (FalseNode or EmptyNode) ? unevaluated : null);

    private static void CompareUnevaluated(DiffContext context, string keyword, SchemaNode? original, SchemaNode? update,
        string added, string removed, string extended, string narrowed)
    {
        if (original is null && update is null)
        {
            return;
        }

        using var scope = context.Enter(keyword);
        var before = original is null ? null : Normalize(original);
        var after = update is null ? null : Normalize(update);
        if (before is null)
        {
            context.Add(after is FalseNode ? removed : narrowed);
        }
        else if (after is null)
        {
            context.Add(before is FalseNode ? added : extended);
        }
        else if (before is FalseNode && after is not FalseNode)
        {
            context.Add(added);
        }
        else if (before is not FalseNode && after is FalseNode)
        {
            context.Add(removed);
        }
        else if (before is EmptyNode && after is not EmptyNode)
        {
            context.Add(narrowed);
        }
        else if (before is not EmptyNode && after is EmptyNode)
        {
            context.Add(extended);
        }
        else
        {
            Compare(context, before, after);
        }
    }

    private static void Limit<T>(DiffContext context, string keyword, T? original, T? update, string added, string removed, string increased, string decreased)
        where T : struct, IComparable<T>
    {
        if (original is null && update is null)
        {
            return;
        }

        if (original is null)
        {
            context.Add(keyword, added);
        }
        else if (update is null)
        {
            context.Add(keyword, removed);
        }
        else if (original.Value.CompareTo(update.Value) < 0)
        {
            context.Add(keyword, increased);
        }
        else if (original.Value.CompareTo(update.Value) > 0)
        {
            context.Add(keyword, decreased);
        }
    }
}

/// <summary>
/// The state of one comparison: the path being compared, the changes found, and (shared by every sub-context)
/// the results of pairs already compared and the pairs being compared, which cut recursive schemas short.
/// </summary>
internal sealed class DiffContext
{
    private readonly Dictionary<(SchemaNode, SchemaNode), List<Change>> _memo;
    private readonly HashSet<(SchemaNode, SchemaNode)> _inProgress;
    private readonly List<string> _path;

    public DiffContext()
        : this(new Dictionary<(SchemaNode, SchemaNode), List<Change>>(PairComparer.Instance), new HashSet<(SchemaNode, SchemaNode)>(PairComparer.Instance), [])
    {
    }

    private DiffContext(Dictionary<(SchemaNode, SchemaNode), List<Change>> memo, HashSet<(SchemaNode, SchemaNode)> inProgress, List<string> path)
    {
        _memo = memo;
        _inProgress = inProgress;
        _path = path;
    }

    public List<Change> Changes { get; } = [];

    public bool IsCompatible => Changes.TrueForAll(c => JsonSchemaDifferenceKinds.IsCompatible(c.Kind));

    /// <summary>A context at the same path whose changes are kept apart, to be judged before they are added.</summary>
    public DiffContext Sub() => new(_memo, _inProgress, [.. _path]);

    public void Add(string kind) => Changes.Add(new Change(kind, PathText(_path)));

    public void Add(string token, string kind)
    {
        using (Enter(token))
        {
            Add(kind);
        }
    }

    public void AddAll(IEnumerable<Change> changes) => Changes.AddRange(changes);

    public Scope Enter(params string[] tokens)
    {
        _path.AddRange(tokens);
        return new Scope(_path, tokens.Length);
    }

    /// <summary>
    /// Compares a pair once per comparison: its changes are kept relative to the pair and placed under the current
    /// path wherever the pair comes up again. A pair met again while it is being compared (a recursive schema) adds nothing.
    /// </summary>
    public void CompareMemoized(SchemaNode original, SchemaNode update, Action<DiffContext> compare)
    {
        var key = (original, update);
        if (!_memo.TryGetValue(key, out var relative))
        {
            if (!_inProgress.Add(key))
            {
                return;
            }

            try
            {
                var pair = new DiffContext(_memo, _inProgress, []);
                compare(pair);
                relative = pair.Changes;
                _memo[key] = relative;
            }
            finally
            {
                _inProgress.Remove(key);
            }
        }

        var prefix = PathText(_path);
        foreach (var change in relative)
        {
            Changes.Add(prefix.Length == 0 ? change : change with { Path = prefix + change.Path });
        }
    }

    private static string PathText(List<string> path)
    {
        var text = string.Empty;
        foreach (var token in path)
        {
            text = JsonText.Append(text, token);
        }

        return text;
    }

    public readonly struct Scope(List<string> path, int count) : IDisposable
    {
        public void Dispose() => path.RemoveRange(path.Count - count, count);
    }

    private sealed class PairComparer : IEqualityComparer<(SchemaNode, SchemaNode)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((SchemaNode, SchemaNode) x, (SchemaNode, SchemaNode) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((SchemaNode, SchemaNode) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}

/// <summary>A largest one-to-one matching in a bipartite graph, by augmenting paths (the graphs here are tiny).</summary>
internal static class BipartiteMatching
{
    public static List<(int Left, int Right)> Maximum(int left, int right, Func<int, int, bool> edge)
    {
        var matchOfRight = new int[right];
        Array.Fill(matchOfRight, -1);
        for (var l = 0; l < left; l++)
        {
            Augment(l, new bool[right]);
        }

        var result = new List<(int, int)>();
        for (var r = 0; r < right; r++)
        {
            if (matchOfRight[r] >= 0)
            {
                result.Add((matchOfRight[r], r));
            }
        }

        return result;

        bool Augment(int l, bool[] seen)
        {
            for (var r = 0; r < right; r++)
            {
                if (!seen[r] && edge(l, r))
                {
                    seen[r] = true;
                    if (matchOfRight[r] < 0 || Augment(matchOfRight[r], seen))
                    {
                        matchOfRight[r] = l;
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
