using static Meshwork.Schemas.Json.JsonSchemaDifferenceKinds;
using static Meshwork.Schemas.Tests.Json.Js;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>
/// Objects and their content models. Open: any unnamed property may hold anything. Closed:
/// <c>additionalProperties: false</c>. Partially open: unnamed properties must match <c>additionalProperties</c>
/// or <c>patternProperties</c> schemas.
/// </summary>
public sealed class JsonSchemaObjectTests
{
    private const string Name = "\"name\":{\"type\":\"string\"}";
    private const string Age = "\"age\":{\"type\":\"integer\"}";
    private const string Closed = "\"additionalProperties\":false";

    // --- Adding a property ---

    [Fact]
    public void AddOptionalProperty_ToOpenWriter_IsIncompatible()
    {
        // An open writer may already have written "age" holding anything, a string say.
        var problem = Assert.Single(CanRead(Obj($"{Name},{Age}"), Obj(Name)));

        Assert.Equal(OptionalPropertyAddedToOpenContentModel, problem.Kind);
        Assert.Equal("/properties/age", problem.Location);
    }

    [Fact]
    public void AddRequiredProperty_ToOpenWriter_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Obj($"{Name},{Age}", "\"required\":[\"age\"]"), Obj(Name)));

        Assert.Equal(RequiredPropertyAddedToOpenContentModel, problem.Kind);
    }

    [Fact]
    public void AddRequiredPropertyWithDefault_ToOpenWriter_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Obj($"{Name},\"age\":{{\"type\":\"integer\",\"default\":0}}", "\"required\":[\"age\"]"), Obj(Name)));

        Assert.Equal(RequiredPropertyWithDefaultAddedToOpenContentModel, problem.Kind);
    }

    [Fact]
    public void AddPropertyWithEmptySchema_ToOpenWriter_IsCompatible()
    {
        Assert.Empty(CanRead(Obj($"{Name},\"extra\":{{}}"), Obj(Name)));
        Assert.Equal(PropertyWithEmptySchemaAddedToOpenContentModel, Change(Obj(Name), Obj($"{Name},\"extra\":true"), PropertyWithEmptySchemaAddedToOpenContentModel).Kind);
    }

    [Fact]
    public void AddOptionalProperty_ToClosedWriter_IsCompatible()
    {
        // A closed writer never wrote "age": a reader that merely allows it reads everything.
        Assert.Empty(CanRead(Obj($"{Name},{Age}", Closed), Obj(Name, Closed)));
        Assert.True(Change(Obj(Name, Closed), Obj($"{Name},{Age}", Closed), OptionalPropertyAddedToUnopenContentModel).Compatible);
    }

    [Fact]
    public void AddRequiredProperty_ToClosedWriter_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Obj($"{Name},{Age}", $"\"required\":[\"age\"],{Closed}"), Obj(Name, Closed)));

        Assert.Equal(RequiredPropertyAddedToUnopenContentModel, problem.Kind);
        Assert.Equal("/properties/age", problem.Location);
    }

    [Fact]
    public void AddRequiredPropertyWithDefault_ToClosedWriter_IsCompatible()
    {
        var writer = Obj(Name, Closed);
        var reader = Obj($"{Name},\"age\":{{\"type\":\"integer\",\"default\":0}}", $"\"required\":[\"age\"],{Closed}");

        Assert.Empty(CanRead(reader, writer));
        Assert.True(Change(writer, reader, RequiredPropertyWithDefaultAddedToUnopenContentModel).Compatible);
    }

    [Fact]
    public void AddProperty_CoveredByWritersAdditionalPropertiesSchema_IsCompatible()
    {
        // The writer allowed any extra property as long as it is an integer; the new property is an integer (or wider).
        var writer = Obj(Name, "\"additionalProperties\":{\"type\":\"integer\"}");
        var reader = Obj($"{Name},\"age\":{{\"type\":\"number\"}}", "\"additionalProperties\":{\"type\":\"integer\"}");

        Assert.Empty(CanRead(reader, writer));
        Assert.True(Change(writer, reader, PropertyAddedIsCoveredByPartiallyOpenContentModel).Compatible);
        Assert.Contains(Diff(writer, reader), d => d.Kind == TypeExtended && d.Location == "/properties/age");
    }

    [Fact]
    public void AddProperty_NotCoveredByWritersAdditionalPropertiesSchema_IsIncompatible()
    {
        var writer = Obj(Name, "\"additionalProperties\":{\"type\":\"integer\"}");
        var reader = Obj($"{Name},\"age\":{{\"type\":\"string\"}}", "\"additionalProperties\":{\"type\":\"integer\"}");

        var problems = CanRead(reader, writer);

        Assert.Contains(problems, p => p.Kind == PropertyAddedNotCoveredByPartiallyOpenContentModel && p.Location == "/properties/age");
        Assert.Contains(problems, p => p.Kind == TypeChanged && p.Location == "/properties/age");
    }

    [Fact]
    public void AddProperty_MatchingWritersPatternProperties_IsComparedWithThatPattern()
    {
        var writer = Obj(Name, "\"patternProperties\":{\"^x_\":{\"type\":\"string\"}},\"additionalProperties\":false");

        Assert.Empty(CanRead(Obj($"{Name},\"x_tag\":{{\"type\":\"string\"}}", "\"patternProperties\":{\"^x_\":{\"type\":\"string\"}},\"additionalProperties\":false"), writer));
        Assert.Contains(CanRead(Obj($"{Name},\"x_tag\":{{\"type\":\"boolean\"}}", "\"patternProperties\":{\"^x_\":{\"type\":\"string\"}},\"additionalProperties\":false"), writer),
            p => p.Kind == PropertyAddedNotCoveredByPartiallyOpenContentModel);
    }

    // --- Removing a property ---

    [Fact]
    public void RemoveProperty_FromOpenReader_IsCompatible()
    {
        // The open reader still accepts "age" as an unnamed property.
        Assert.Empty(CanRead(Obj(Name), Obj($"{Name},{Age}")));
        Assert.True(Change(Obj($"{Name},{Age}"), Obj(Name), PropertyRemovedFromOpenContentModel).Compatible);
    }

    [Fact]
    public void RemoveProperty_FromClosedReader_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Obj(Name, Closed), Obj($"{Name},{Age}", Closed)));

        Assert.Equal(PropertyRemovedFromClosedContentModel, problem.Kind);
        Assert.Equal("/properties/age", problem.Location);
    }

    [Fact]
    public void RemoveFalseProperty_FromClosedReader_IsCompatible()
    {
        // The writer forbade "age" (false), so no old document has it.
        Assert.Empty(CanRead(Obj(Name, Closed), Obj($"{Name},\"age\":false", Closed)));
        Assert.True(Change(Obj($"{Name},\"age\":false", Closed), Obj(Name, Closed), PropertyWithFalseRemovedFromClosedContentModel).Compatible);
    }

    [Fact]
    public void RemoveProperty_CoveredByReadersAdditionalPropertiesSchema_IsCompatible()
    {
        var reader = Obj(Name, "\"additionalProperties\":{\"type\":\"number\"}");

        Assert.Empty(CanRead(reader, Obj($"{Name},{Age}", "\"additionalProperties\":{\"type\":\"number\"}")));
        Assert.True(Change(Obj($"{Name},{Age}", "\"additionalProperties\":{\"type\":\"number\"}"), reader, PropertyRemovedIsCoveredByPartiallyOpenContentModel).Compatible);
    }

    [Fact]
    public void RemoveProperty_NotCoveredByReadersAdditionalPropertiesSchema_IsIncompatible()
    {
        var reader = Obj(Name, "\"additionalProperties\":{\"type\":\"boolean\"}");

        Assert.Contains(CanRead(reader, Obj($"{Name},{Age}", "\"additionalProperties\":{\"type\":\"boolean\"}")),
            p => p.Kind == PropertyRemovedNotCoveredByPartiallyOpenContentModel && p.Location == "/properties/age");
    }

    [Fact]
    public void RemoveProperty_CoveredByReadersPatternProperties_IsCompatible()
    {
        var patterns = "\"patternProperties\":{\"^a\":{\"type\":\"integer\"}},\"additionalProperties\":false";

        Assert.Empty(CanRead(Obj(Name, patterns), Obj($"{Name},{Age}", patterns)));
    }

    [Fact]
    public void RemoveProperty_FromReaderWithUnevaluatedPropertiesFalse_IsIncompatible()
    {
        // unevaluatedProperties: false closes an object as additionalProperties: false does.
        var problem = Assert.Single(CanRead(Obj(Name, "\"unevaluatedProperties\":false"), Obj($"{Name},{Age}", "\"unevaluatedProperties\":false")));

        Assert.Equal(PropertyRemovedFromClosedContentModel, problem.Kind);
    }

    // --- required ---

    [Fact]
    public void MakeOptionalPropertyRequired_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Obj($"{Name},{Age}", "\"required\":[\"name\",\"age\"]"), Obj($"{Name},{Age}", "\"required\":[\"name\"]")));

        Assert.Equal(RequiredAttributeAdded, problem.Kind);
        Assert.Equal("/required/age", problem.Location);
    }

    [Fact]
    public void MakeOptionalPropertyRequired_WithDefault_IsCompatible()
    {
        var writer = Obj($"{Name},\"age\":{{\"type\":\"integer\",\"default\":18}}");
        var reader = Obj($"{Name},\"age\":{{\"type\":\"integer\",\"default\":18}}", "\"required\":[\"age\"]");

        Assert.Empty(CanRead(reader, writer));
        Assert.True(Change(writer, reader, RequiredAttributeWithDefaultAdded).Compatible);
    }

    [Fact]
    public void MakeRequiredPropertyOptional_IsCompatible()
    {
        var writer = Obj($"{Name},{Age}", "\"required\":[\"name\",\"age\"]");
        var reader = Obj($"{Name},{Age}", "\"required\":[\"name\"]");

        Assert.Empty(CanRead(reader, writer));
        Assert.Equal("/required/age", Change(writer, reader, RequiredAttributeRemoved).Location);
    }

    // --- additionalProperties ---

    [Fact]
    public void OpenAClosedObject_IsCompatible_AndCloseAnOpenOne_IsNot()
    {
        Assert.True(Change(Obj(Name, Closed), Obj(Name), AdditionalPropertiesAdded).Compatible);
        var problem = Assert.Single(CanRead(Obj(Name, Closed), Obj(Name)));
        Assert.Equal(AdditionalPropertiesRemoved, problem.Kind);
        Assert.Equal("/additionalProperties", problem.Location);
    }

    [Fact]
    public void ConstrainAdditionalProperties_IsIncompatible_AndLiftingTheConstraint_IsCompatible()
    {
        var constrained = Obj(Name, "\"additionalProperties\":{\"type\":\"string\"}");

        Assert.Equal(AdditionalPropertiesNarrowed, Assert.Single(CanRead(constrained, Obj(Name))).Kind);
        Assert.True(Change(constrained, Obj(Name), AdditionalPropertiesExtended).Compatible);
    }

    [Fact]
    public void ChangeAdditionalPropertiesSchema_IsComparedLikeAnyOtherSchema()
    {
        var problem = Assert.Single(CanRead(Obj(Name, "\"additionalProperties\":{\"type\":\"integer\",\"maximum\":5}"), Obj(Name, "\"additionalProperties\":{\"type\":\"integer\"}")));

        Assert.Equal(MaximumAdded, problem.Kind);
        Assert.Equal("/additionalProperties/maximum", problem.Location);
    }

    [Fact]
    public void UnevaluatedProperties_ClosingAndOpening()
    {
        Assert.Equal(UnevaluatedPropertiesRemoved, Assert.Single(CanRead(Obj(Name, Closed + ",\"unevaluatedProperties\":false"), Obj(Name, Closed))).Kind);
        Assert.True(Change(Obj(Name, Closed + ",\"unevaluatedProperties\":false"), Obj(Name, Closed), UnevaluatedPropertiesAdded).Compatible);
        Assert.True(Change(Obj(Name, Closed + ",\"unevaluatedProperties\":{\"type\":\"string\"}"), Obj(Name, Closed), UnevaluatedPropertiesExtended).Compatible);
        Assert.False(Change(Obj(Name, Closed), Obj(Name, Closed + ",\"unevaluatedProperties\":{\"type\":\"string\"}"), UnevaluatedPropertiesNarrowed).Compatible);
    }

    // --- dependencies ---

    [Fact]
    public void PropertyDependencies_AddingOrExtending_IsIncompatible_RemovingOrNarrowing_IsNot()
    {
        var none = Obj($"{Name},{Age}");
        var one = Obj($"{Name},{Age}", "\"dependentRequired\":{\"name\":[\"age\"]}");
        var two = Obj($"{Name},{Age},\"x\":{{}}", "\"dependentRequired\":{\"name\":[\"age\",\"x\"]}");

        Assert.Equal("/dependencies/name", Assert.Single(CanRead(one, none)).Location);
        Assert.Equal(DependencyArrayAdded, Assert.Single(CanRead(one, none)).Kind);
        Assert.True(Change(one, none, DependencyArrayRemoved).Compatible);
        Assert.False(Change(Obj($"{Name},{Age},\"x\":{{}}", "\"dependencies\":{\"name\":[\"age\"]}"), two, DependencyArrayExtended).Compatible);
        Assert.True(Change(two, Obj($"{Name},{Age},\"x\":{{}}", "\"dependencies\":{\"name\":[\"age\"]}"), DependencyArrayNarrowed).Compatible);
        Assert.False(Change(one, Obj($"{Name},{Age}", "\"dependentRequired\":{\"name\":[\"x\"]}"), DependencyArrayChanged).Compatible);
    }

    [Fact]
    public void SchemaDependencies_AddingIsIncompatible_RemovingIsNot()
    {
        var none = Obj($"{Name},{Age}");
        var with = Obj($"{Name},{Age}", "\"dependentSchemas\":{\"name\":{\"required\":[\"age\"]}}");

        Assert.Equal(DependencySchemaAdded, Assert.Single(CanRead(with, none)).Kind);
        Assert.True(Change(with, none, DependencySchemaRemoved).Compatible);
    }

    // --- nesting and annotations ---

    [Fact]
    public void NestedObjects_AreComparedProperty_ByProperty_WithTheFullPath()
    {
        var writer = Obj("\"address\":" + Obj("\"zip\":{\"type\":\"string\"}"));
        var reader = Obj("\"address\":" + Obj("\"zip\":{\"type\":\"integer\"}"));

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(TypeChanged, problem.Kind);
        Assert.Equal("/properties/address/properties/zip", problem.Location);
    }

    [Fact]
    public void Annotations_ChangeCompatibly()
    {
        var writer = """{"$id":"a","title":"A","description":"one","default":{},"type":"object"}""";
        var reader = """{"$id":"b","title":"B","description":"two","default":{"x":1},"type":"object"}""";

        var changes = Diff(writer, reader);

        Assert.Equal([IdChanged, TitleChanged, DescriptionChanged, DefaultChanged], changes.Select(c => c.Kind));
        Assert.All(changes, c => Assert.True(c.Compatible));
    }

    [Fact]
    public void PropertyNameWithSlash_IsEscapedInTheLocation()
    {
        var problem = Assert.Single(CanRead(Obj("\"a/b\":{\"type\":\"integer\"}"), Obj("\"a/b\":{\"type\":\"string\"}")));

        Assert.Equal("/properties/a~1b", problem.Location);
    }
}
