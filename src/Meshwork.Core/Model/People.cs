using System.Collections.Frozen;
using System.Collections.Immutable;
using Meshwork.Diagnostics;

namespace Meshwork.Model;

/// <summary>people.yaml: declared principal attributes, teams and principals.</summary>
public sealed class People
{
    private readonly FrozenDictionary<string, Team> _teams;
    private readonly FrozenDictionary<string, Principal> _principals;

    public People(ImmutableArray<AttributeDeclaration> attributes, ImmutableArray<Team> teams, ImmutableArray<Principal> principals)
    {
        Attributes = attributes;
        Teams = teams;
        Principals = principals;
        _teams = teams.DistinctBy(t => t.Id).ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        _principals = principals.DistinctBy(p => p.Id).ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
    }

    public static People Empty { get; } = new([], [], []);

    public ImmutableArray<AttributeDeclaration> Attributes { get; }

    public ImmutableArray<Team> Teams { get; }

    public ImmutableArray<Principal> Principals { get; }

    public Team? FindTeam(string id) => _teams.GetValueOrDefault(id);

    public Principal? FindPrincipal(string id) => _principals.GetValueOrDefault(id);
}

/// <summary>The type of a declared principal attribute (the types policies are checked against).</summary>
public enum AttributeType
{
    String,
    Int,
    Double,
    Bool,
    StringList,
}

public sealed record AttributeDeclaration(string Name, AttributeType Type, string? Description, SourceLocation Location);

public sealed record Team(string Id, string? Name, string? Description, string? Domain, string? Channel, SourceLocation Location);

public enum PrincipalKind
{
    Person,
    Service,

    /// <summary>A data product reading its input ports (never declared in people.yaml; see <see cref="Principal.ForProduct"/>).</summary>
    Product,
}

/// <summary>
/// A person or service. <see cref="Attributes"/> holds the declared attributes' values as
/// <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or an
/// <see cref="ImmutableArray{T}"/> of strings.
/// </summary>
public sealed record Principal(
    string Id,
    PrincipalKind Kind,
    string? Name,
    string? Email,
    string? Team,
    ImmutableArray<string> Roles,
    ImmutableDictionary<string, object> Attributes,
    SourceLocation Location)
{
    /// <summary>The prefix of a product principal's id, so it never collides with a person's or service's.</summary>
    public const string ProductPrefix = "product:";

    /// <summary>
    /// A product as the consumer of its input ports: its pipeline reads upstream data as this principal, a member
    /// of the product's owning team with the role <c>product</c> and no other attributes.
    /// </summary>
    public static Principal ForProduct(DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new Principal(ProductPrefix + product.Key, PrincipalKind.Product, product.Title ?? product.Key, null, product.OwnerTeam,
            ["product"], ImmutableDictionary<string, object>.Empty, product.Location);
    }
}
