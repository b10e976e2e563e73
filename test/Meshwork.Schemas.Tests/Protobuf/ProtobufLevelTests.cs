using Meshwork.Schemas.Protobuf;

namespace Meshwork.Schemas.Tests.Protobuf;

/// <summary>Compatibility levels over Protobuf schemas.</summary>
public sealed class ProtobufLevelTests
{
    private static readonly ParsedSchema V1 = Parse("syntax = \"proto2\"; message User { required int64 id = 1; optional string name = 2; }");
    private static readonly ParsedSchema V2 = Parse("syntax = \"proto2\"; message User { required int64 id = 1; optional string name = 2; optional string email = 3; }");
    private static readonly ParsedSchema WithAge = Parse("syntax = \"proto2\"; message User { required int64 id = 1; optional string name = 2; required int32 age = 4; }");
    private static readonly ParsedSchema NameAsInt = Parse("syntax = \"proto2\"; message User { required int64 id = 1; optional int64 name = 2; }");

    [Fact]
    public void Backward_AddingAnOptionalField_IsCompatible_AddingARequiredOne_IsNot()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, V2, [V1]));
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Backward, WithAge, [V1]));
        Assert.Equal(ProtobufDifferenceKinds.RequiredFieldAdded, problem.Kind);
        Assert.Equal("/User/4", problem.Location);
    }

    [Fact]
    public void Forward_AddingARequiredField_IsIncompatible_Too()
    {
        // Confluent flags a required field in either direction: here old readers see it as a removal.
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Forward, WithAge, [V1]));

        Assert.Equal(ProtobufDifferenceKinds.RequiredFieldRemoved, problem.Kind);
    }

    [Fact]
    public void Full_AddingAnOptionalField_IsCompatible()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Full, V2, [V1]));
        Assert.Empty(Compatibility.Check(CompatibilityLevel.FullTransitive, V2, [V1, V2]));
    }

    [Fact]
    public void Transitive_ChecksOlderVersions()
    {
        // The latest already has the int field; only v1 still says string.
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, NameAsInt, [V1, NameAsInt]));
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.BackwardTransitive, NameAsInt, [V1, NameAsInt]));
        Assert.Equal(ProtobufDifferenceKinds.FieldScalarKindChanged, problem.Kind);
        Assert.Contains("previous version 1 of 2", problem.Message, StringComparison.Ordinal);
        Assert.Single(Compatibility.Check(CompatibilityLevel.ForwardTransitive, NameAsInt, [V1, NameAsInt]));
    }

    private static ParsedSchema Parse(string proto) => ProtobufSchemaFormat.Instance.Parse(proto, []);
}
