using static Meshwork.Schemas.Json.JsonSchemaDifferenceKinds;
using static Meshwork.Schemas.Tests.Json.Js;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>Keywords that bound values: relaxing one keeps old documents valid, tightening one may not.</summary>
public sealed class JsonSchemaConstraintTests
{
    // (writer keywords, reader keywords, expected kind, compatible, keyword) on a string, number, object or array.
    public static TheoryData<string, string, string, string, bool, string> Constraints => new()
    {
        { "string", "", "\"maxLength\":5", MaxLengthAdded, false, "maxLength" },
        { "string", "\"maxLength\":5", "", MaxLengthRemoved, true, "maxLength" },
        { "string", "\"maxLength\":5", "\"maxLength\":9", MaxLengthIncreased, true, "maxLength" },
        { "string", "\"maxLength\":9", "\"maxLength\":5", MaxLengthDecreased, false, "maxLength" },
        { "string", "", "\"minLength\":2", MinLengthAdded, false, "minLength" },
        { "string", "\"minLength\":2", "", MinLengthRemoved, true, "minLength" },
        { "string", "\"minLength\":2", "\"minLength\":3", MinLengthIncreased, false, "minLength" },
        { "string", "\"minLength\":3", "\"minLength\":2", MinLengthDecreased, true, "minLength" },
        { "string", "", "\"pattern\":\"^a\"", PatternAdded, false, "pattern" },
        { "string", "\"pattern\":\"^a\"", "", PatternRemoved, true, "pattern" },
        { "string", "\"pattern\":\"^a\"", "\"pattern\":\"^b\"", PatternChanged, false, "pattern" },
        { "number", "", "\"maximum\":10", MaximumAdded, false, "maximum" },
        { "number", "\"maximum\":10", "", MaximumRemoved, true, "maximum" },
        { "number", "\"maximum\":10", "\"maximum\":20", MaximumIncreased, true, "maximum" },
        { "number", "\"maximum\":20", "\"maximum\":10", MaximumDecreased, false, "maximum" },
        { "number", "", "\"minimum\":1", MinimumAdded, false, "minimum" },
        { "number", "\"minimum\":1", "", MinimumRemoved, true, "minimum" },
        { "number", "\"minimum\":1", "\"minimum\":2", MinimumIncreased, false, "minimum" },
        { "number", "\"minimum\":2", "\"minimum\":1", MinimumDecreased, true, "minimum" },
        { "number", "", "\"exclusiveMaximum\":10", ExclusiveMaximumAdded, false, "exclusiveMaximum" },
        { "number", "\"exclusiveMaximum\":10", "", ExclusiveMaximumRemoved, true, "exclusiveMaximum" },
        { "number", "\"exclusiveMaximum\":10", "\"exclusiveMaximum\":11", ExclusiveMaximumIncreased, true, "exclusiveMaximum" },
        { "number", "\"exclusiveMaximum\":11", "\"exclusiveMaximum\":10", ExclusiveMaximumDecreased, false, "exclusiveMaximum" },
        { "number", "", "\"exclusiveMinimum\":0", ExclusiveMinimumAdded, false, "exclusiveMinimum" },
        { "number", "\"exclusiveMinimum\":0", "", ExclusiveMinimumRemoved, true, "exclusiveMinimum" },
        { "number", "\"exclusiveMinimum\":0", "\"exclusiveMinimum\":1", ExclusiveMinimumIncreased, false, "exclusiveMinimum" },
        { "number", "\"exclusiveMinimum\":1", "\"exclusiveMinimum\":0", ExclusiveMinimumDecreased, true, "exclusiveMinimum" },
        { "number", "", "\"multipleOf\":2", MultipleOfAdded, false, "multipleOf" },
        { "number", "\"multipleOf\":2", "", MultipleOfRemoved, true, "multipleOf" },
        { "number", "\"multipleOf\":2", "\"multipleOf\":4", MultipleOfExpanded, false, "multipleOf" },
        { "number", "\"multipleOf\":4", "\"multipleOf\":2", MultipleOfReduced, true, "multipleOf" },
        { "number", "\"multipleOf\":0.5", "\"multipleOf\":0.25", MultipleOfReduced, true, "multipleOf" },
        { "number", "\"multipleOf\":2", "\"multipleOf\":3", MultipleOfChanged, false, "multipleOf" },
        { "object", "", "\"maxProperties\":3", MaxPropertiesAdded, false, "maxProperties" },
        { "object", "\"maxProperties\":3", "", MaxPropertiesRemoved, true, "maxProperties" },
        { "object", "\"maxProperties\":3", "\"maxProperties\":4", MaxPropertiesIncreased, true, "maxProperties" },
        { "object", "\"maxProperties\":4", "\"maxProperties\":3", MaxPropertiesDecreased, false, "maxProperties" },
        { "object", "", "\"minProperties\":1", MinPropertiesAdded, false, "minProperties" },
        { "object", "\"minProperties\":1", "", MinPropertiesRemoved, true, "minProperties" },
        { "object", "\"minProperties\":1", "\"minProperties\":2", MinPropertiesIncreased, false, "minProperties" },
        { "object", "\"minProperties\":2", "\"minProperties\":1", MinPropertiesDecreased, true, "minProperties" },
        { "array", "", "\"maxItems\":3", MaxItemsAdded, false, "maxItems" },
        { "array", "\"maxItems\":3", "", MaxItemsRemoved, true, "maxItems" },
        { "array", "\"maxItems\":3", "\"maxItems\":4", MaxItemsIncreased, true, "maxItems" },
        { "array", "\"maxItems\":4", "\"maxItems\":3", MaxItemsDecreased, false, "maxItems" },
        { "array", "", "\"minItems\":1", MinItemsAdded, false, "minItems" },
        { "array", "\"minItems\":1", "", MinItemsRemoved, true, "minItems" },
        { "array", "\"minItems\":1", "\"minItems\":2", MinItemsIncreased, false, "minItems" },
        { "array", "\"minItems\":2", "\"minItems\":1", MinItemsDecreased, true, "minItems" },
        { "array", "", "\"uniqueItems\":true", UniqueItemsAdded, false, "uniqueItems" },
        { "array", "\"uniqueItems\":true", "", UniqueItemsRemoved, true, "uniqueItems" },
        { "array", "", "\"maxContains\":2", MaxContainsAdded, false, "maxContains" },
        { "array", "\"maxContains\":2", "", MaxContainsRemoved, true, "maxContains" },
        { "array", "\"maxContains\":2", "\"maxContains\":3", MaxContainsIncreased, true, "maxContains" },
        { "array", "\"maxContains\":3", "\"maxContains\":2", MaxContainsDecreased, false, "maxContains" },
        { "array", "", "\"minContains\":2", MinContainsAdded, false, "minContains" },
        { "array", "\"minContains\":2", "", MinContainsRemoved, true, "minContains" },
        { "array", "\"minContains\":2", "\"minContains\":3", MinContainsIncreased, false, "minContains" },
        { "array", "\"minContains\":3", "\"minContains\":2", MinContainsDecreased, true, "minContains" },
    };

    [Theory]
    [MemberData(nameof(Constraints))]
    public void Diff_ConstraintChange_HasConfluentKindAndVerdict(string type, string writer, string reader, string kind, bool compatible, string keyword)
    {
        var change = Change(Schema(type, writer), Schema(type, reader), kind);

        Assert.Equal(compatible, change.Compatible);
        Assert.Equal("/" + keyword, change.Location);
        Assert.Equal(compatible, IsCompatible(kind));
    }

    [Theory]
    [MemberData(nameof(Constraints))]
    public void CanRead_ConstraintChangeBelowTheRoot_IsLocatedAtThePropertysKeyword(string type, string writer, string reader, string kind, bool compatible, string keyword)
    {
        var problems = CanRead(Wrap(Schema(type, reader)), Wrap(Schema(type, writer)));

        if (compatible)
        {
            Assert.Empty(problems);
        }
        else
        {
            var problem = Assert.Single(problems);
            Assert.Equal(kind, problem.Kind);
            Assert.Equal("/properties/p/" + keyword, problem.Location);
            Assert.Contains(keyword, problem.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Diff_Draft4BooleanExclusiveMaximum_ReadsAsTheBound()
    {
        // Draft 4 wrote "maximum": 10, "exclusiveMaximum": true for what later drafts write "exclusiveMaximum": 10.
        Assert.Empty(Diff("""{"type":"number","maximum":10,"exclusiveMaximum":true}""", """{"type":"number","exclusiveMaximum":10}"""));
        Assert.Equal(ExclusiveMaximumAdded, Assert.Single(Diff("""{"type":"number","maximum":10}""", """{"type":"number","maximum":10,"exclusiveMaximum":true}"""),
            d => !d.Compatible).Kind);
    }

    [Fact]
    public void Diff_SameConstraints_HasNoChange()
    {
        const string Schema = """{"type":"string","minLength":1,"maxLength":5,"pattern":"^[a-z]+$"}""";

        Assert.Empty(Diff(Schema, Schema));
    }

    [Fact]
    public void Diff_ConstraintsWithoutAType_ApplyToTheirKindAndAreCompared()
    {
        // No "type": minLength constrains strings only, but it is still a constraint old documents may break.
        var change = Change("""{"description":"any"}""", """{"description":"any","minLength":2}""", TypeChanged);

        Assert.False(change.Compatible);
        Assert.Equal(MinLengthAdded, Change("""{"maxLength":9}""", """{"maxLength":9,"minLength":2}""", MinLengthAdded).Kind);
    }

    private static string Schema(string type, string keywords) =>
        $$"""{"type":"{{type}}"{{(keywords.Length > 0 ? "," + keywords : "")}}}""";
}
