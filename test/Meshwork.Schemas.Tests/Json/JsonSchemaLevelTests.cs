using Meshwork.Schemas.Json;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>Compatibility levels over JSON Schemas, through <see cref="Compatibility.Check(CompatibilityLevel, ParsedSchema, IReadOnlyList{ParsedSchema})"/>.</summary>
public sealed class JsonSchemaLevelTests
{
    // A closed object evolving: v2 adds an optional property, v3 also makes "name" optional.
    private static readonly ParsedSchema V1 = Parse("""{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id","name"],"additionalProperties":false}""");
    private static readonly ParsedSchema V2 = Parse("""{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"}},"required":["id","name"],"additionalProperties":false}""");
    private static readonly ParsedSchema V3 = Parse("""{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"email":{"type":"string"}},"required":["id"],"additionalProperties":false}""");

    // Drops "email": fine for data written with v1, not for data written with v2 (closed: email is no longer allowed).
    private static readonly ParsedSchema DropsEmail = Parse("""{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"],"additionalProperties":false}""");

    [Fact]
    public void Backward_AddingAnOptionalPropertyToAClosedObject_IsCompatible()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, V2, [V1]));
        Assert.Empty(Compatibility.Check(CompatibilityLevel.BackwardTransitive, V3, [V1, V2]));
    }

    [Fact]
    public void Forward_MakingARequiredPropertyOptional_IsIncompatible()
    {
        // v2 readers require "name"; v3 writers may leave it out.
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Forward, V3, [V2]));

        Assert.Equal(JsonSchemaDifferenceKinds.RequiredAttributeAdded, problem.Kind);
        Assert.Equal("/required/name", problem.Location);
        Assert.StartsWith("Forward: previous version 1 of 1 (the latest) cannot read data written with the candidate", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Full_ChecksBothDirections()
    {
        // Backward v2 reads v1's data; forward v1 (closed) refuses v2's "email".
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Full, V2, [V1]));
        Assert.StartsWith("Forward:", problem.Message, StringComparison.Ordinal);
        Assert.Equal(JsonSchemaDifferenceKinds.PropertyRemovedFromClosedContentModel, problem.Kind);
        Assert.Equal("/properties/email", problem.Location);

        var described = Parse("""{"description":"users","type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id","name"],"additionalProperties":false}""");
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Full, described, [V1]));
    }

    [Fact]
    public void Backward_ChecksOnlyTheLatest_TransitiveChecksAll()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, DropsEmail, [V2, V1]));
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.BackwardTransitive, DropsEmail, [V2, V1]));
        Assert.Equal(JsonSchemaDifferenceKinds.PropertyRemovedFromClosedContentModel, problem.Kind);
        Assert.Contains("previous version 1 of 2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForwardTransitive_And_FullTransitive_CheckEveryVersion()
    {
        // Old readers of v1 (closed, no email) cannot read a candidate that writes email; v2 readers can.
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Forward, V2, [V1, V2]));
        Assert.Single(Compatibility.Check(CompatibilityLevel.ForwardTransitive, V2, [V1, V2]));
        Assert.NotEmpty(Compatibility.Check(CompatibilityLevel.FullTransitive, V2, [V1, V2]));
    }

    [Fact]
    public void None_ChecksNothing()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.None, Parse("""{"type":"string"}"""), [V1]));
    }

    private static ParsedSchema Parse(string json) => JsonSchemaFormat.Instance.Parse(json, []);
}
