using Meshwork.Schemas.Protobuf;
using static Meshwork.Schemas.Protobuf.ProtobufDifferenceKinds;
using static Meshwork.Schemas.Tests.Protobuf.Proto;

namespace Meshwork.Schemas.Tests.Protobuf;

/// <summary>Files, packages, messages and enums.</summary>
public sealed class ProtobufMessageTests
{
    [Fact]
    public void PackageChanged_IsIncompatible()
    {
        var problem = Assert.Single(CanRead("syntax = \"proto3\"; package v2; message M { int32 a = 1; }", "syntax = \"proto3\"; package v1; message M { int32 a = 1; }"));

        Assert.Equal(PackageChanged, problem.Kind);
        Assert.Equal("/", problem.Location);
    }

    [Fact]
    public void MessageRemoved_IsIncompatible_MessageAdded_IsNot()
    {
        const string One = "syntax = \"proto3\"; message A { int32 x = 1; }";
        const string Two = "syntax = \"proto3\"; message A { int32 x = 1; } message B { string y = 1; }";

        var problem = Assert.Single(CanRead(One, Two));
        Assert.Equal(MessageRemoved, problem.Kind);
        Assert.Equal("/B", problem.Location);
        Assert.Empty(CanRead(Two, One));
        Assert.True(Change(One, Two, MessageAdded).Compatible);
    }

    [Fact]
    public void MessageMoved_IsCompatible()
    {
        var changes = Diff("syntax = \"proto3\"; message A {} message B {}", "syntax = \"proto3\"; message B {} message A {}");

        Assert.Equal([("/A", MessageMoved), ("/B", MessageMoved)], changes.Select(c => (c.Location, c.Kind)));
        Assert.All(changes, c => Assert.True(c.Compatible));
    }

    [Fact]
    public void NestedMessageRemoved_IsIncompatible()
    {
        var problem = Assert.Single(CanRead(Proto3("int32 a = 1;"), Proto3("message Inner { int32 x = 1; } int32 a = 1;")));

        Assert.Equal(MessageRemoved, problem.Kind);
        Assert.Equal("/M/Inner", problem.Location);
    }

    [Fact]
    public void EnumChanges_AreAllCompatible()
    {
        const string V1 = "syntax = \"proto3\"; enum E { A = 0; B = 1; C = 2; } message M { E e = 1; }";
        const string V2 = "syntax = \"proto3\"; enum E { A = 0; BEE = 1; D = 3; } message M { E e = 1; }";

        var changes = Diff(V1, V2);

        Assert.Equal([EnumConstChanged, EnumConstRemoved, EnumConstAdded], changes.Select(c => c.Kind));
        Assert.Equal(["/E/1", "/E/2", "/E/3"], changes.Select(c => c.Location));
        Assert.All(changes, c => Assert.True(c.Compatible));
        Assert.True(Change("syntax = \"proto3\"; message M {}", "syntax = \"proto3\"; enum E { A = 0; } message M {}", EnumAdded).Compatible);
        Assert.True(Change("syntax = \"proto3\"; enum E { A = 0; } message M {}", "syntax = \"proto3\"; message M {}", EnumRemoved).Compatible);
    }

    [Fact]
    public void ReferencedMessage_ChangingIncompatibly_IsANamedTypeChange()
    {
        var v1 = ProtobufSchemaFormat.Instance.Parse("syntax = \"proto3\"; import \"customer.proto\"; message Order { Customer customer = 1; }",
            [new SchemaReferenceText("customer.proto", "syntax = \"proto3\"; message Customer { int64 id = 1; }")]);
        var v2 = ProtobufSchemaFormat.Instance.Parse("syntax = \"proto3\"; import \"customer.proto\"; message Order { Customer customer = 1; }",
            [new SchemaReferenceText("customer.proto", "syntax = \"proto3\"; message Customer { string id = 1; }")]);
        var compatible = ProtobufSchemaFormat.Instance.Parse("syntax = \"proto3\"; import \"customer.proto\"; message Order { Customer customer = 1; }",
            [new SchemaReferenceText("customer.proto", "syntax = \"proto3\"; message Customer { int64 id = 1; string name = 2; }")]);

        var problems = ProtobufSchemaFormat.Instance.CanRead(v2, v1);

        Assert.Contains(problems, p => p.Kind == FieldScalarKindChanged && p.Location == "/Customer/1");
        Assert.Contains(problems, p => p.Kind == FieldNamedTypeChanged && p.Location == "/Order/1");
        Assert.Empty(ProtobufSchemaFormat.Instance.CanRead(compatible, v1));
    }

    [Fact]
    public void RecursiveMessages_Terminate()
    {
        const string Tree = "syntax = \"proto3\"; message Node { int32 value = 1; repeated Node children = 2; }";
        const string Changed = "syntax = \"proto3\"; message Node { string value = 1; repeated Node children = 2; }";

        Assert.Empty(CanRead(Tree, Tree));
        Assert.Equal(FieldScalarKindChanged, Assert.Single(CanRead(Changed, Tree)).Kind);
    }

    [Fact]
    public void WellKnownTypes_CanBeImported()
    {
        const string Schema = "syntax = \"proto3\"; import \"google/protobuf/timestamp.proto\"; message M { google.protobuf.Timestamp at = 1; }";

        Assert.Empty(CanRead(Schema, Schema));
        Assert.Equal(FieldKindChanged, Assert.Single(CanRead("syntax = \"proto3\"; message M { int64 at = 1; }", Schema)).Kind);
    }
}
