using static Meshwork.Schemas.Protobuf.ProtobufDifferenceKinds;
using static Meshwork.Schemas.Tests.Protobuf.Proto;

namespace Meshwork.Schemas.Tests.Protobuf;

/// <summary>Fields, matched by number: types by wire-compatible group, labels, names, additions and removals.</summary>
public sealed class ProtobufFieldTests
{
    private static readonly string[] Scalars = ["int32", "int64", "uint32", "uint64", "bool", "sint32", "sint64", "fixed32", "sfixed32", "fixed64", "sfixed64", "float", "double", "string", "bytes"];

    // Confluent's groups (the Protobuf guide's "updating a message type"), written out independently of the checker.
    private static readonly string[][] Groups =
    [
        ["int32", "int64", "uint32", "uint64", "bool"],
        ["sint32", "sint64"],
        ["fixed32", "sfixed32"],
        ["fixed64", "sfixed64"],
        ["string", "bytes"],
        ["float"],
        ["double"],
    ];

    public static TheoryData<string, string, bool> EveryScalarPair
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (var writer in Scalars)
            {
                foreach (var reader in Scalars)
                {
                    data.Add(writer, reader, Groups.Any(g => g.Contains(writer) && g.Contains(reader)));
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EveryScalarPair))]
    public void ScalarTypeChange_IsCompatibleWithinItsGroupOnly(string writer, string reader, bool compatible)
    {
        var problems = CanRead(Proto3($"{reader} f = 1;"), Proto3($"{writer} f = 1;"));

        if (compatible)
        {
            Assert.Empty(problems);
        }
        else
        {
            var problem = Assert.Single(problems);
            Assert.Equal(FieldScalarKindChanged, problem.Kind);
            Assert.Equal("/M/1", problem.Location);
        }
    }

    [Fact]
    public void Enum_IsInTheVarintGroup()
    {
        const string Enum = "enum E { A = 0; B = 1; }";

        Assert.Empty(CanRead(Proto3($"{Enum} E f = 1;"), Proto3($"{Enum} int32 f = 1;")));
        Assert.Empty(CanRead(Proto3($"{Enum} uint64 f = 1;"), Proto3($"{Enum} E f = 1;")));
        Assert.Equal(FieldScalarKindChanged, Assert.Single(CanRead(Proto3($"{Enum} string f = 1;"), Proto3($"{Enum} E f = 1;"))).Kind);
    }

    [Fact]
    public void ScalarToMessageOrMap_ChangesTheFieldKind()
    {
        const string Other = "message Other { int32 x = 1; }";

        Assert.Equal(FieldKindChanged, Assert.Single(CanRead(Proto3("Other f = 1;") + Other, Proto3("int32 f = 1;") + Other)).Kind);
        Assert.Equal(FieldKindChanged, Assert.Single(CanRead(Proto3("map<string, int32> f = 1;"), Proto3("string f = 1;"))).Kind);
        Assert.Equal(FieldKindChanged, Assert.Single(CanRead(Proto3("map<string, int32> f = 1;") + Other, Proto3("Other f = 1;") + Other)).Kind);
    }

    [Fact]
    public void Map_KeyAndValueTypes_AreComparedLikeFields()
    {
        Assert.Empty(CanRead(Proto3("map<string, int64> f = 1;"), Proto3("map<string, int32> f = 1;")));
        Assert.Empty(CanRead(Proto3("map<int64, bytes> f = 1;"), Proto3("map<int32, string> f = 1;")));
        var problem = Assert.Single(CanRead(Proto3("map<string, double> f = 1;"), Proto3("map<string, int32> f = 1;")));
        Assert.Equal(FieldScalarKindChanged, problem.Kind);
        Assert.Equal("/M/1", problem.Location);
    }

    [Fact]
    public void MessageField_NamingAnotherMessage_IsIncompatible()
    {
        const string Types = "message A { int32 x = 1; } message B { int32 x = 1; }";

        var problem = Assert.Single(CanRead(Proto3("B f = 1;") + Types, Proto3("A f = 1;") + Types));

        Assert.Equal(FieldNamedTypeChanged, problem.Kind);
        Assert.Equal("/M/1", problem.Location);
    }

    [Fact]
    public void FieldAddedOrRemoved_IsCompatible()
    {
        Assert.Empty(CanRead(Proto3("int32 a = 1; string b = 2;"), Proto3("int32 a = 1;")));
        Assert.Empty(CanRead(Proto3("int32 a = 1;"), Proto3("int32 a = 1; string b = 2;")));
        Assert.True(Change(Proto3("int32 a = 1;"), Proto3("int32 a = 1; string b = 2;"), FieldAdded).Compatible);
        Assert.Equal("/M/2", Change(Proto3("int32 a = 1; string b = 2;"), Proto3("int32 a = 1;"), FieldRemoved).Location);
    }

    [Fact]
    public void FieldRenamed_IsCompatible_BecauseTheNumberTravels()
    {
        var change = Change(Proto3("int32 a = 1;"), Proto3("int32 renamed = 1;"), FieldNameChanged);

        Assert.True(change.Compatible);
        Assert.Empty(CanRead(Proto3("int32 renamed = 1;"), Proto3("int32 a = 1;")));
    }

    [Fact]
    public void FieldRenumbered_IsARemovalAndAnAddition()
    {
        var changes = Diff(Proto3("int32 a = 1;"), Proto3("int32 a = 2;"));

        Assert.Equal([FieldRemoved, FieldAdded], changes.Select(c => c.Kind));
    }

    [Fact]
    public void RequiredField_AddedOrRemoved_IsIncompatible()
    {
        var added = Assert.Single(CanRead(Proto2("optional int32 a = 1; required int32 b = 2;"), Proto2("optional int32 a = 1;")));
        var removed = Assert.Single(CanRead(Proto2("optional int32 a = 1;"), Proto2("optional int32 a = 1; required int32 b = 2;")));

        Assert.Equal(RequiredFieldAdded, added.Kind);
        Assert.Equal("/M/2", added.Location);
        Assert.Equal(RequiredFieldRemoved, removed.Kind);
    }

    [Fact]
    public void NumericLabelChange_IsIncompatible_StringLabelChange_IsNot()
    {
        // Repeated numbers are packed on the wire; repeated strings are not.
        Assert.Equal(FieldNumericLabelChanged, Assert.Single(CanRead(Proto2("repeated int32 a = 1;"), Proto2("optional int32 a = 1;"))).Kind);
        Assert.Equal(FieldNumericLabelChanged, Assert.Single(CanRead(Proto3("optional double a = 1;"), Proto3("repeated double a = 1;"))).Kind);
        Assert.Empty(CanRead(Proto2("repeated string a = 1;"), Proto2("optional string a = 1;")));
        Assert.True(Change(Proto2("optional bytes a = 1;"), Proto2("repeated bytes a = 1;"), FieldStringOrBytesLabelChanged).Compatible);
    }

    [Fact]
    public void Proto3FieldWithoutLabel_HasNoLabelToChange()
    {
        // As Confluent reads it: a proto3 field without a label has none, so nothing is compared.
        Assert.Empty(Diff(Proto3("int32 a = 1;"), Proto3("repeated int32 a = 1;")));
        Assert.Empty(Diff(Proto3("int32 a = 1;"), Proto3("optional int32 a = 1;")));
    }

    [Fact]
    public void NestedMessageFields_AreLocatedUnderTheNestedMessage()
    {
        var problem = Assert.Single(CanRead(Proto3("message Inner { string x = 1; } Inner inner = 1;"), Proto3("message Inner { int32 x = 1; } Inner inner = 1;")));

        Assert.Equal(FieldScalarKindChanged, problem.Kind);
        Assert.Equal("/M/Inner/1", problem.Location);
    }
}
