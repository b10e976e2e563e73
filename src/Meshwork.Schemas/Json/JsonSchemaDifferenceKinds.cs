namespace Meshwork.Schemas.Json;

/// <summary>
/// The changes the JSON Schema checker reports, named after the Confluent schema registry's JSON Schema
/// <c>Difference.Type</c> (PascalCase: <c>PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL</c> is
/// <see cref="OptionalPropertyAddedToOpenContentModel"/> and its siblings), with Confluent's verdict on each:
/// <see cref="IsCompatible"/>. "Reader" is the new schema of a backward check, "writer" the old one.
/// </summary>
public static class JsonSchemaDifferenceKinds
{
    /// <summary>Compatible: The $id changed.</summary>
    public const string IdChanged = "IdChanged";

    /// <summary>Compatible: The description changed.</summary>
    public const string DescriptionChanged = "DescriptionChanged";

    /// <summary>Compatible: The title changed.</summary>
    public const string TitleChanged = "TitleChanged";

    /// <summary>Compatible: The default value changed.</summary>
    public const string DefaultChanged = "DefaultChanged";

    /// <summary>Incompatible: The reader has a schema where the writer had none (e.g. items), so old documents may not satisfy it.</summary>
    public const string SchemaAdded = "SchemaAdded";

    /// <summary>Compatible: The reader dropped a schema the writer had, so it accepts more.</summary>
    public const string SchemaRemoved = "SchemaRemoved";

    /// <summary>Compatible: The type was widened (integer to number).</summary>
    public const string TypeExtended = "TypeExtended";

    /// <summary>Incompatible: The type was narrowed (number to integer).</summary>
    public const string TypeNarrowed = "TypeNarrowed";

    /// <summary>Incompatible: The type changed to an unrelated one.</summary>
    public const string TypeChanged = "TypeChanged";

    /// <summary>Incompatible: The reader adds maxLength.</summary>
    public const string MaxLengthAdded = "MaxLengthAdded";

    /// <summary>Compatible: The reader drops maxLength.</summary>
    public const string MaxLengthRemoved = "MaxLengthRemoved";

    /// <summary>Compatible: The reader's maxLength is larger.</summary>
    public const string MaxLengthIncreased = "MaxLengthIncreased";

    /// <summary>Incompatible: The reader's maxLength is smaller.</summary>
    public const string MaxLengthDecreased = "MaxLengthDecreased";

    /// <summary>Incompatible: The reader adds minLength.</summary>
    public const string MinLengthAdded = "MinLengthAdded";

    /// <summary>Compatible: The reader drops minLength.</summary>
    public const string MinLengthRemoved = "MinLengthRemoved";

    /// <summary>Incompatible: The reader's minLength is larger.</summary>
    public const string MinLengthIncreased = "MinLengthIncreased";

    /// <summary>Compatible: The reader's minLength is smaller.</summary>
    public const string MinLengthDecreased = "MinLengthDecreased";

    /// <summary>Incompatible: The reader adds a pattern.</summary>
    public const string PatternAdded = "PatternAdded";

    /// <summary>Compatible: The reader drops the pattern.</summary>
    public const string PatternRemoved = "PatternRemoved";

    /// <summary>Incompatible: The reader's pattern differs.</summary>
    public const string PatternChanged = "PatternChanged";

    /// <summary>Incompatible: The reader adds maximum.</summary>
    public const string MaximumAdded = "MaximumAdded";

    /// <summary>Compatible: The reader drops maximum.</summary>
    public const string MaximumRemoved = "MaximumRemoved";

    /// <summary>Compatible: The reader's maximum is larger.</summary>
    public const string MaximumIncreased = "MaximumIncreased";

    /// <summary>Incompatible: The reader's maximum is smaller.</summary>
    public const string MaximumDecreased = "MaximumDecreased";

    /// <summary>Incompatible: The reader adds minimum.</summary>
    public const string MinimumAdded = "MinimumAdded";

    /// <summary>Compatible: The reader drops minimum.</summary>
    public const string MinimumRemoved = "MinimumRemoved";

    /// <summary>Incompatible: The reader's minimum is larger.</summary>
    public const string MinimumIncreased = "MinimumIncreased";

    /// <summary>Compatible: The reader's minimum is smaller.</summary>
    public const string MinimumDecreased = "MinimumDecreased";

    /// <summary>Incompatible: The reader adds exclusiveMaximum.</summary>
    public const string ExclusiveMaximumAdded = "ExclusiveMaximumAdded";

    /// <summary>Compatible: The reader drops exclusiveMaximum.</summary>
    public const string ExclusiveMaximumRemoved = "ExclusiveMaximumRemoved";

    /// <summary>Compatible: The reader's exclusiveMaximum is larger.</summary>
    public const string ExclusiveMaximumIncreased = "ExclusiveMaximumIncreased";

    /// <summary>Incompatible: The reader's exclusiveMaximum is smaller.</summary>
    public const string ExclusiveMaximumDecreased = "ExclusiveMaximumDecreased";

    /// <summary>Incompatible: The reader adds exclusiveMinimum.</summary>
    public const string ExclusiveMinimumAdded = "ExclusiveMinimumAdded";

    /// <summary>Compatible: The reader drops exclusiveMinimum.</summary>
    public const string ExclusiveMinimumRemoved = "ExclusiveMinimumRemoved";

    /// <summary>Incompatible: The reader's exclusiveMinimum is larger.</summary>
    public const string ExclusiveMinimumIncreased = "ExclusiveMinimumIncreased";

    /// <summary>Compatible: The reader's exclusiveMinimum is smaller.</summary>
    public const string ExclusiveMinimumDecreased = "ExclusiveMinimumDecreased";

    /// <summary>Incompatible: The reader adds multipleOf.</summary>
    public const string MultipleOfAdded = "MultipleOfAdded";

    /// <summary>Compatible: The reader drops multipleOf.</summary>
    public const string MultipleOfRemoved = "MultipleOfRemoved";

    /// <summary>Incompatible: The reader's multipleOf is a multiple of the writer's (fewer values pass).</summary>
    public const string MultipleOfExpanded = "MultipleOfExpanded";

    /// <summary>Compatible: The writer's multipleOf is a multiple of the reader's (more values pass).</summary>
    public const string MultipleOfReduced = "MultipleOfReduced";

    /// <summary>Incompatible: The multipleOf values are unrelated.</summary>
    public const string MultipleOfChanged = "MultipleOfChanged";

    /// <summary>Incompatible: A property the writer had as optional is required by the reader, without a default.</summary>
    public const string RequiredAttributeAdded = "RequiredAttributeAdded";

    /// <summary>Compatible: A property the writer had as optional is required by the reader, which gives it a default.</summary>
    public const string RequiredAttributeWithDefaultAdded = "RequiredAttributeWithDefaultAdded";

    /// <summary>Compatible: A property the writer required is optional for the reader.</summary>
    public const string RequiredAttributeRemoved = "RequiredAttributeRemoved";

    /// <summary>Incompatible: The reader adds maxProperties.</summary>
    public const string MaxPropertiesAdded = "MaxPropertiesAdded";

    /// <summary>Compatible: The reader drops maxProperties.</summary>
    public const string MaxPropertiesRemoved = "MaxPropertiesRemoved";

    /// <summary>Compatible: The reader's maxProperties is larger.</summary>
    public const string MaxPropertiesIncreased = "MaxPropertiesIncreased";

    /// <summary>Incompatible: The reader's maxProperties is smaller.</summary>
    public const string MaxPropertiesDecreased = "MaxPropertiesDecreased";

    /// <summary>Incompatible: The reader adds minProperties.</summary>
    public const string MinPropertiesAdded = "MinPropertiesAdded";

    /// <summary>Compatible: The reader drops minProperties.</summary>
    public const string MinPropertiesRemoved = "MinPropertiesRemoved";

    /// <summary>Incompatible: The reader's minProperties is larger.</summary>
    public const string MinPropertiesIncreased = "MinPropertiesIncreased";

    /// <summary>Compatible: The reader's minProperties is smaller.</summary>
    public const string MinPropertiesDecreased = "MinPropertiesDecreased";

    /// <summary>Compatible: The reader allows additional properties the writer forbade.</summary>
    public const string AdditionalPropertiesAdded = "AdditionalPropertiesAdded";

    /// <summary>Incompatible: The reader forbids additional properties the writer allowed.</summary>
    public const string AdditionalPropertiesRemoved = "AdditionalPropertiesRemoved";

    /// <summary>Compatible: The reader allows any additional property where the writer constrained them with a schema.</summary>
    public const string AdditionalPropertiesExtended = "AdditionalPropertiesExtended";

    /// <summary>Incompatible: The reader constrains additional properties with a schema where the writer allowed any.</summary>
    public const string AdditionalPropertiesNarrowed = "AdditionalPropertiesNarrowed";

    /// <summary>Incompatible: The reader adds a property dependency.</summary>
    public const string DependencyArrayAdded = "DependencyArrayAdded";

    /// <summary>Compatible: The reader drops a property dependency.</summary>
    public const string DependencyArrayRemoved = "DependencyArrayRemoved";

    /// <summary>Incompatible: The reader's property dependency requires more properties.</summary>
    public const string DependencyArrayExtended = "DependencyArrayExtended";

    /// <summary>Compatible: The reader's property dependency requires fewer properties.</summary>
    public const string DependencyArrayNarrowed = "DependencyArrayNarrowed";

    /// <summary>Incompatible: The property dependency requires different properties.</summary>
    public const string DependencyArrayChanged = "DependencyArrayChanged";

    /// <summary>Incompatible: The reader adds a schema dependency.</summary>
    public const string DependencySchemaAdded = "DependencySchemaAdded";

    /// <summary>Compatible: The reader drops a schema dependency.</summary>
    public const string DependencySchemaRemoved = "DependencySchemaRemoved";

    /// <summary>Incompatible: The writer's object is open (any extra property, of any value) and the reader adds a required property: old documents may lack it or hold another value there.</summary>
    public const string RequiredPropertyAddedToOpenContentModel = "RequiredPropertyAddedToOpenContentModel";

    /// <summary>Incompatible: The writer's object is open and the reader adds a required property with a default: old documents may hold another value there.</summary>
    public const string RequiredPropertyWithDefaultAddedToOpenContentModel = "RequiredPropertyWithDefaultAddedToOpenContentModel";

    /// <summary>Incompatible: The writer's object is open and the reader adds an optional property: old documents may hold another value there.</summary>
    public const string OptionalPropertyAddedToOpenContentModel = "OptionalPropertyAddedToOpenContentModel";

    /// <summary>Compatible: The writer's object is open and the reader adds a property that accepts anything.</summary>
    public const string PropertyWithEmptySchemaAddedToOpenContentModel = "PropertyWithEmptySchemaAddedToOpenContentModel";

    /// <summary>Incompatible: The writer's object is closed or partially open and the reader adds a required property without a default.</summary>
    public const string RequiredPropertyAddedToUnopenContentModel = "RequiredPropertyAddedToUnopenContentModel";

    /// <summary>Compatible: The writer's object is closed or partially open and the reader adds a required property with a default.</summary>
    public const string RequiredPropertyWithDefaultAddedToUnopenContentModel = "RequiredPropertyWithDefaultAddedToUnopenContentModel";

    /// <summary>Compatible: The writer's object is closed or partially open and the reader adds an optional property.</summary>
    public const string OptionalPropertyAddedToUnopenContentModel = "OptionalPropertyAddedToUnopenContentModel";

    /// <summary>Compatible: The reader's object is open and no longer names a property: it still accepts any value there.</summary>
    public const string PropertyRemovedFromOpenContentModel = "PropertyRemovedFromOpenContentModel";

    /// <summary>Compatible: The reader's object is closed and drops a property the writer forbade anyway (false).</summary>
    public const string PropertyWithFalseRemovedFromClosedContentModel = "PropertyWithFalseRemovedFromClosedContentModel";

    /// <summary>Incompatible: The reader's object is closed and drops a property the writer's documents may hold.</summary>
    public const string PropertyRemovedFromClosedContentModel = "PropertyRemovedFromClosedContentModel";

    /// <summary>Compatible: The reader drops a property, and its additionalProperties or patternProperties schema accepts what the writer allowed there.</summary>
    public const string PropertyRemovedIsCoveredByPartiallyOpenContentModel = "PropertyRemovedIsCoveredByPartiallyOpenContentModel";

    /// <summary>Incompatible: The reader drops a property, and its additionalProperties or patternProperties schema does not accept what the writer allowed there.</summary>
    public const string PropertyRemovedNotCoveredByPartiallyOpenContentModel = "PropertyRemovedNotCoveredByPartiallyOpenContentModel";

    /// <summary>Compatible: The reader adds a property that accepts what the writer's additionalProperties or patternProperties allowed there.</summary>
    public const string PropertyAddedIsCoveredByPartiallyOpenContentModel = "PropertyAddedIsCoveredByPartiallyOpenContentModel";

    /// <summary>Incompatible: The reader adds a property that does not accept what the writer's additionalProperties or patternProperties allowed there.</summary>
    public const string PropertyAddedNotCoveredByPartiallyOpenContentModel = "PropertyAddedNotCoveredByPartiallyOpenContentModel";

    /// <summary>Compatible: The reader allows unevaluated properties the writer forbade.</summary>
    public const string UnevaluatedPropertiesAdded = "UnevaluatedPropertiesAdded";

    /// <summary>Incompatible: The reader forbids unevaluated properties the writer allowed.</summary>
    public const string UnevaluatedPropertiesRemoved = "UnevaluatedPropertiesRemoved";

    /// <summary>Compatible: The reader allows any unevaluated property where the writer constrained them.</summary>
    public const string UnevaluatedPropertiesExtended = "UnevaluatedPropertiesExtended";

    /// <summary>Incompatible: The reader constrains unevaluated properties the writer allowed freely.</summary>
    public const string UnevaluatedPropertiesNarrowed = "UnevaluatedPropertiesNarrowed";

    /// <summary>Incompatible: The reader adds maxItems.</summary>
    public const string MaxItemsAdded = "MaxItemsAdded";

    /// <summary>Compatible: The reader drops maxItems.</summary>
    public const string MaxItemsRemoved = "MaxItemsRemoved";

    /// <summary>Compatible: The reader's maxItems is larger.</summary>
    public const string MaxItemsIncreased = "MaxItemsIncreased";

    /// <summary>Incompatible: The reader's maxItems is smaller.</summary>
    public const string MaxItemsDecreased = "MaxItemsDecreased";

    /// <summary>Incompatible: The reader adds minItems.</summary>
    public const string MinItemsAdded = "MinItemsAdded";

    /// <summary>Compatible: The reader drops minItems.</summary>
    public const string MinItemsRemoved = "MinItemsRemoved";

    /// <summary>Incompatible: The reader's minItems is larger.</summary>
    public const string MinItemsIncreased = "MinItemsIncreased";

    /// <summary>Compatible: The reader's minItems is smaller.</summary>
    public const string MinItemsDecreased = "MinItemsDecreased";

    /// <summary>Incompatible: The reader adds maxContains.</summary>
    public const string MaxContainsAdded = "MaxContainsAdded";

    /// <summary>Compatible: The reader drops maxContains.</summary>
    public const string MaxContainsRemoved = "MaxContainsRemoved";

    /// <summary>Compatible: The reader's maxContains is larger.</summary>
    public const string MaxContainsIncreased = "MaxContainsIncreased";

    /// <summary>Incompatible: The reader's maxContains is smaller.</summary>
    public const string MaxContainsDecreased = "MaxContainsDecreased";

    /// <summary>Incompatible: The reader adds minContains.</summary>
    public const string MinContainsAdded = "MinContainsAdded";

    /// <summary>Compatible: The reader drops minContains.</summary>
    public const string MinContainsRemoved = "MinContainsRemoved";

    /// <summary>Incompatible: The reader's minContains is larger.</summary>
    public const string MinContainsIncreased = "MinContainsIncreased";

    /// <summary>Compatible: The reader's minContains is smaller.</summary>
    public const string MinContainsDecreased = "MinContainsDecreased";

    /// <summary>Incompatible: The reader requires unique items.</summary>
    public const string UniqueItemsAdded = "UniqueItemsAdded";

    /// <summary>Compatible: The reader no longer requires unique items.</summary>
    public const string UniqueItemsRemoved = "UniqueItemsRemoved";

    /// <summary>Compatible: The reader allows items past the positional ones, which the writer forbade.</summary>
    public const string AdditionalItemsAdded = "AdditionalItemsAdded";

    /// <summary>Incompatible: The reader forbids items past the positional ones, which the writer allowed.</summary>
    public const string AdditionalItemsRemoved = "AdditionalItemsRemoved";

    /// <summary>Compatible: The reader allows any additional item where the writer constrained them with a schema.</summary>
    public const string AdditionalItemsExtended = "AdditionalItemsExtended";

    /// <summary>Incompatible: The reader constrains additional items with a schema where the writer allowed any.</summary>
    public const string AdditionalItemsNarrowed = "AdditionalItemsNarrowed";

    /// <summary>Compatible: The reader allows unevaluated items the writer forbade.</summary>
    public const string UnevaluatedItemsAdded = "UnevaluatedItemsAdded";

    /// <summary>Incompatible: The reader forbids unevaluated items the writer allowed.</summary>
    public const string UnevaluatedItemsRemoved = "UnevaluatedItemsRemoved";

    /// <summary>Compatible: The reader allows any unevaluated item where the writer constrained them.</summary>
    public const string UnevaluatedItemsExtended = "UnevaluatedItemsExtended";

    /// <summary>Incompatible: The reader constrains unevaluated items the writer allowed freely.</summary>
    public const string UnevaluatedItemsNarrowed = "UnevaluatedItemsNarrowed";

    /// <summary>Incompatible: The writer's array is open (any extra item) and the reader adds a positional item schema: old items there may not satisfy it.</summary>
    public const string ItemAddedToOpenContentModel = "ItemAddedToOpenContentModel";

    /// <summary>Compatible: The writer's array is open and the reader adds a positional item that accepts anything.</summary>
    public const string ItemWithEmptySchemaAddedToOpenContentModel = "ItemWithEmptySchemaAddedToOpenContentModel";

    /// <summary>Compatible: The writer's array is closed and the reader adds a positional item the writer never wrote.</summary>
    public const string ItemAddedToClosedContentModel = "ItemAddedToClosedContentModel";

    /// <summary>Compatible: The reader's array is open and drops a positional item schema: it accepts any item there.</summary>
    public const string ItemRemovedFromOpenContentModel = "ItemRemovedFromOpenContentModel";

    /// <summary>Compatible: The reader's array is closed and drops a positional item the writer forbade anyway (false).</summary>
    public const string ItemWithFalseRemovedFromClosedContentModel = "ItemWithFalseRemovedFromClosedContentModel";

    /// <summary>Incompatible: The reader's array is closed and drops a positional item the writer's documents may hold.</summary>
    public const string ItemRemovedFromClosedContentModel = "ItemRemovedFromClosedContentModel";

    /// <summary>Compatible: The reader drops a positional item, and its additional-items schema accepts what the writer allowed there.</summary>
    public const string ItemRemovedIsCoveredByPartiallyOpenContentModel = "ItemRemovedIsCoveredByPartiallyOpenContentModel";

    /// <summary>Incompatible: The reader drops a positional item, and its additional-items schema does not accept what the writer allowed there.</summary>
    public const string ItemRemovedNotCoveredByPartiallyOpenContentModel = "ItemRemovedNotCoveredByPartiallyOpenContentModel";

    /// <summary>Compatible: The reader adds a positional item that accepts what the writer's additional-items schema allowed there.</summary>
    public const string ItemAddedIsCoveredByPartiallyOpenContentModel = "ItemAddedIsCoveredByPartiallyOpenContentModel";

    /// <summary>Incompatible: The reader adds a positional item that does not accept what the writer's additional-items schema allowed there.</summary>
    public const string ItemAddedNotCoveredByPartiallyOpenContentModel = "ItemAddedNotCoveredByPartiallyOpenContentModel";

    /// <summary>Compatible: The reader's enum has more values.</summary>
    public const string EnumArrayExtended = "EnumArrayExtended";

    /// <summary>Incompatible: The reader's enum lacks values the writer allowed.</summary>
    public const string EnumArrayNarrowed = "EnumArrayNarrowed";

    /// <summary>Incompatible: The enum (or const) values differ.</summary>
    public const string EnumArrayChanged = "EnumArrayChanged";

    /// <summary>Compatible: The combination is looser (allOf or oneOf to anyOf, or a one-schema combination to oneOf).</summary>
    public const string CombinedTypeExtended = "CombinedTypeExtended";

    /// <summary>Incompatible: The combination changed in a way that may refuse old documents (e.g. anyOf to allOf).</summary>
    public const string CombinedTypeChanged = "CombinedTypeChanged";

    /// <summary>Incompatible: The reader's allOf has more schemas, each of which documents must satisfy.</summary>
    public const string ProductTypeExtended = "ProductTypeExtended";

    /// <summary>Compatible: The reader's allOf has fewer schemas.</summary>
    public const string ProductTypeNarrowed = "ProductTypeNarrowed";

    /// <summary>Compatible: The reader's anyOf/oneOf (or type array) has more alternatives.</summary>
    public const string SumTypeExtended = "SumTypeExtended";

    /// <summary>Incompatible: The reader's anyOf/oneOf (or type array) has fewer alternatives.</summary>
    public const string SumTypeNarrowed = "SumTypeNarrowed";

    /// <summary>Incompatible: Some of the writer's alternatives match none of the reader's.</summary>
    public const string CombinedTypeSubschemasChanged = "CombinedTypeSubschemasChanged";

    /// <summary>Incompatible: The reader's 'not' excludes values the writer's did not.</summary>
    public const string NotTypeExtended = "NotTypeExtended";

    /// <summary>Compatible: The reader's 'not' excludes fewer values.</summary>
    public const string NotTypeNarrowed = "NotTypeNarrowed";

    private static readonly HashSet<string> CompatibleKinds = new(StringComparer.Ordinal)
    {
        IdChanged,
        DescriptionChanged,
        TitleChanged,
        DefaultChanged,
        SchemaRemoved,
        TypeExtended,
        MaxLengthRemoved,
        MaxLengthIncreased,
        MinLengthRemoved,
        MinLengthDecreased,
        PatternRemoved,
        MaximumRemoved,
        MaximumIncreased,
        MinimumRemoved,
        MinimumDecreased,
        ExclusiveMaximumRemoved,
        ExclusiveMaximumIncreased,
        ExclusiveMinimumRemoved,
        ExclusiveMinimumDecreased,
        MultipleOfRemoved,
        MultipleOfReduced,
        RequiredAttributeWithDefaultAdded,
        RequiredAttributeRemoved,
        MaxPropertiesRemoved,
        MaxPropertiesIncreased,
        MinPropertiesRemoved,
        MinPropertiesDecreased,
        AdditionalPropertiesAdded,
        AdditionalPropertiesExtended,
        DependencyArrayRemoved,
        DependencyArrayNarrowed,
        DependencySchemaRemoved,
        PropertyWithEmptySchemaAddedToOpenContentModel,
        RequiredPropertyWithDefaultAddedToUnopenContentModel,
        OptionalPropertyAddedToUnopenContentModel,
        PropertyRemovedFromOpenContentModel,
        PropertyWithFalseRemovedFromClosedContentModel,
        PropertyRemovedIsCoveredByPartiallyOpenContentModel,
        PropertyAddedIsCoveredByPartiallyOpenContentModel,
        UnevaluatedPropertiesAdded,
        UnevaluatedPropertiesExtended,
        MaxItemsRemoved,
        MaxItemsIncreased,
        MinItemsRemoved,
        MinItemsDecreased,
        MaxContainsRemoved,
        MaxContainsIncreased,
        MinContainsRemoved,
        MinContainsDecreased,
        UniqueItemsRemoved,
        AdditionalItemsAdded,
        AdditionalItemsExtended,
        UnevaluatedItemsAdded,
        UnevaluatedItemsExtended,
        ItemWithEmptySchemaAddedToOpenContentModel,
        ItemAddedToClosedContentModel,
        ItemRemovedFromOpenContentModel,
        ItemWithFalseRemovedFromClosedContentModel,
        ItemRemovedIsCoveredByPartiallyOpenContentModel,
        ItemAddedIsCoveredByPartiallyOpenContentModel,
        EnumArrayExtended,
        CombinedTypeExtended,
        ProductTypeNarrowed,
        SumTypeExtended,
        NotTypeNarrowed,
    };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [IdChanged] = "The $id changed.",
        [DescriptionChanged] = "The description changed.",
        [TitleChanged] = "The title changed.",
        [DefaultChanged] = "The default value changed.",
        [SchemaAdded] = "The reader has a schema where the writer had none (e.g. items), so old documents may not satisfy it.",
        [SchemaRemoved] = "The reader dropped a schema the writer had, so it accepts more.",
        [TypeExtended] = "The type was widened (integer to number).",
        [TypeNarrowed] = "The type was narrowed (number to integer).",
        [TypeChanged] = "The type changed to an unrelated one.",
        [MaxLengthAdded] = "The reader adds maxLength.",
        [MaxLengthRemoved] = "The reader drops maxLength.",
        [MaxLengthIncreased] = "The reader's maxLength is larger.",
        [MaxLengthDecreased] = "The reader's maxLength is smaller.",
        [MinLengthAdded] = "The reader adds minLength.",
        [MinLengthRemoved] = "The reader drops minLength.",
        [MinLengthIncreased] = "The reader's minLength is larger.",
        [MinLengthDecreased] = "The reader's minLength is smaller.",
        [PatternAdded] = "The reader adds a pattern.",
        [PatternRemoved] = "The reader drops the pattern.",
        [PatternChanged] = "The reader's pattern differs.",
        [MaximumAdded] = "The reader adds maximum.",
        [MaximumRemoved] = "The reader drops maximum.",
        [MaximumIncreased] = "The reader's maximum is larger.",
        [MaximumDecreased] = "The reader's maximum is smaller.",
        [MinimumAdded] = "The reader adds minimum.",
        [MinimumRemoved] = "The reader drops minimum.",
        [MinimumIncreased] = "The reader's minimum is larger.",
        [MinimumDecreased] = "The reader's minimum is smaller.",
        [ExclusiveMaximumAdded] = "The reader adds exclusiveMaximum.",
        [ExclusiveMaximumRemoved] = "The reader drops exclusiveMaximum.",
        [ExclusiveMaximumIncreased] = "The reader's exclusiveMaximum is larger.",
        [ExclusiveMaximumDecreased] = "The reader's exclusiveMaximum is smaller.",
        [ExclusiveMinimumAdded] = "The reader adds exclusiveMinimum.",
        [ExclusiveMinimumRemoved] = "The reader drops exclusiveMinimum.",
        [ExclusiveMinimumIncreased] = "The reader's exclusiveMinimum is larger.",
        [ExclusiveMinimumDecreased] = "The reader's exclusiveMinimum is smaller.",
        [MultipleOfAdded] = "The reader adds multipleOf.",
        [MultipleOfRemoved] = "The reader drops multipleOf.",
        [MultipleOfExpanded] = "The reader's multipleOf is a multiple of the writer's (fewer values pass).",
        [MultipleOfReduced] = "The writer's multipleOf is a multiple of the reader's (more values pass).",
        [MultipleOfChanged] = "The multipleOf values are unrelated.",
        [RequiredAttributeAdded] = "A property the writer had as optional is required by the reader, without a default.",
        [RequiredAttributeWithDefaultAdded] = "A property the writer had as optional is required by the reader, which gives it a default.",
        [RequiredAttributeRemoved] = "A property the writer required is optional for the reader.",
        [MaxPropertiesAdded] = "The reader adds maxProperties.",
        [MaxPropertiesRemoved] = "The reader drops maxProperties.",
        [MaxPropertiesIncreased] = "The reader's maxProperties is larger.",
        [MaxPropertiesDecreased] = "The reader's maxProperties is smaller.",
        [MinPropertiesAdded] = "The reader adds minProperties.",
        [MinPropertiesRemoved] = "The reader drops minProperties.",
        [MinPropertiesIncreased] = "The reader's minProperties is larger.",
        [MinPropertiesDecreased] = "The reader's minProperties is smaller.",
        [AdditionalPropertiesAdded] = "The reader allows additional properties the writer forbade.",
        [AdditionalPropertiesRemoved] = "The reader forbids additional properties the writer allowed.",
        [AdditionalPropertiesExtended] = "The reader allows any additional property where the writer constrained them with a schema.",
        [AdditionalPropertiesNarrowed] = "The reader constrains additional properties with a schema where the writer allowed any.",
        [DependencyArrayAdded] = "The reader adds a property dependency.",
        [DependencyArrayRemoved] = "The reader drops a property dependency.",
        [DependencyArrayExtended] = "The reader's property dependency requires more properties.",
        [DependencyArrayNarrowed] = "The reader's property dependency requires fewer properties.",
        [DependencyArrayChanged] = "The property dependency requires different properties.",
        [DependencySchemaAdded] = "The reader adds a schema dependency.",
        [DependencySchemaRemoved] = "The reader drops a schema dependency.",
        [RequiredPropertyAddedToOpenContentModel] = "The writer's object is open (any extra property, of any value) and the reader adds a required property: old documents may lack it or hold another value there.",
        [RequiredPropertyWithDefaultAddedToOpenContentModel] = "The writer's object is open and the reader adds a required property with a default: old documents may hold another value there.",
        [OptionalPropertyAddedToOpenContentModel] = "The writer's object is open and the reader adds an optional property: old documents may hold another value there.",
        [PropertyWithEmptySchemaAddedToOpenContentModel] = "The writer's object is open and the reader adds a property that accepts anything.",
        [RequiredPropertyAddedToUnopenContentModel] = "The writer's object is closed or partially open and the reader adds a required property without a default.",
        [RequiredPropertyWithDefaultAddedToUnopenContentModel] = "The writer's object is closed or partially open and the reader adds a required property with a default.",
        [OptionalPropertyAddedToUnopenContentModel] = "The writer's object is closed or partially open and the reader adds an optional property.",
        [PropertyRemovedFromOpenContentModel] = "The reader's object is open and no longer names a property: it still accepts any value there.",
        [PropertyWithFalseRemovedFromClosedContentModel] = "The reader's object is closed and drops a property the writer forbade anyway (false).",
        [PropertyRemovedFromClosedContentModel] = "The reader's object is closed and drops a property the writer's documents may hold.",
        [PropertyRemovedIsCoveredByPartiallyOpenContentModel] = "The reader drops a property, and its additionalProperties or patternProperties schema accepts what the writer allowed there.",
        [PropertyRemovedNotCoveredByPartiallyOpenContentModel] = "The reader drops a property, and its additionalProperties or patternProperties schema does not accept what the writer allowed there.",
        [PropertyAddedIsCoveredByPartiallyOpenContentModel] = "The reader adds a property that accepts what the writer's additionalProperties or patternProperties allowed there.",
        [PropertyAddedNotCoveredByPartiallyOpenContentModel] = "The reader adds a property that does not accept what the writer's additionalProperties or patternProperties allowed there.",
        [UnevaluatedPropertiesAdded] = "The reader allows unevaluated properties the writer forbade.",
        [UnevaluatedPropertiesRemoved] = "The reader forbids unevaluated properties the writer allowed.",
        [UnevaluatedPropertiesExtended] = "The reader allows any unevaluated property where the writer constrained them.",
        [UnevaluatedPropertiesNarrowed] = "The reader constrains unevaluated properties the writer allowed freely.",
        [MaxItemsAdded] = "The reader adds maxItems.",
        [MaxItemsRemoved] = "The reader drops maxItems.",
        [MaxItemsIncreased] = "The reader's maxItems is larger.",
        [MaxItemsDecreased] = "The reader's maxItems is smaller.",
        [MinItemsAdded] = "The reader adds minItems.",
        [MinItemsRemoved] = "The reader drops minItems.",
        [MinItemsIncreased] = "The reader's minItems is larger.",
        [MinItemsDecreased] = "The reader's minItems is smaller.",
        [MaxContainsAdded] = "The reader adds maxContains.",
        [MaxContainsRemoved] = "The reader drops maxContains.",
        [MaxContainsIncreased] = "The reader's maxContains is larger.",
        [MaxContainsDecreased] = "The reader's maxContains is smaller.",
        [MinContainsAdded] = "The reader adds minContains.",
        [MinContainsRemoved] = "The reader drops minContains.",
        [MinContainsIncreased] = "The reader's minContains is larger.",
        [MinContainsDecreased] = "The reader's minContains is smaller.",
        [UniqueItemsAdded] = "The reader requires unique items.",
        [UniqueItemsRemoved] = "The reader no longer requires unique items.",
        [AdditionalItemsAdded] = "The reader allows items past the positional ones, which the writer forbade.",
        [AdditionalItemsRemoved] = "The reader forbids items past the positional ones, which the writer allowed.",
        [AdditionalItemsExtended] = "The reader allows any additional item where the writer constrained them with a schema.",
        [AdditionalItemsNarrowed] = "The reader constrains additional items with a schema where the writer allowed any.",
        [UnevaluatedItemsAdded] = "The reader allows unevaluated items the writer forbade.",
        [UnevaluatedItemsRemoved] = "The reader forbids unevaluated items the writer allowed.",
        [UnevaluatedItemsExtended] = "The reader allows any unevaluated item where the writer constrained them.",
        [UnevaluatedItemsNarrowed] = "The reader constrains unevaluated items the writer allowed freely.",
        [ItemAddedToOpenContentModel] = "The writer's array is open (any extra item) and the reader adds a positional item schema: old items there may not satisfy it.",
        [ItemWithEmptySchemaAddedToOpenContentModel] = "The writer's array is open and the reader adds a positional item that accepts anything.",
        [ItemAddedToClosedContentModel] = "The writer's array is closed and the reader adds a positional item the writer never wrote.",
        [ItemRemovedFromOpenContentModel] = "The reader's array is open and drops a positional item schema: it accepts any item there.",
        [ItemWithFalseRemovedFromClosedContentModel] = "The reader's array is closed and drops a positional item the writer forbade anyway (false).",
        [ItemRemovedFromClosedContentModel] = "The reader's array is closed and drops a positional item the writer's documents may hold.",
        [ItemRemovedIsCoveredByPartiallyOpenContentModel] = "The reader drops a positional item, and its additional-items schema accepts what the writer allowed there.",
        [ItemRemovedNotCoveredByPartiallyOpenContentModel] = "The reader drops a positional item, and its additional-items schema does not accept what the writer allowed there.",
        [ItemAddedIsCoveredByPartiallyOpenContentModel] = "The reader adds a positional item that accepts what the writer's additional-items schema allowed there.",
        [ItemAddedNotCoveredByPartiallyOpenContentModel] = "The reader adds a positional item that does not accept what the writer's additional-items schema allowed there.",
        [EnumArrayExtended] = "The reader's enum has more values.",
        [EnumArrayNarrowed] = "The reader's enum lacks values the writer allowed.",
        [EnumArrayChanged] = "The enum (or const) values differ.",
        [CombinedTypeExtended] = "The combination is looser (allOf or oneOf to anyOf, or a one-schema combination to oneOf).",
        [CombinedTypeChanged] = "The combination changed in a way that may refuse old documents (e.g. anyOf to allOf).",
        [ProductTypeExtended] = "The reader's allOf has more schemas, each of which documents must satisfy.",
        [ProductTypeNarrowed] = "The reader's allOf has fewer schemas.",
        [SumTypeExtended] = "The reader's anyOf/oneOf (or type array) has more alternatives.",
        [SumTypeNarrowed] = "The reader's anyOf/oneOf (or type array) has fewer alternatives.",
        [CombinedTypeSubschemasChanged] = "Some of the writer's alternatives match none of the reader's.",
        [NotTypeExtended] = "The reader's 'not' excludes values the writer's did not.",
        [NotTypeNarrowed] = "The reader's 'not' excludes fewer values.",
    };

    /// <summary>Every kind, compatible or not.</summary>
    public static IReadOnlyCollection<string> All => Descriptions.Keys;

    /// <summary>Whether documents valid under the writer stay valid under the reader despite a change of this kind.</summary>
    public static bool IsCompatible(string kind) => CompatibleKinds.Contains(kind);

    /// <summary>What a change of this kind means.</summary>
    public static string Describe(string kind) => Descriptions.TryGetValue(kind, out var text) ? text : kind;
}
