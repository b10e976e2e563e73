using System.Collections.Immutable;
using Meshwork.Platform.Planning;

namespace Meshwork.Platform.Tests.Planning;

public sealed class SchemaDiffTests
{
    private static SchemaColumn Column(string name, string type = "string", bool required = false, bool unique = false, bool primaryKey = false, params (string Key, string Value)[] constraints) =>
        new(name, type, required, unique, primaryKey, constraints.ToImmutableSortedDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal));

    private static SchemaChange Single(SchemaColumn[] before, SchemaColumn[] after) =>
        Assert.Single(SchemaDiff.Compare(new DatasetSchema([.. before]), new DatasetSchema([.. after])));

    [Fact]
    public void Compare_SameSchema_HasNoChange() =>
        Assert.Empty(SchemaDiff.Compare(new DatasetSchema([Column("a", constraints: ("max_length", "3"))]), new DatasetSchema([Column("a", constraints: ("max_length", "3"))])));

    [Fact]
    public void Compare_OptionalColumnAdded_IsCompatible() => Assert.False(Single([Column("a")], [Column("a"), Column("b")]).Breaking);

    [Fact]
    public void Compare_RequiredColumnAdded_IsBreaking() => Assert.True(Single([Column("a")], [Column("a"), Column("b", required: true)]).Breaking);

    [Fact]
    public void Compare_ColumnRemoved_IsBreaking() => Assert.Contains("removed", Single([Column("a"), Column("b")], [Column("a")]).Description, StringComparison.Ordinal);

    [Fact]
    public void Compare_ColumnRenamed_IsBreakingAndNamesTheLikelyRename()
    {
        var changes = SchemaDiff.Compare(new DatasetSchema([Column("mail")]), new DatasetSchema([Column("email")]));

        Assert.Contains(changes, c => c.Breaking && c.Description.Contains("renamed to 'email'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("int32", "int64", false)]
    [InlineData("int64", "double", false)]
    [InlineData("decimal(10,2)", "decimal(12,2)", false)]
    [InlineData("decimal(10,2)", "decimal(10,4)", true)]
    [InlineData("int64", "int32", true)]
    [InlineData("double", "int64", true)]
    [InlineData("string", "int64", true)]
    [InlineData("timestamp", "date", true)]
    public void Compare_TypeChange_IsCompatibleOnlyWhenWidened(string from, string to, bool breaking) =>
        Assert.Equal(breaking, Single([Column("a", from)], [Column("a", to)]).Breaking);

    [Fact]
    public void Compare_OptionalToRequired_IsBreaking() => Assert.True(Single([Column("a")], [Column("a", required: true)]).Breaking);

    [Fact]
    public void Compare_RequiredToOptional_IsCompatible() => Assert.False(Single([Column("a", required: true)], [Column("a")]).Breaking);

    [Fact]
    public void Compare_MadeUnique_IsBreaking() => Assert.True(Single([Column("a")], [Column("a", unique: true)]).Breaking);

    [Theory]
    [InlineData("max_length", "10", "5", true)]
    [InlineData("max_length", "5", "10", false)]
    [InlineData("min_length", "1", "2", true)]
    [InlineData("minimum", "0", "-5", false)]
    [InlineData("minimum", "2020-01-01", "2021-01-01", true)]
    [InlineData("maximum", "100", "1000", false)]
    [InlineData("pattern", "^a", "^b", true)]
    public void Compare_ConstraintChange_IsBreakingWhenTightened(string constraint, string before, string after, bool breaking) =>
        Assert.Equal(breaking, Single([Column("a", constraints: (constraint, before))], [Column("a", constraints: (constraint, after))]).Breaking);

    [Fact]
    public void Compare_ConstraintAdded_IsBreakingAndRemoved_IsCompatible()
    {
        Assert.True(Single([Column("a")], [Column("a", constraints: ("pattern", "^x"))]).Breaking);
        Assert.False(Single([Column("a", constraints: ("pattern", "^x"))], [Column("a")]).Breaking);
    }

    [Fact]
    public void Compare_AllowedValuesExtended_IsCompatibleAndNarrowed_IsBreaking()
    {
        Assert.False(Single([Column("a", constraints: ("allowed_values", "a\u001fb"))], [Column("a", constraints: ("allowed_values", "a\u001fb\u001fc"))]).Breaking);
        Assert.True(Single([Column("a", constraints: ("allowed_values", "a\u001fb"))], [Column("a", constraints: ("allowed_values", "a"))]).Breaking);
    }
}
