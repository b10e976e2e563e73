namespace Meshwork.Schemas.Protobuf;

/// <summary>
/// The changes the Protobuf checker reports, named after the Confluent schema registry's Protobuf
/// <c>Difference.Type</c> in PascalCase (<c>FIELD_SCALAR_KIND_CHANGED</c> is <see cref="FieldScalarKindChanged"/>), with
/// Confluent's verdict on each: <see cref="IsCompatible"/>. "Reader" is the new schema of a backward check, "writer" the old one.
/// </summary>
public static class ProtobufDifferenceKinds
{
    /// <summary>Incompatible: The package changed, which changes every message's full name.</summary>
    public const string PackageChanged = "PackageChanged";

    /// <summary>Compatible: The reader adds a message.</summary>
    public const string MessageAdded = "MessageAdded";

    /// <summary>Incompatible: The reader lacks a message the writer had.</summary>
    public const string MessageRemoved = "MessageRemoved";

    /// <summary>Compatible: A message moved among the file's messages (message indexes are resolved against the writer's schema).</summary>
    public const string MessageMoved = "MessageMoved";

    /// <summary>Compatible: The reader adds an enum.</summary>
    public const string EnumAdded = "EnumAdded";

    /// <summary>Compatible: The reader drops an enum.</summary>
    public const string EnumRemoved = "EnumRemoved";

    /// <summary>Compatible: The reader adds an enum value.</summary>
    public const string EnumConstAdded = "EnumConstAdded";

    /// <summary>Compatible: An enum value's name changed (the number is what travels).</summary>
    public const string EnumConstChanged = "EnumConstChanged";

    /// <summary>Compatible: The reader drops an enum value (unknown numbers are kept as such).</summary>
    public const string EnumConstRemoved = "EnumConstRemoved";

    /// <summary>Compatible: The reader adds a field; old messages simply lack it.</summary>
    public const string FieldAdded = "FieldAdded";

    /// <summary>Compatible: The reader drops a field; it skips it in old messages.</summary>
    public const string FieldRemoved = "FieldRemoved";

    /// <summary>Compatible: A field's name changed (the number is what travels).</summary>
    public const string FieldNameChanged = "FieldNameChanged";

    /// <summary>Incompatible: A field changed between scalar (or enum), message and map.</summary>
    public const string FieldKindChanged = "FieldKindChanged";

    /// <summary>Incompatible: A scalar field changed to a type whose wire encoding differs (the compatible groups are int32/uint32/int64/uint64/bool/enum, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64, string/bytes).</summary>
    public const string FieldScalarKindChanged = "FieldScalarKindChanged";

    /// <summary>Incompatible: A message field now names another message, or a message it names changed incompatibly.</summary>
    public const string FieldNamedTypeChanged = "FieldNamedTypeChanged";

    /// <summary>Incompatible: A numeric field's label changed (optional, required, repeated), which changes how it is encoded.</summary>
    public const string FieldNumericLabelChanged = "FieldNumericLabelChanged";

    /// <summary>Compatible: A string or bytes field's label changed.</summary>
    public const string FieldStringOrBytesLabelChanged = "FieldStringOrBytesLabelChanged";

    /// <summary>Incompatible: The reader adds a required field, which old messages lack.</summary>
    public const string RequiredFieldAdded = "RequiredFieldAdded";

    /// <summary>Incompatible: The reader drops a required field, which old readers still expect.</summary>
    public const string RequiredFieldRemoved = "RequiredFieldRemoved";

    /// <summary>Compatible: The reader adds a oneof.</summary>
    public const string OneofAdded = "OneofAdded";

    /// <summary>Compatible: The reader drops a whole oneof (none of its fields survive).</summary>
    public const string OneofRemoved = "OneofRemoved";

    /// <summary>Compatible: The reader adds a field to a oneof.</summary>
    public const string OneofFieldAdded = "OneofFieldAdded";

    /// <summary>Incompatible: The reader drops a field of a oneof that still exists, losing the value old messages set there.</summary>
    public const string OneofFieldRemoved = "OneofFieldRemoved";

    /// <summary>Compatible: A oneof's field became an ordinary field (same number and type).</summary>
    public const string OneofFieldMovedToTopLevel = "OneofFieldMovedToTopLevel";

    /// <summary>Incompatible: Several fields that could all be set are now in one oneof: an old message setting more than one loses values.</summary>
    public const string MultipleFieldsMovedToOneof = "MultipleFieldsMovedToOneof";

    /// <summary>Incompatible: A field that could be set beside others now shares a oneof with them.</summary>
    public const string FieldMovedToExistingOneof = "FieldMovedToExistingOneof";

    private static readonly HashSet<string> CompatibleKinds = new(StringComparer.Ordinal)
    {
        MessageAdded,
        MessageMoved,
        EnumAdded,
        EnumRemoved,
        EnumConstAdded,
        EnumConstChanged,
        EnumConstRemoved,
        FieldAdded,
        FieldRemoved,
        FieldNameChanged,
        FieldStringOrBytesLabelChanged,
        OneofAdded,
        OneofRemoved,
        OneofFieldAdded,
        OneofFieldMovedToTopLevel,
    };

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [PackageChanged] = "The package changed, which changes every message's full name.",
        [MessageAdded] = "The reader adds a message.",
        [MessageRemoved] = "The reader lacks a message the writer had.",
        [MessageMoved] = "A message moved among the file's messages (message indexes are resolved against the writer's schema).",
        [EnumAdded] = "The reader adds an enum.",
        [EnumRemoved] = "The reader drops an enum.",
        [EnumConstAdded] = "The reader adds an enum value.",
        [EnumConstChanged] = "An enum value's name changed (the number is what travels).",
        [EnumConstRemoved] = "The reader drops an enum value (unknown numbers are kept as such).",
        [FieldAdded] = "The reader adds a field; old messages simply lack it.",
        [FieldRemoved] = "The reader drops a field; it skips it in old messages.",
        [FieldNameChanged] = "A field's name changed (the number is what travels).",
        [FieldKindChanged] = "A field changed between scalar (or enum), message and map.",
        [FieldScalarKindChanged] = "A scalar field changed to a type whose wire encoding differs (the compatible groups are int32/uint32/int64/uint64/bool/enum, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64, string/bytes).",
        [FieldNamedTypeChanged] = "A message field now names another message, or a message it names changed incompatibly.",
        [FieldNumericLabelChanged] = "A numeric field's label changed (optional, required, repeated), which changes how it is encoded.",
        [FieldStringOrBytesLabelChanged] = "A string or bytes field's label changed.",
        [RequiredFieldAdded] = "The reader adds a required field, which old messages lack.",
        [RequiredFieldRemoved] = "The reader drops a required field, which old readers still expect.",
        [OneofAdded] = "The reader adds a oneof.",
        [OneofRemoved] = "The reader drops a whole oneof (none of its fields survive).",
        [OneofFieldAdded] = "The reader adds a field to a oneof.",
        [OneofFieldRemoved] = "The reader drops a field of a oneof that still exists, losing the value old messages set there.",
        [OneofFieldMovedToTopLevel] = "A oneof's field became an ordinary field (same number and type).",
        [MultipleFieldsMovedToOneof] = "Several fields that could all be set are now in one oneof: an old message setting more than one loses values.",
        [FieldMovedToExistingOneof] = "A field that could be set beside others now shares a oneof with them.",
    };

    /// <summary>Every kind, compatible or not.</summary>
    public static IReadOnlyCollection<string> All => Descriptions.Keys;

    /// <summary>Whether messages written with the writer stay readable with the reader despite a change of this kind.</summary>
    public static bool IsCompatible(string kind) => CompatibleKinds.Contains(kind);

    /// <summary>What a change of this kind means.</summary>
    public static string Describe(string kind) => Descriptions.TryGetValue(kind, out var text) ? text : kind;
}
