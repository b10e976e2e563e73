using Avro;
using static Meshwork.Schemas.Tests.Avsc;

namespace Meshwork.Schemas.Tests;

public sealed class CompatibilityCheckTests
{
    // v1 has a and b; v2 adds c with a default.
    private static readonly Schema V1 = Parse(Record("R", Field("a", "\"string\""), Field("b", "\"int\"")));
    private static readonly Schema V2 = Parse(Record("R", Field("a", "\"string\""), Field("b", "\"int\""), FieldWithDefault("c", "\"int\"", "0")));

    // Reads v2 (c is there) but not v1 (c is missing and has no default here).
    private static readonly Schema NeedsC = Parse(Record("R", Field("a", "\"string\""), Field("c", "\"int\"")));

    // Drops b, which v1 and v2 read without a default, so neither can read its data.
    private static readonly Schema DropsB = Parse(Record("R", Field("a", "\"string\""), FieldWithDefault("c", "\"int\"", "0")));

    private static readonly Schema Unrelated = Parse("\"string\"");

    public static TheoryData<CompatibilityLevel> AllLevels => new(Enum.GetValues<CompatibilityLevel>());

    [Theory]
    [MemberData(nameof(AllLevels))]
    public void Check_NoPreviousVersions_IsCompatible(CompatibilityLevel level)
    {
        Assert.Empty(Compatibility.Check(level, Unrelated, []));
    }

    [Theory]
    [MemberData(nameof(AllLevels))]
    public void Check_SameSchemaAgain_IsCompatible(CompatibilityLevel level)
    {
        Assert.Empty(Compatibility.Check(level, V2, [V1, V2]));
    }

    [Fact]
    public void Check_NoneWithUnrelatedSchema_IsCompatible()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.None, Unrelated, [V1, V2]));
    }

    [Fact]
    public void Check_BackwardAddingFieldWithDefault_IsCompatible()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, V2, [V1]));
    }

    [Fact]
    public void Check_BackwardAddingFieldWithoutDefault_IsIncompatible()
    {
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Backward, NeedsC, [V1]));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/1", problem.Location);
        Assert.StartsWith("Backward: the candidate cannot read data written with previous version 1 of 1 (the latest): ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BackwardOlderVersionIncompatible_ChecksOnlyTheLatest()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, NeedsC, [V1, V2]));
    }

    [Fact]
    public void Check_BackwardTransitiveOlderVersionIncompatible_IsIncompatible()
    {
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.BackwardTransitive, NeedsC, [V1, V2]));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Contains("previous version 1 of 2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BackwardRemovingRequiredField_IsCompatible()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Backward, DropsB, [V2]));
    }

    [Fact]
    public void Check_ForwardRemovingRequiredField_IsIncompatibleWithLocationInPreviousSchema()
    {
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Forward, DropsB, [V2]));

        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.Equal("/fields/1", problem.Location);
        Assert.StartsWith("Forward: previous version 1 of 1 (the latest) cannot read data written with the candidate", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ForwardAddingFieldWithoutDefault_IsCompatible()
    {
        // Old readers skip the new field.
        var addsD = Parse(Record("R", Field("a", "\"string\""), Field("b", "\"int\""), Field("d", "\"int\"")));

        Assert.Empty(Compatibility.Check(CompatibilityLevel.Forward, addsD, [V2]));
    }

    [Fact]
    public void Check_ForwardOlderVersionIncompatible_ChecksOnlyTheLatest()
    {
        // The latest reads a long as a double; the oldest cannot read a long as an int.
        var old = Parse(Record("R", Field("a", "\"int\"")));
        var latest = Parse(Record("R", Field("a", "\"double\"")));
        var candidate = Parse(Record("R", Field("a", "\"long\"")));

        Assert.Empty(Compatibility.Check(CompatibilityLevel.Forward, candidate, [old, latest]));
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.ForwardTransitive, candidate, [old, latest]));
        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.Contains("previous version 1 of 2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FullAddingFieldWithDefault_IsCompatible()
    {
        Assert.Empty(Compatibility.Check(CompatibilityLevel.Full, V2, [V1]));
    }

    [Fact]
    public void Check_FullAddingAndDroppingRequiredFields_FailsBothWays()
    {
        var problems = Compatibility.Check(CompatibilityLevel.Full, NeedsC, [V1]);

        // Backward: v1's data has no c and NeedsC has no default for it; forward: NeedsC's data has no b for v1.
        Assert.Collection(
            problems,
            p => Assert.StartsWith("Backward:", p.Message, StringComparison.Ordinal),
            p => Assert.StartsWith("Forward:", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_FullPromotingField_FailsForwardOnly()
    {
        var candidate = Parse(Record("R", Field("a", "\"string\""), Field("b", "\"long\"")));

        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.Full, candidate, [V1]));

        Assert.Equal(SchemaIncompatibilityKinds.TypeMismatch, problem.Kind);
        Assert.StartsWith("Forward:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FullTransitiveOlderVersionIncompatible_IsIncompatible()
    {
        // The candidate (v2 again) needs b, which the oldest version v0 never wrote.
        var v0 = Parse(Record("R", Field("a", "\"string\"")));
        var candidate = V2;

        Assert.Empty(Compatibility.Check(CompatibilityLevel.Full, candidate, [v0, V2]));
        var problem = Assert.Single(Compatibility.Check(CompatibilityLevel.FullTransitive, candidate, [v0, V2]));
        Assert.Equal(SchemaIncompatibilityKinds.ReaderFieldMissingDefaultValue, problem.Kind);
        Assert.StartsWith("Backward: the candidate cannot read data written with previous version 1 of 2: ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TransitiveReportsEveryIncompatibleVersion()
    {
        var problems = Compatibility.Check(CompatibilityLevel.BackwardTransitive, Unrelated, [V1, V2]);

        Assert.Equal(2, problems.Count);
        Assert.Contains("version 1 of 2", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("version 2 of 2", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NullCandidate_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Compatibility.Check(CompatibilityLevel.Backward, null!, [V1]));
    }

    [Fact]
    public void Check_UndefinedLevel_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Compatibility.Check((CompatibilityLevel)99, V1, [V1]));
    }
}
