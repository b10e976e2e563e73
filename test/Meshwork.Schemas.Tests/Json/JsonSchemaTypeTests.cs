using static Meshwork.Schemas.Json.JsonSchemaDifferenceKinds;
using static Meshwork.Schemas.Tests.Json.Js;

namespace Meshwork.Schemas.Tests.Json;

/// <summary>Types, unions, combinations, enums, <c>not</c> and <c>$ref</c>.</summary>
public sealed class JsonSchemaTypeTests
{
    private static readonly string[] Types = ["string", "number", "integer", "boolean", "null", "object", "array"];

    public static TheoryData<string, string, string?> EveryTypePair
    {
        get
        {
            var data = new TheoryData<string, string, string?>();
            foreach (var writer in Types)
            {
                foreach (var reader in Types)
                {
                    // Written out independently: only integer to number widens; number to integer narrows.
                    string? expected = writer == reader ? null
                        : (writer, reader) == ("integer", "number") ? TypeExtended
                        : (writer, reader) == ("number", "integer") ? TypeNarrowed
                        : TypeChanged;
                    data.Add(writer, reader, expected);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EveryTypePair))]
    public void Diff_EveryPairOfTypes(string writer, string reader, string? expected)
    {
        var changes = Diff(Wrap($"{{\"type\":\"{writer}\"}}"), Wrap($"{{\"type\":\"{reader}\"}}"));

        if (expected is null)
        {
            Assert.Empty(changes);
        }
        else
        {
            var change = Assert.Single(changes);
            Assert.Equal(expected, change.Kind);
            Assert.Equal("/properties/p", change.Location);
            Assert.Equal(expected == TypeExtended, change.Compatible);
        }
    }

    [Fact]
    public void MakeNullable_WithATypeArray_IsCompatible_AndTheReverseIsNot()
    {
        const string Plain = """{"type":"string"}""";
        const string Nullable = """{"type":["string","null"]}""";

        Assert.Empty(CanRead(Nullable, Plain));
        Assert.True(Change(Plain, Nullable, SumTypeExtended).Compatible);
        var problem = Assert.Single(CanRead(Plain, Nullable));
        Assert.Equal(SumTypeNarrowed, problem.Kind);
        Assert.Equal("/type", problem.Location);
    }

    [Fact]
    public void MakeNullable_WithAnyOf_IsCompatible()
    {
        Assert.Empty(CanRead("""{"anyOf":[{"type":"integer"},{"type":"null"}]}""", """{"type":"integer"}"""));
        Assert.Empty(CanRead("""{"oneOf":[{"type":"number"},{"type":"null"}]}""", """{"type":"integer"}"""));
    }

    [Fact]
    public void TypeArray_AddingAType_ExtendsIt_RemovingOne_NarrowsIt()
    {
        const string Two = """{"type":["string","null"]}""";
        const string Three = """{"type":["string","integer","null"]}""";

        Assert.Empty(CanRead(Three, Two));
        Assert.True(Change(Two, Three, SumTypeExtended).Compatible);
        var problem = Assert.Single(CanRead(Two, Three));
        Assert.Equal(SumTypeNarrowed, problem.Kind);
        Assert.Equal("/type", problem.Location);
    }

    [Fact]
    public void TypeArray_KeywordsApplyToEachType()
    {
        // maxLength constrains the string branch of the union; it is reported as itself, where it is written.
        var problem = Assert.Single(CanRead("""{"type":["string","null"],"maxLength":3}""", """{"type":["string","null"]}"""));

        Assert.Equal(MaxLengthAdded, problem.Kind);
        Assert.Equal("/maxLength", problem.Location);
        Assert.Empty(CanRead("""{"type":["number","null"]}""", """{"type":["integer","null"]}"""));
        Assert.Equal(TypeNarrowed, Assert.Single(CanRead("""{"type":["integer","null"]}""", """{"type":["number","null"]}""")).Kind);
    }

    [Fact]
    public void AnyOf_AddingASubschema_IsCompatible_RemovingOne_IsNot()
    {
        const string Two = """{"anyOf":[{"type":"string"},{"type":"integer"}]}""";
        const string Three = """{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""";

        Assert.Empty(CanRead(Three, Two));

        // Each of the reader's alternatives still reads one of the writer's, but the writer's boolean has none.
        Assert.Equal([SumTypeNarrowed], CanRead(Two, Three).Select(p => p.Kind));
        Assert.Equal([SumTypeNarrowed, CombinedTypeSubschemasChanged],
            CanRead("""{"anyOf":[{"type":"string"},{"type":"null"}]}""", """{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]}""").Select(p => p.Kind));
    }

    [Fact]
    public void OneOf_SubschemasAreMatchedWhateverTheirOrder()
    {
        Assert.Empty(CanRead("""{"oneOf":[{"type":"integer"},{"type":"string"}]}""", """{"oneOf":[{"type":"string"},{"type":"integer"}]}"""));
    }

    [Fact]
    public void OneOf_ASubschemaChangingIncompatibly_LeavesItUnmatched()
    {
        var problems = CanRead("""{"oneOf":[{"type":"string","maxLength":3},{"type":"integer"}]}""", """{"oneOf":[{"type":"string"},{"type":"integer"}]}""");

        var problem = Assert.Single(problems);
        Assert.Equal(CombinedTypeSubschemasChanged, problem.Kind);
    }

    [Fact]
    public void OneOf_ACompatibleChangeInASubschema_IsReportedAtTheWritersIndex()
    {
        var change = Change("""{"oneOf":[{"type":"string","maxLength":3},{"type":"integer"}]}""", """{"oneOf":[{"type":"integer"},{"type":"string"}]}""", MaxLengthRemoved);

        Assert.Equal("/oneOf/0/maxLength", change.Location);
    }

    [Fact]
    public void AllOf_AddingASubschema_IsIncompatible_RemovingOne_IsNot()
    {
        const string One = """{"allOf":[{"type":"object"}]}""";
        const string Two = """{"allOf":[{"type":"object"},{"required":["id"]}]}""";

        Assert.Equal(ProductTypeExtended, Assert.Single(CanRead(Two, One)).Kind);
        Assert.Empty(CanRead(One, Two));
        Assert.True(Change(Two, One, ProductTypeNarrowed).Compatible);
    }

    [Fact]
    public void Criterion_ToAnyOf_Extends_ButToAllOf_Changes()
    {
        const string OneOf = """{"oneOf":[{"type":"string"},{"type":"integer"}]}""";
        const string AnyOf = """{"anyOf":[{"type":"string"},{"type":"integer"}]}""";
        const string AllOf = """{"allOf":[{"type":"string"},{"type":"integer"}]}""";

        Assert.Empty(CanRead(AnyOf, OneOf));
        Assert.True(Change(OneOf, AnyOf, CombinedTypeExtended).Compatible);
        Assert.Equal(CombinedTypeChanged, Assert.Single(CanRead(AllOf, AnyOf)).Kind);
        Assert.Equal(CombinedTypeChanged, Assert.Single(CanRead(OneOf, AnyOf)).Kind);
    }

    [Fact]
    public void Criterion_SingletonAnyOfToOneOf_Extends()
    {
        Assert.Empty(CanRead("""{"oneOf":[{"type":"string"}]}""", """{"anyOf":[{"type":"string"}]}"""));
    }

    [Fact]
    public void SingletonCombination_ReadsLikeItsOnlySchema()
    {
        Assert.Empty(CanRead("""{"anyOf":[{"type":"string"}]}""", """{"type":"string"}"""));
        Assert.Empty(CanRead("""{"type":"string"}""", """{"allOf":[{"type":"string"}]}"""));
    }

    [Fact]
    public void DuplicateSubschemas_CountOnce()
    {
        Assert.Empty(Diff("""{"anyOf":[{"type":"string"},{"type":"string"}]}""", """{"anyOf":[{"type":"string"}]}"""));
    }

    [Fact]
    public void Enum_AddingValues_IsCompatible_RemovingOrReplacing_IsNot()
    {
        const string Ab = """{"type":"string","enum":["a","b"]}""";
        const string Abc = """{"type":"string","enum":["a","b","c"]}""";
        const string Ax = """{"type":"string","enum":["a","x"]}""";

        Assert.Empty(CanRead(Abc, Ab));
        Assert.True(Change(Ab, Abc, EnumArrayExtended).Compatible);
        var narrowed = Assert.Single(CanRead(Ab, Abc));
        Assert.Equal(EnumArrayNarrowed, narrowed.Kind);
        Assert.Equal("/enum", narrowed.Location);
        Assert.Equal(EnumArrayChanged, Assert.Single(CanRead(Ax, Ab)).Kind);
    }

    [Fact]
    public void Enum_AddedBesideAType_ConstrainsOldDocuments_AndDroppingIt_DoesNot()
    {
        const string Plain = """{"type":"string"}""";
        const string Listed = """{"type":"string","enum":["a","b"]}""";

        var problem = Assert.Single(CanRead(Listed, Plain));
        Assert.Equal(ProductTypeExtended, problem.Kind);
        Assert.Equal("/enum", problem.Location);
        Assert.Empty(CanRead(Plain, Listed));
        Assert.True(Change(Listed, Plain, ProductTypeNarrowed).Compatible);
    }

    [Fact]
    public void TypeBesideAnEnum_ChangingIncompatibly_IsReportedAsTheTypeChange()
    {
        var problem = Assert.Single(CanRead("""{"type":"integer","enum":[1,2]}""", """{"type":"string","enum":[1,2]}"""));

        Assert.Equal(TypeChanged, problem.Kind);
        Assert.Equal("/", problem.Location);
        Assert.Empty(CanRead("""{"type":["string","null"],"enum":["a",null]}""", """{"type":"string","enum":["a"]}"""));
    }

    [Fact]
    public void Enum_OrderOfValues_DoesNotMatter()
    {
        Assert.Empty(Diff("""{"enum":["a","b",1]}""", """{"enum":[1,"b","a"]}"""));
    }

    [Fact]
    public void Const_ChangingTheValue_IsIncompatible()
    {
        var problem = Assert.Single(CanRead("""{"const":"v2"}""", """{"const":"v1"}"""));

        Assert.Equal(EnumArrayChanged, problem.Kind);
        Assert.Equal("/const", problem.Location);
    }

    [Fact]
    public void Not_ExcludingMore_IsIncompatible_ExcludingLess_IsNot()
    {
        // not integer excludes less than not number: every non-number is a non-integer.
        const string NotNumber = """{"not":{"type":"number"}}""";
        const string NotInteger = """{"not":{"type":"integer"}}""";

        Assert.Empty(CanRead(NotInteger, NotNumber));
        Assert.True(Change(NotNumber, NotInteger, NotTypeNarrowed).Compatible);
        var problem = Assert.Single(CanRead(NotNumber, NotInteger));
        Assert.Equal(NotTypeExtended, problem.Kind);
        Assert.Equal("/not", problem.Location);
    }

    [Fact]
    public void TrueAndFalse_Schemas()
    {
        // A reader that accepts anything reads everything; a writer that allowed nothing wrote nothing.
        Assert.Empty(CanRead("true", """{"type":"string"}"""));
        Assert.Empty(CanRead("{}", """{"type":"string"}"""));
        Assert.Empty(CanRead("""{"type":"string"}""", "false"));
        Assert.Equal(TypeChanged, Assert.Single(CanRead("""{"type":"string"}""", "true")).Kind);
        Assert.Equal(TypeChanged, Assert.Single(CanRead("false", """{"type":"string"}""")).Kind);
    }

    [Fact]
    public void Ref_ToDefinitions_IsComparedAsTheSchemaItPointsAt()
    {
        var writer = """{"type":"object","properties":{"a":{"$ref":"#/definitions/A"}},"definitions":{"A":{"type":"string"}}}""";
        var reader = """{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"string","maxLength":2}}}""";

        var problem = Assert.Single(CanRead(reader, writer));

        Assert.Equal(MaxLengthAdded, problem.Kind);
        Assert.Equal("/properties/a/maxLength", problem.Location);
    }

    [Fact]
    public void Ref_InlinedOrNot_IsTheSameSchema()
    {
        Assert.Empty(Diff(
            """{"type":"object","properties":{"a":{"$ref":"#/definitions/A"}},"definitions":{"A":{"type":"integer"}}}""",
            """{"type":"object","properties":{"a":{"type":"integer"}}}"""));
    }

    [Fact]
    public void Ref_ToAnAnchor_IsResolved()
    {
        var writer = """{"type":"object","properties":{"a":{"$ref":"#num"}},"$defs":{"n":{"$anchor":"num","type":"number"}}}""";
        var reader = """{"type":"object","properties":{"a":{"$ref":"#num"}},"$defs":{"n":{"$anchor":"num","type":"integer"}}}""";

        Assert.Equal(TypeNarrowed, Assert.Single(CanRead(reader, writer)).Kind);
    }

    [Fact]
    public void RecursiveSchemas_Terminate_AndFindAChangeDeepInside()
    {
        const string Node = """{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#"}}}""";
        const string Widened = """{"type":"object","properties":{"value":{"type":"number"},"next":{"$ref":"#"}}}""";
        const string Tree = """{"$ref":"#/$defs/t","$defs":{"t":{"type":"object","properties":{"v":{"type":"string"},"kids":{"type":"array","items":{"$ref":"#/$defs/t"}}}}}}""";
        const string TreeNarrowed = """{"$ref":"#/$defs/t","$defs":{"t":{"type":"object","properties":{"v":{"type":"string","maxLength":1},"kids":{"type":"array","items":{"$ref":"#/$defs/t"}}}}}}""";

        Assert.Empty(CanRead(Node, Node));
        Assert.Empty(CanRead(Widened, Node));
        Assert.Equal(TypeNarrowed, Assert.Single(CanRead(Node, Widened), p => p.Location == "/properties/value").Kind);
        Assert.Contains(CanRead(TreeNarrowed, Tree), p => p.Kind == MaxLengthAdded && p.Location == "/properties/v/maxLength");
    }
}
