namespace Meshwork.Schemas;

/// <summary>
/// The kinds of Avro <see cref="SchemaIncompatibility"/>, named after Apache Avro's <c>SchemaIncompatibilityType</c>,
/// and the one kind every format shares (<see cref="SchemaTypeMismatch"/>). JSON Schema and Protobuf name theirs
/// after Confluent's differences: <see cref="Json.JsonSchemaDifferenceKinds"/>, <see cref="Protobuf.ProtobufDifferenceKinds"/>.
/// </summary>
public static class SchemaIncompatibilityKinds
{
    /// <summary>Named types (record, enum, fixed) whose names differ and no reader alias names the writer (NAME_MISMATCH).</summary>
    public const string NameMismatch = "NameMismatch";

    /// <summary>Fixed types of different sizes (FIXED_SIZE_MISMATCH).</summary>
    public const string FixedSizeMismatch = "FixedSizeMismatch";

    /// <summary>Writer enum symbols the reader lacks, with no reader enum default (MISSING_ENUM_SYMBOLS).</summary>
    public const string MissingEnumSymbols = "MissingEnumSymbols";

    /// <summary>A reader field absent from the writer record that has no default (READER_FIELD_MISSING_DEFAULT_VALUE).</summary>
    public const string ReaderFieldMissingDefaultValue = "ReaderFieldMissingDefaultValue";

    /// <summary>Types that cannot be resolved, not even by promotion (TYPE_MISMATCH).</summary>
    public const string TypeMismatch = "TypeMismatch";

    /// <summary>A writer type (or writer union branch) that no branch of the reader union can read (MISSING_UNION_BRANCH).</summary>
    public const string MissingUnionBranch = "MissingUnionBranch";

    /// <summary>The schemas are of different types (AVRO, JSON, PROTOBUF); Confluent's "Incompatible because of different schema type".</summary>
    public const string SchemaTypeMismatch = "SchemaTypeMismatch";
}
