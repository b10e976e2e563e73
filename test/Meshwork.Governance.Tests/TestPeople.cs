using System.Collections.Immutable;
using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Governance.Tests;

/// <summary>people.yaml built by hand: one attribute of every type, and a few principals.</summary>
internal static class TestPeople
{
    private static readonly SourceLocation Here = SourceLocation.StartOf("people.yaml");

    public static People Create(params Principal[] principals) => new(
        [
            new AttributeDeclaration("clearance", AttributeType.Int, null, Here),
            new AttributeDeclaration("country", AttributeType.String, null, Here),
            new AttributeDeclaration("score", AttributeType.Double, null, Here),
            new AttributeDeclaration("contractor", AttributeType.Bool, null, Here),
            new AttributeDeclaration("regions", AttributeType.StringList, null, Here),
        ],
        [new Team("team-marketing", null, null, "marketing", "#marketing", Here)],
        [.. principals]);

    /// <summary>A person with the given attributes (ints as long, lists as immutable arrays, as the loader gives them).</summary>
    public static Principal Person(string id, string? team, string[] roles, params (string Name, object Value)[] attributes) =>
        new(id, PrincipalKind.Person, null, null, team, [.. roles], attributes.ToImmutableDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal), Here);

    /// <summary>Mallory: a marketing analyst in Germany with clearance 1.</summary>
    public static Principal Mallory { get; } = Person("mallory", "team-marketing", ["analyst"], ("clearance", 1L), ("country", "DE"),
        ("regions", ImmutableArray.Create("emea", "apac")));
}
