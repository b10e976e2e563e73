using static Meshwork.Schemas.Protobuf.ProtobufDifferenceKinds;
using static Meshwork.Schemas.Tests.Protobuf.Proto;

namespace Meshwork.Schemas.Tests.Protobuf;

/// <summary>Oneofs: which fields may be set together, and what moving fields in and out of them does.</summary>
public sealed class ProtobufOneofTests
{
    [Fact]
    public void OneofAdded_OrRemovedWhole_IsCompatible()
    {
        const string Without = "int32 a = 1;";
        const string With = "int32 a = 1; oneof choice { string s = 2; int64 l = 3; }";

        Assert.Empty(CanRead(Proto3(With), Proto3(Without)));
        Assert.Empty(CanRead(Proto3(Without), Proto3(With)));
        Assert.True(Change(Proto3(Without), Proto3(With), OneofAdded).Compatible);
        Assert.Equal("/M/choice", Change(Proto3(With), Proto3(Without), OneofRemoved).Location);
    }

    [Fact]
    public void OneofFieldAdded_IsCompatible_Removed_IsNot()
    {
        const string Two = "oneof choice { string s = 1; int64 l = 2; }";
        const string Three = "oneof choice { string s = 1; int64 l = 2; bool b = 3; }";

        Assert.Empty(CanRead(Proto3(Three), Proto3(Two)));
        Assert.Equal("/M/choice/3", Change(Proto3(Two), Proto3(Three), OneofFieldAdded).Location);
        var problem = Assert.Single(CanRead(Proto3(Two), Proto3(Three)));
        Assert.Equal(OneofFieldRemoved, problem.Kind);
        Assert.Equal("/M/choice/3", problem.Location);
    }

    [Fact]
    public void OneField_MovedIntoANewOneof_IsCompatible()
    {
        Assert.Empty(CanRead(Proto3("oneof wrapper { int32 id = 1; }"), Proto3("int32 id = 1;")));
    }

    [Fact]
    public void SeveralFields_MovedIntoOneOneof_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Proto3("oneof wrapper { int32 id = 1; int32 new_id = 2; }"), Proto3("int32 id = 1; int32 new_id = 2;")));

        Assert.Equal(MultipleFieldsMovedToOneof, problem.Kind);
        Assert.Equal("/M/wrapper", problem.Location);
    }

    [Fact]
    public void Field_MovedIntoAnExistingOneof_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Proto3("oneof choice { string s = 1; int32 id = 2; }"), Proto3("oneof choice { string s = 1; } int32 id = 2;")));

        Assert.Equal(FieldMovedToExistingOneof, problem.Kind);
    }

    [Fact]
    public void OneofField_MovedOutToTheTopLevel_IsCompatible()
    {
        Assert.Empty(CanRead(Proto3("string s = 1; int64 l = 2;"), Proto3("oneof choice { string s = 1; int64 l = 2; }")));
        var changes = Diff(Proto3("oneof choice { string s = 1; int64 l = 2; }"), Proto3("string s = 1; int64 l = 2;"));
        Assert.Equal([OneofRemoved, OneofFieldMovedToTopLevel, OneofFieldMovedToTopLevel], changes.Select(c => c.Kind));
        Assert.All(changes, c => Assert.True(c.Compatible));
    }

    [Fact]
    public void OneofRenamed_WithTheSameFields_IsCompatible()
    {
        Assert.Empty(CanRead(Proto3("oneof picked { string s = 1; int64 l = 2; }"), Proto3("oneof choice { string s = 1; int64 l = 2; }")));
    }

    [Fact]
    public void OneofFieldTypeChange_IsStillSeen_WhenTheFieldAlsoMoves()
    {
        var problem = Assert.Single(CanRead(Proto3("oneof picked { double s = 1; }"), Proto3("string s = 1;")));

        Assert.Equal(FieldScalarKindChanged, problem.Kind);
        Assert.Equal("/M/picked/1", problem.Location);
    }

    [Fact]
    public void Proto3Optional_IsNotAOneof()
    {
        // proto3 "optional" is spelt as a synthetic oneof in descriptors; it must not count as one.
        Assert.Empty(Diff(Proto3("optional int32 a = 1; optional string b = 2;"), Proto3("optional int32 a = 1; optional string b = 2;")));
        Assert.DoesNotContain(Diff(Proto3("int32 a = 1;"), Proto3("optional int32 a = 1; optional int32 b = 2;")), d => d.Kind is OneofAdded or OneofFieldAdded);
    }
}
